package external

import (
	"fmt"
	"io"

	"github.com/fleetsim/fleetsim/sim"
)

// Batching. Tasks that arrive at the same simulated instant (a trace
// with one-second timestamps holds many) can be decided in one message:
// fleetsim sends the task being decided and those queued behind it at the
// same instant, and the strategy answers a node for each, deciding request
// k as if requests 0..k-1 had each added one task to its chosen node
// (active when the node has a free slot, else queued) and nothing else had
// changed. Before it uses answer k, fleetsim checks that this is what
// really happened: same instant, the next task is request k's, every
// node's load and health as predicted, and no event since the message but
// the starts of the batch's own tasks. When anything else happened (a task
// finished at that very instant, a node went down), the rest of the batch
// is discarded, the next message says so ("discarded": k) so the strategy
// can undo the state changes of those requests, and the task is asked
// anew. So batching never changes a run's results; it only saves round
// trips.

// Lookahead is a sim.Source that reads ahead the tasks arriving at the
// same instant as the last one it returned, so that an external strategy
// can decide them in one message.
type Lookahead struct {
	src  sim.Source
	max  int
	buf  []sim.Task // read ahead, in order
	err  error      // the source's error after buf
	head int
}

// NewLookahead wraps src, reading ahead at most max tasks.
func NewLookahead(src sim.Source, max int) *Lookahead {
	return &Lookahead{src: src, max: max}
}

// Next implements sim.Source.
func (l *Lookahead) Next(t *sim.Task) error {
	if l.head == len(l.buf) {
		l.buf, l.head = l.buf[:0], 0
		if l.err != nil {
			return l.err
		}
		if err := l.src.Next(t); err != nil {
			return err
		}
		l.buf = append(l.buf, *t)
	}
	*t = l.buf[l.head]
	l.head++
	if l.head >= 64 && l.head*2 >= len(l.buf) {
		// Keep memory to the tasks read ahead: move them to the front.
		l.buf = l.buf[:copy(l.buf, l.buf[l.head:])]
		l.head = 0
	}
	l.fill(t.Arrival)
	return nil
}

// fill reads ahead until a task arrives after at (or max are buffered).
func (l *Lookahead) fill(at sim.Time) {
	for l.err == nil && len(l.buf)-l.head < l.max {
		if n := len(l.buf); n > l.head && l.buf[n-1].Arrival != at {
			return
		}
		var t sim.Task
		if err := l.src.Next(&t); err != nil {
			l.err = err
			return
		}
		l.buf = append(l.buf, t)
	}
}

// Same returns the buffered tasks that arrive at at, in order. The slice
// is the Lookahead's own: read it before the next call to Next.
func (l *Lookahead) Same(at sim.Time) []sim.Task {
	k := l.head
	for k < len(l.buf) && l.buf[k].Arrival == at {
		k++
	}
	return l.buf[l.head:k]
}

// Position passes on the source's position (for errors naming a line).
func (l *Lookahead) Position() (string, int) {
	if p, ok := l.src.(interface{ Position() (string, int) }); ok {
		return p.Position()
	}
	return "", 0
}

