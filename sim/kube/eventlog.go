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
	pod    *Pod // the pod of a pod event; nil: other[n] holds the event
	reason string
	msg    string // msgText's message, or the argument
	n      int64
	kind   eventMsg
}

// eventLog holds the records in chunks, so that growing it never copies
// what it holds; the events of objects other than pods, rarer, are kept
// formatted aside.
type eventLog struct {
	chunks [][]eventRec
	n      int
	other  []Event
}

const eventChunk = 4096

func (l *eventLog) add(r eventRec) *eventRec {
	if l.n%eventChunk == 0 {
		l.chunks = append(l.chunks, make([]eventRec, 0, eventChunk))
	}
	c := &l.chunks[len(l.chunks)-1]
	*c = append(*c, r)
	l.n++
	return &(*c)[len(*c)-1]
}

func (l *eventLog) at(k int) *eventRec { return &l.chunks[k/eventChunk][k%eventChunk] }

// format is the record as an Event; the messages are worded as the
// format strings they replaced ("Successfully assigned %s/%s to %s", ...).
func (l *eventLog) format(r *eventRec) Event {
	p := r.pod
	if p == nil {
		return l.other[r.n]
	}
	e := Event{Time: r.t, Object: "Pod/" + p.Name, Reason: r.reason, Message: r.msg}
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

func (cp *ControlPlane) event(object, reason, format string, args ...any) {
	e := Event{Time: cp.Clock.Now(), Object: object, Reason: reason, Message: fmt.Sprintf(format, args...)}
	cp.log.other = append(cp.log.other, e)
	cp.log.add(eventRec{t: e.Time, reason: reason, n: int64(len(cp.log.other) - 1)})
	if cp.OnEvent != nil {
		cp.OnEvent(e)
	}
}

// podEvent records an event of pod p: a fixed message (kind msgText), or
// one of the templates with its argument (arg, n).
func (cp *ControlPlane) podEvent(p *Pod, reason string, kind eventMsg, arg string, n int64) {
	r := cp.log.add(eventRec{t: cp.Clock.Now(), pod: p, reason: reason, kind: kind, msg: arg, n: n})
	if cp.OnEvent != nil {
		cp.OnEvent(cp.log.format(r))
	}
}

// Events is the event log so far, in order.
func (cp *ControlPlane) Events() []Event {
	for k := len(cp.events); k < cp.log.n; k++ {
		cp.events = append(cp.events, cp.log.format(cp.log.at(k)))
	}
	return cp.events
}
