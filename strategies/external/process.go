package external

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is the strategy's process and the two pipes fleetsim talks over.
type proc struct {
	cmd     *exec.Cmd
	in      *os.File // the process's stdin, written by fleetsim
	out     *os.File // the process's stdout, read by fleetsim
	w       *bufio.Writer
	r       *bufio.Reader
	timeout time.Duration

	stderr   tail // the end of what the process wrote on stderr
	errDone  chan struct{}
	waitOnce sync.Once
	waitErr  error
	exited   bool
}

// start runs the command in its own process group, so that killing the
// group also stops what it started.
func start(c *Config) (*proc, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, err
	}
	cmd := exec.Command(c.Command[0], c.Command[1:]...)
	cmd.Dir = c.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	err = cmd.Start()
	inR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("cannot start: %v", err)
	}
	p := &proc{cmd: cmd, in: inW, out: outR, timeout: c.Timeout, errDone: make(chan struct{})}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	p.w = bufio.NewWriterSize(inW, 1<<16)
	p.r = bufio.NewReaderSize(outR, 1<<16)
	go func() {
		defer close(p.errDone)
		io.Copy(&p.stderr, errR)
		errR.Close()
	}()
	return p, nil
}

// send writes one line (msg has no newline) and flushes it.
func (p *proc) send(msg []byte) error {
	p.in.SetWriteDeadline(time.Now().Add(p.timeout))
	p.w.Write(msg)
	p.w.WriteByte('\n')
	if err := p.w.Flush(); err != nil {
		return p.ioError("writing to it", err)
	}
	return nil
}

// maxLine bounds one answer.
const maxLine = 64 << 20

// recv reads one line, waiting at most the timeout.
func (p *proc) recv() ([]byte, error) {
	p.out.SetReadDeadline(time.Now().Add(p.timeout))
	line, err := p.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		var long []byte
		long = append(long, line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = p.r.ReadSlice('\n')
			long = append(long, line...)
			if len(long) > maxLine {
				return nil, fmt.Errorf("an answer longer than %d MiB without a newline", maxLine>>20)
			}
		}
		line = long
	}
	if err != nil {
		return nil, p.ioError("waiting for its answer", err)
	}
	return line[:len(line)-1], nil
}

// ioError says why talking to the process failed: it exited (with its
// status and the last line it wrote on stderr), or it did not answer in
// time.
func (p *proc) ioError(doing string, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("no answer within %v (timeout) %s", p.timeout, doing)
	}
	// A closed pipe: the process is gone, or about to be. Wait for it a
	// little so its status and stderr can be reported.
	if st, ok := p.waitFor(p.timeout); ok {
		msg := "exited with status 0"
		if st != nil {
			msg = "exited (" + st.Error() + ")"
		}
		if last := p.stderr.last(); last != "" {
			msg += "; its stderr ends: " + last
		}
		return fmt.Errorf("the process %s while fleetsim was %s", msg, doing)
	}
	return fmt.Errorf("%s: %v", doing, err)
}

// waitFor reaps the process if it exits within d.
func (p *proc) waitFor(d time.Duration) (error, bool) {
	done := make(chan struct{})
	go func() {
		p.waitOnce.Do(func() { p.waitErr = p.cmd.Wait(); p.exited = true })
		close(done)
	}()
	select {
	case <-done:
		<-p.errDone
		return p.waitErr, true
	case <-time.After(d):
		return nil, false
	}
}

// stop ends the process: it closes stdin (the strategy's cue to exit),
// waits up to grace for it, then kills its whole process group, and reaps
// it in every case, so no zombie is left.
func (p *proc) stop(grace time.Duration) {
	p.in.Close()
	if _, ok := p.waitFor(grace); !ok {
		p.kill()
	}
	p.out.Close()
}

// kill stops the process group at once and reaps the process.
func (p *proc) kill() {
	if p.cmd.Process != nil {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	p.in.Close()
	p.waitOnce.Do(func() { p.waitErr = p.cmd.Wait(); p.exited = true })
	<-p.errDone
	p.out.Close()
}

// tail keeps the last few KiB written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 4096

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	return len(b), nil
}

// last is the last non-empty line, trimmed to 200 characters.
func (t *tail) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := bytes.Split(bytes.TrimSpace(t.buf), []byte{'\n'})
	s := strings.TrimSpace(string(lines[len(lines)-1]))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
