package kube

import (
	"fmt"
	"strconv"
)

// The event log is kept as compact records without pointers (the garbage
// collector need not scan them): the frequent pod events (a pod is
// scheduled, started, Ready, stopped, evicted) hold the pod's index, the
// reason's and an argument, and their object and message are formatted
// when the log is read (Events) or handed to OnEvent, not on the control
// loops' path. The events of other objects, rarer, are kept formatted.

// eventMsg says how a pod event's message is made.
type eventMsg uint8

const (
	msgStopping   eventMsg = iota // Stopping container
	msgStarted                    // Started container
	msgReady                      // Pod is Ready
	msgNodeNotRdy                 // Node is not ready
	msgScheduled                  // Successfully assigned NS/NAME to NODE
	msgMarkDelete                 // Marking for deletion Pod NS/NAME
	msgBackOff                    // Back-off Ns restarting failed container
	msgDrain                      // Evicted by drain of NODE
	msgSandbox                    // Pod sandbox changed, it will be killed and re-created.
)

type eventRec struct {
	t      int64
	n      int64  // BackOff's seconds; for other objects, the index in other
	pod    int32  // index in ControlPlane.pods; -1: another object's event
	node   int32  // Scheduled's and drain's node
	reason uint16 // index in reasons
	kind   eventMsg
}

// eventLog holds the records in chunks, so that growing it never copies
// what it holds.
type eventLog struct {
	chunks  [][]eventRec
	n       int
	other   []Event
	reasons []string
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

// reasonID interns a pod event's reason (a handful of constants).
func (l *eventLog) reasonID(reason string) uint16 {
	for k, r := range l.reasons {
		if r == reason {
			return uint16(k)
		}
	}
	l.reasons = append(l.reasons, reason)
	return uint16(len(l.reasons) - 1)
}

func (l *eventLog) reason(r *eventRec) string {
	if r.pod < 0 {
		return l.other[r.n].Reason
	}
	return l.reasons[r.reason]
}

// formatEvent is the record as an Event; the messages are worded as the
// format strings they replaced ("Successfully assigned %s/%s to %s", ...).
func (cp *ControlPlane) formatEvent(r *eventRec) Event {
	if r.pod < 0 {
		return cp.log.other[r.n]
	}
	p := cp.pods[r.pod].Pod
	e := Event{Time: r.t, Object: "Pod/" + p.Name, Reason: cp.log.reasons[r.reason]}
	switch r.kind {
	case msgStopping:
		e.Message = "Stopping container"
	case msgStarted:
		e.Message = "Started container"
	case msgReady:
		e.Message = "Pod is Ready"
	case msgNodeNotRdy:
		e.Message = "Node is not ready"
	case msgScheduled:
		e.Message = "Successfully assigned " + p.Namespace + "/" + p.Name + " to " + cp.c.Node(int(r.node)).Name
	case msgMarkDelete:
		e.Message = "Marking for deletion Pod " + p.Namespace + "/" + p.Name
	case msgBackOff:
		e.Message = "Back-off " + strconv.FormatInt(r.n, 10) + "s restarting failed container"
	case msgDrain:
		e.Message = "Evicted by drain of " + cp.c.Node(int(r.node)).Name
	case msgSandbox:
		e.Message = "Pod sandbox changed, it will be killed and re-created."
	}
	return e
}

func (cp *ControlPlane) event(object, reason, format string, args ...any) {
	e := Event{Time: cp.Clock.Now(), Object: object, Reason: reason, Message: fmt.Sprintf(format, args...)}
	cp.log.other = append(cp.log.other, e)
	cp.log.add(eventRec{t: e.Time, pod: -1, n: int64(len(cp.log.other) - 1)})
	if cp.OnEvent != nil {
		cp.OnEvent(e)
	}
}

// podEvent records an event of pod ps: kind says which message, node and
// n are its argument where it has one.
func (cp *ControlPlane) podEvent(ps *PodState, reason string, kind eventMsg, node int, n int64) {
	r := cp.log.add(eventRec{t: cp.Clock.Now(), pod: ps.idx, reason: cp.log.reasonID(reason), kind: kind, node: int32(node), n: n})
	if cp.OnEvent != nil {
		cp.OnEvent(cp.formatEvent(r))
	}
}

// Events is the event log so far, in order.
func (cp *ControlPlane) Events() []Event {
	for k := len(cp.events); k < cp.log.n; k++ {
		cp.events = append(cp.events, cp.formatEvent(cp.log.at(k)))
	}
	return cp.events
}
