package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// realProgress tells what a command on real nodes is doing: one line per
// phase on stderr ("[2/4] real run p2c: 240 tasks"), and on a terminal a
// bar of the phase's ended tasks, since a real run takes minutes and
// would otherwise print nothing meanwhile. Its methods are safe to call
// from the runner's goroutines.
type realProgress struct {
	w      io.Writer
	tty    bool
	total  int // phases, for "[k/total]"
	mu     sync.Mutex
	k      int
	phase  string
	done   atomic.Int64
	stopCh chan struct{}
	wg     sync.WaitGroup
}

func newRealProgress(w io.Writer, phases int) *realProgress {
	p := &realProgress{w: w, total: phases}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

// Phase ends the current phase and starts the next, of tasks tasks (0:
// no bar).
func (p *realProgress) Phase(name string, tasks int64) {
	p.stopBar()
	p.mu.Lock()
	p.k++
	p.phase = name
	p.mu.Unlock()
	p.done.Store(0)
	if tasks > 0 {
		fmt.Fprintf(p.w, "[%d/%d] %s: %d tasks\n", p.k, p.total, name, tasks)
	} else {
		fmt.Fprintf(p.w, "[%d/%d] %s\n", p.k, p.total, name)
	}
	if p.tty && tasks > 0 {
		p.startBar(name, tasks)
	}
}

// Task counts one ended task of the current phase.
func (p *realProgress) Task() { p.done.Add(1) }

// Current is the phase under way ("" before the first).
func (p *realProgress) Current() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.phase
}

// Stop clears the bar.
func (p *realProgress) Stop() { p.stopBar() }

func (p *realProgress) startBar(name string, tasks int64) {
	p.stopCh = make(chan struct{})
	quit := p.stopCh
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		bar := progressbar.NewOptions64(tasks,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(name),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				_ = bar.Clear()
				return
			case <-t.C:
				_ = bar.Set64(p.done.Load())
			}
		}
	}()
}

func (p *realProgress) stopBar() {
	if p.stopCh != nil {
		close(p.stopCh)
		p.wg.Wait()
		p.stopCh = nil
	}
}
