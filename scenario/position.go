package scenario

import "github.com/fleetsim/fleetsim/traces"

// position is the file and line of the task src last returned, when src
// knows it (a trace reader does), else "", 0. The sources that wrap a
// reader pass it on, so an error the engine finds later (a task out of
// arrival order) still names the trace line.
func position(src any) (string, int) {
	if p, ok := src.(traces.Positioner); ok {
		return p.Position()
	}
	return "", 0
}

// Position passes on the wrapped source's (see traces.Positioner).
func (m *modelCheck) Position() (string, int) { return position(m.src) }

// Position passes on the wrapped source's (see traces.Positioner).
func (o *attrSource) Position() (string, int) { return position(o.src) }
