package traces

import (
	"compress/gzip"
	"errors"
	"os"
	"sync"

	"github.com/fleetsim/fleetsim/sim"
)

// aheadRows and aheadBatches size the read-ahead of Open's CSV and JSONL
// readers: a
// goroutine reads batches of aheadRows tasks, at most aheadBatches of them
// filled or being filled ahead of the consumer (320 KiB each, and 192
// bytes more for each task that is not plain). Smaller batches cost more
// in hand-overs (each may wake a thread): 1,024 rows took up to 0.15 s
// more CPU per 10 M tasks than 4,096, 256 rows 0.3 s.
const (
	aheadRows    = 8192
	aheadBatches = 4
)

// errAheadClosed is what Next returns once Open's Closer has closed the
// reader.
var errAheadClosed = errors.New("traces: trace read after its Close")

// aheadSource runs a reader that Open made for a regular file (the
// native CSV's or JSONL's) on a goroutine of its own, ahead of the consumer, so that reading the file
// (the kernel's copy, a gzip stream's inflation, the line checks) and
// parsing its rows run beside the simulation instead of in it. The
// consumer gets the same tasks, then the same error (io.EOF, or the first
// *Error), as from the reader itself, each when it reaches it: the
// goroutine stops at the error and hands on the tasks before it first.
// Position is the consumer's: the line of the last task Next returned.
//
// A task with no field set but ID, Arrival and Work, what a generated
// workload's rows hold, travels as those three numbers (and its line);
// any other whole.
//
// The goroutine starts with the first Next and ends at the reader's end
// or error, or at Close (Open's Closer), which stops it and waits for it:
// no goroutine outlives Close. Close closes the file first, so a read
// blocked in it ends.
type aheadSource struct {
	rd   aheadReader
	file *os.File     // closed first by Close: ends a read under way
	zr   *gzip.Reader // closed once the goroutine is gone; nil for none

	mu      sync.Mutex // start against Close
	started bool       // set by the consumer, under mu
	closed  bool

	ready  chan *aheadBatch // filled, in order
	free   chan *aheadBatch // back from the consumer
	done   chan struct{}    // closed by Close
	exited chan struct{}    // closed by the goroutine as it ends

	// The consumer's side.
	first aheadBatch  // empty: cur before the first batch
	cur   *aheadBatch // the batch being read
	i     int         // its next row
	line  int         // line of the last task returned
	err   error       // sticky
}

// aheadBatch is tasks in file order, then the error that ended them (nil
// while there are more).
type aheadBatch struct {
	rows []aheadRow
	full []sim.Task // the tasks that do not travel as three numbers
	err  error
}

// aheadRow is a task as its ID, Arrival and Work, the others zero, or,
// for full >= 0, the task full[full]; line is its line.
type aheadRow struct {
	id            int64
	arrival, work sim.Time
	line          int
	full          int
}

// aheadReader is a reader Open reads ahead: its tasks, and the line of
// the last one (Position's, without the interface call for the CSV's).
type aheadReader interface {
	sim.Source
	lastLine() int
}

// line is the line of the last row Next returned.
func (rd *CSVReader) lastLine() int { return rd.prevLine }

// line is the line of the last task Next returned.
func (rd *JSONLReader) lastLine() int { return rd.prevLine }

func newAheadSource(rd aheadReader, file *os.File, zr *gzip.Reader) *aheadSource {
	s := &aheadSource{rd: rd, file: file, zr: zr, done: make(chan struct{})}
	s.cur = &s.first
	return s
}

// start starts the goroutine, unless Close came first; it reports whether
// it is running.
func (s *aheadSource) start() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.started = true
	s.ready = make(chan *aheadBatch, aheadBatches)
	s.free = make(chan *aheadBatch, aheadBatches)
	s.exited = make(chan struct{})
	for range aheadBatches {
		s.free <- &aheadBatch{}
	}
	go s.run()
	return true
}

