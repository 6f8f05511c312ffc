package kube

import (
	"fmt"
	"strconv"
)

// The event log is kept as compact records: the frequent pod events (a
// pod is scheduled, started, Ready, stopped, evicted) hold the pod and an
// argument, and their object and message are formatted when the log is
// read (Events) or handed to OnEvent, not on the control loops' path.

// eventMsg says how a record's message is made.
type eventMsg uint8

const (
	msgText       eventMsg = iota // msg as is
	msgScheduled                  // Successfully assigned NS/NAME to ARG
	msgMarkDelete                 // Marking for deletion Pod NS/NAME
	msgBackOff                    // Back-off Ns restarting failed container
	msgDrain                      // Evicted by drain of ARG
)

type eventRec struct {
	t      int64
	reason string
	obj    string // "" when pod is set: "Pod/" + its name
	msg    string // msgText's message, or the argument
	pod    *Pod
	kind   eventMsg
	n      int64
}

// format is the record as an Event; the messages are worded as the
// format strings they replaced ("Successfully assigned %s/%s to %s", ...).
func (r *eventRec) format() Event {
	e := Event{Time: r.t, Object: r.obj, Reason: r.reason, Message: r.msg}
	p := r.pod
	if p != nil {
		e.Object = "Pod/" + p.Name
	}
	switch r.kind {
	case msgScheduled:
		e.Message = "Successfully assigned " + p.Namespace + "/" + p.Name + " to " + r.msg
	case msgMarkDelete:
		e.Message = "Marking for deletion Pod " + p.Namespace + "/" + p.Name
	case msgBackOff:
		e.Message = "Back-off " + strconv.FormatInt(r.n, 10) + "s restarting failed container"
	case msgDrain:
		e.Message = "Evicted by drain of " + r.msg
	}
	return e
}

func (cp *ControlPlane) record(r eventRec) {
	r.t = cp.Clock.Now()
	cp.recs = append(cp.recs, r)
	if cp.OnEvent != nil {
		cp.OnEvent(r.format())
	}
}

func (cp *ControlPlane) event(object, reason, format string, args ...any) {
	cp.record(eventRec{obj: object, reason: reason, msg: fmt.Sprintf(format, args...)})
}

// podEvent records an event of pod p: a fixed message (kind msgText), or
// one of the templates with its argument (arg, n).
func (cp *ControlPlane) podEvent(p *Pod, reason string, kind eventMsg, arg string, n int64) {
	cp.record(eventRec{pod: p, reason: reason, kind: kind, msg: arg, n: n})
}

// Events is the event log so far, in order.
func (cp *ControlPlane) Events() []Event {
	for k := len(cp.events); k < len(cp.recs); k++ {
		cp.events = append(cp.events, cp.recs[k].format())
	}
	return cp.events
}