// Close closes the source when it is an io.Closer.
func (l *Lookahead) Close() error {
	if c, ok := l.src.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Batch is the most requests the strategy takes in one message (its
// hello's batch), 0 when it does not batch.
func (s *Strategy) Batch() int { return s.batchMax }

// UseLookahead gives the strategy the source's lookahead, which batching
// needs; without one every message holds one request.
func (s *Strategy) UseLookahead(l *Lookahead) { s.look = l }

// Stats are counts of a run's traffic.
type Stats struct {
	Messages  int64 // decide messages sent
	Decisions int64 // decisions used
	Discarded int64 // batched answers thrown away (the View changed)
}

// Stats returns the traffic so far.
func (s *Strategy) Stats() Stats { return s.stats }

// batch is the batch in progress.
type batch struct {
	valid   bool
	now     sim.Time
	ids     []int64
	nodes   []int
	next    int
	starts  int // started events expected from the batch's own tasks
	expA    []int32
	expQ    []int32
	expH    []bool
	expM    []bool
	pending int // events buffered when the batch was sent
	last    int // the node of the last prediction (-1: none)

	log     *sim.ChangeLog // the View's changes since the last check
	logView *sim.View      // the View log tracks
}

// pickBatched is Pick for a strategy that batches.
func (s *Strategy) pickBatched(v *sim.View, t *sim.Task) int {
	b := &s.bt
	if b.valid && b.next < len(b.ids) {
		if b.ids[b.next] == t.ID && v.Now() == b.now && s.asPredicted(v) {
			i := b.nodes[b.next]
			b.next++
			s.predict(v, i)
			s.stats.Decisions++
			return i
		}
		s.discard = b.next
		s.stats.Discarded += int64(len(b.ids) - b.next)
	}
	b.valid = false
	b.ids = append(b.ids[:0], t.ID)
	tasks := append(s.batchTasks[:0], *t)
	for _, u := range s.look.Same(t.Arrival) {
		if len(tasks) >= s.batchMax {
			break
		}
		tasks = append(tasks, u)
		b.ids = append(b.ids, u.ID)
	}
	s.batchTasks = tasks
	what, err := s.decideTasks(v, tasks)
	if err != nil {
		s.fail(what, err)
		return sim.Drop
	}
	n := v.Len()
	if len(s.reply.Nodes) != len(tasks) {
		s.fail(what, fmt.Errorf("expected %d nodes (one per task), got %d", len(tasks), len(s.reply.Nodes)))
		return sim.Drop
	}
	for k, i := range s.reply.Nodes {
		if i != sim.Drop && (i < 0 || i >= n) {
			s.fail(what, fmt.Errorf("node %d for task %d is out of range: valid nodes are 0..%d, or -1 to drop the task", i, tasks[k].ID, n-1))
			return sim.Drop
		}
	}
	b.nodes = append(b.nodes[:0], s.reply.Nodes...)
	b.now = v.Now()
	b.next = 1
	b.starts = 0
	b.pending = s.nPend
	b.expA, b.expQ, b.expH, b.expM = b.expA[:0], b.expQ[:0], b.expH[:0], b.expM[:0]
	for i := 0; i < n; i++ {
		l := v.Load(i)
		b.expA = append(b.expA, l.Active)
		b.expQ = append(b.expQ, l.Queued)
		b.expH = append(b.expH, v.Healthy(i))
		b.expM = append(b.expM, v.Member(i))
	}
	b.valid = true
	if b.logView != v {
		b.log, b.logView = v.TrackChanges(), v
	}
	b.log.Reset()
	s.predict(v, b.nodes[0])
	s.stats.Decisions++
	return b.nodes[0]
}

// predict applies the effect the protocol assumes of sending a task to
// node i: one more task, served when a slot is free, else queued.
func (s *Strategy) predict(v *sim.View, i int) {
	b := &s.bt
	b.last = i
	if i < 0 {
		return
	}
	if int(b.expA[i]) < v.Spec(i).Slots {
		b.expA[i]++
		if s.events[0] {
			b.starts++
		}
	} else {
		b.expQ[i]++
	}
}

// asPredicted reports whether the View is what the batch assumed. The
// nodes checked at the previous decision cannot have changed unless the
// View's change log lists them, so it checks the logged nodes and the one
// the last prediction changed: O(1) per decision, not O(nodes); all of
// them when the log overflowed.
func (s *Strategy) asPredicted(v *sim.View) bool {
	b := &s.bt
	if s.nPend != b.pending+b.starts {
		return false
	}
	ok := func(i int) bool {
		l := v.Load(i)
		return l.Active == b.expA[i] && l.Queued == b.expQ[i] && v.Healthy(i) == b.expH[i] && v.Member(i) == b.expM[i]
	}
	if b.log.Overflow() {
		for i := range b.expA {
			if !ok(i) {
				return false
			}
		}
	} else {
		for _, i := range b.log.Nodes() {
			if !ok(int(i)) {
				return false
			}
		}
		if b.last >= 0 && !ok(b.last) {
			return false
		}
	}
	b.log.Reset()
	return true
}

// decideTasks sends one decide message holding every task of a batch.
func (s *Strategy) decideTasks(v *sim.View, tasks []sim.Task) (string, error) {
	s.seq++
	s.stats.Messages++
	what := fmt.Sprintf("%d (pick, %d task(s) from task %d at %v)", s.seq, len(tasks), tasks[0].ID, v.Now())
	b := s.begin("decide", s.seq)
	b = s.appendView(b, v)
	b = append(b, `,"op":"pick","tasks":[`...)
	for k := range tasks {
		if k > 0 {
			b = append(b, ',')
		}
		b = appendTaskObject(b, &tasks[k])
	}
	b = append(b, `]}`...)
	s.buf = b
	return what, s.exchange()
}

// Buffered is the size of the read-ahead buffer, consumed tasks included
// (for tests of its bound).
func (l *Lookahead) Buffered() int { return len(l.buf) }