// run fills batches from the reader until its end, its error or Close.
func (s *aheadSource) run() {
	defer close(s.exited)
	var t sim.Task
	for {
		var b *aheadBatch
		select {
		case b = <-s.free:
		case <-s.done:
			return
		}
		if b.rows == nil {
			b.rows = make([]aheadRow, 0, aheadRows)
		}
		b.rows, b.full = b.rows[:0], b.full[:0]
		for len(b.rows) < aheadRows {
			if b.err = s.rd.Next(&t); b.err != nil {
				break
			}
			// Field by field into the batch: a row built aside and
			// copied is read back with wider loads than its stores, which
			// stalls (as much as the rest of the loop).
			n := len(b.rows)
			b.rows = b.rows[:n+1]
			r := &b.rows[n]
			r.id, r.arrival, r.work, r.line, r.full = t.ID, t.Arrival, t.Work, s.rd.lastLine(), -1
			if !plainTask(&t) {
				r.full = len(b.full)
				b.full = append(b.full, t)
			}
		}
		select {
		case s.ready <- b:
		case <-s.done:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// plainTask reports whether t has no field set but ID, Arrival and Work
// (field by field: comparing with a literal builds and compares 192 bytes;
// TestPlainTaskEveryField checks that every other field is looked at).
func plainTask(t *sim.Task) bool {
	return t.CPU|t.Memory|int64(t.Estimate)|t.OutputBytes|t.MemoryUse|t.MemoryRate == 0 &&
		t.GPUs|t.GPUMilli|t.Priority|t.PromptTokens|t.OutputTokens|t.Nodes == 0 &&
		len(t.GPUSpec)|len(t.Workflow)|len(t.Tenant)|len(t.Region)|len(t.Class) == 0 && t.Deps == nil
}

// Next reads the next task into t (see sim.Source).
func (s *aheadSource) Next(t *sim.Task) error {
	if s.i == len(s.cur.rows) {
		if err := s.fetch(); err != nil {
			return err
		}
	}
	r := &s.cur.rows[s.i]
	s.i++
	if r.full < 0 {
		*t = sim.Task{} // (then field by field: a literal is built aside and copied)
		t.ID, t.Arrival, t.Work = r.id, r.arrival, r.work
	} else {
		*t = s.cur.full[r.full]
	}
	s.line = r.line
	return nil
}

// fetch makes the next batch with a row the current one, or returns the
// error after the last row.
func (s *aheadSource) fetch() error {
	for s.err == nil {
		if s.cur != &s.first {
			if s.cur.err != nil {
				s.err = s.cur.err
				break
			}
			s.free <- s.cur // (never blocks: room for every batch)
		} else if !s.started && !s.start() {
			s.err = errAheadClosed
			break
		}
		var b *aheadBatch
		select {
		case <-s.done: // (first: after Close, no more batches)
		default:
			select {
			case b = <-s.ready:
			case <-s.done:
			}
		}
		if b == nil {
			s.cur, s.err = &s.first, errAheadClosed
			return s.err
		}
		s.cur, s.i = b, 0
		if len(s.cur.rows) > 0 {
			return nil
		}
	}
	return s.err
}

// Position returns the file and the line of the task last returned by
// Next (see Positioner).
func (s *aheadSource) Position() (file string, line int) { return s.file.Name(), s.line }

// aheadCloser is Open's Closer of an aheadSource (the source itself is
// not an io.Closer, as the readers are not).
type aheadCloser struct{ s *aheadSource }

// Close stops the goroutine and waits for it, and closes the input. A
// Next after it gives at most the tasks of the batch in hand (as a reader
// gives the rows in its buffer), then an error; one waiting for a batch
// returns the error.
func (c aheadCloser) Close() error {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.done)
	err := s.file.Close() // (ends a read under way)
	if s.started {
		<-s.exited
	}
	if s.zr != nil {
		if e := s.zr.Close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

var (
	_ sim.Source = (*aheadSource)(nil)
	_ Positioner = (*aheadSource)(nil)
)
