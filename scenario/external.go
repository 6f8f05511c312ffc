package scenario

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies/external"
)

// ExternalName is the StrategySpec name of an external strategy: a process
// that answers the decision protocol (package strategies/external). Its
// Args hold the entry's command, name, timeout and params.
const ExternalName = "external"

// externalStrategy reads an entry {external: {command: [...], name: ...}}
// (queue and backfill may sit beside external, as for any entry).
func (r *reader) externalStrategy(m *mapping, spec *StrategySpec) {
	m.allow(ExternalName, "queue", "backfill")
	r.strategyExtras(m, spec)
	if r.err != nil {
		return
	}
	spec.Name = ExternalName
	im := r.mapping(m.get(ExternalName), m.field(ExternalName), "a mapping like {command: [python3, my.py], name: mine}")
	im.allow(external.Fields...)
	if r.err != nil {
		return
	}
	spec.Args = map[string]any{}
	for _, k := range im.keys {
		typ := ""
		if k == "timeout" {
			typ = "duration"
		}
		spec.Args[k] = r.arg(im.get(k), im.field(k), typ)
	}
	if r.err != nil {
		return
	}
	if _, err := external.FromArgs(spec.Args); err != nil {
		var ae *external.ArgError
		if errors.As(err, &ae) && im.get(ae.Field) != nil {
			r.failf(im.get(ae.Field), im.field(ae.Field), "%s", ae.Msg)
		} else if errors.As(err, &ae) {
			r.failf(m.get(ExternalName), m.field(ExternalName), "%s: %s", ae.Field, ae.Msg)
		} else {
			r.failf(m.get(ExternalName), m.field(ExternalName), "%v", err)
		}
	}
}

// ParseExternal reads the command-line form of an external strategy,
// "external:COMMAND ARGS..." (split at spaces), into a StrategySpec. ok is
// false when s is not of that form.
func ParseExternal(s string) (spec StrategySpec, ok bool, err error) {
	rest, found := cutPrefix(s, ExternalName+":")
	if !found {
		return spec, false, nil
	}
	spec = StrategySpec{Name: ExternalName, Args: map[string]any{"command": rest}}
	_, err = external.FromArgs(spec.Args)
	return spec, true, err
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// externalLabel is an external entry's label in results: its name, or the
// one derived from its command.
func externalLabel(s StrategySpec) string {
	c, err := external.FromArgs(s.Args)
	if err != nil {
		return ExternalName
	}
	return c.Label()
}

// startExternal starts the process of an external entry for one run and
// exchanges hellos with it. Relative paths in its command resolve against
// the scenario's folder, where the process runs.
func (s *Scenario) startExternal(spec StrategySpec, seed uint64, central bool) (sim.Strategy, *external.Strategy, error) {
	c, err := external.FromArgs(spec.Args)
	if err != nil {
		return nil, nil, err
	}
	c.Dir = s.Dir
	if c.Dir != "" {
		if fi, err := os.Stat(c.Dir); err != nil || !fi.IsDir() {
			c.Dir = ""
		} else if abs, err := filepath.Abs(c.Dir); err == nil {
			c.Dir = abs
		}
	}
	return external.Start(c, external.Spec{Nodes: s.Nodes(), Central: central, Seed: seed, Stream: "strategy/" + spec.String()})
}

// externalRun stops a run at the first protocol failure of its external
// strategy, which the sim interfaces cannot return.
type externalRun struct {
	sim.Runner
	x *external.Strategy
}

func (r externalRun) Step(max int) (bool, error) {
	done, err := r.Runner.Step(max)
	if xerr := r.x.Err(); xerr != nil {
		r.x.Kill()
		return true, xerr
	}
	return done, err
}

// closers closes each of its closers, returning the first error.
type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// startWithExternal is Start for an external strategy: the workload is
// opened before the process starts, and the process is stopped by the
// closer (or at once when the run cannot start).
func (s *Scenario) startWithExternal(cfg sim.Config, spec StrategySpec, seed uint64, central bool) (sim.Runner, io.Closer, error) {
	if central {
		shapes, err := s.TargetShapes()
		if err != nil {
			return nil, nil, err
		}
		if cfg.Central, err = s.central(spec, seed, shapes); err != nil {
			return nil, nil, err
		}
	}
	st, x, err := s.startExternal(spec, seed, central)
	if err != nil {
		if spec.Line > 0 {
			return nil, nil, fmt.Errorf("%s:%d: %w", s.File, spec.Line, err)
		}
		return nil, nil, err
	}
	src, closer, err := s.source(seed, cfg.Nodes)
	if err != nil {
		x.Kill()
		return nil, nil, err
	}
	if x.Batch() > 1 && !central {
		look := external.NewLookahead(src, x.Batch())
		x.UseLookahead(look)
		src = look
	}
	if q := x.QueueOrder(); q != nil && central {
		cfg.Central.Queue = q
	}
	run, err := sim.Start(cfg, src, st, central)
	if err != nil {
		x.Kill()
		closer.Close()
		return nil, nil, fmt.Errorf("%s: %w", s.File, err)
	}
	return labeled{externalRun{run, x}, spec.String()}, closers{x, closer}, nil
}

// StartStrategy builds spec for one run driven from outside the
// simulator, as real execution does: a built-in strategy as Strategy
// builds it, an external one by starting its process (in the scenario's
// folder) and exchanging hellos. The closer stops the process; for a
// built-in it does nothing. An external strategy cannot return a protocol
// failure through the sim interfaces: it answers neutrally from then on
// (drop, does not fit) and reports the failure through its Err() error
// method, which the executor must check after each call (realexec.Run
// does, for any strategy that has one).
func (s *Scenario) StartStrategy(spec StrategySpec, seed uint64) (sim.Strategy, io.Closer, error) {
	if spec.Name != ExternalName {
		st, err := s.Strategy(spec, seed)
		return st, nopCloser{}, err
	}
	_, x, err := s.startExternal(spec, seed, s.Cluster.Queueing == QueueingCentral)
	if err != nil {
		if spec.Line > 0 {
			return nil, nil, fmt.Errorf("%s:%d: %w", s.File, spec.Line, err)
		}
		return nil, nil, err
	}
	return x.Composite(), x, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
