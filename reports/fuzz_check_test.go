package reports

import (
	"bytes"
	"io"
	"testing"
)

// FuzzCheck: a baseline and current results from anywhere, with any
// --tolerance text, give a check report or an error, never a panic; and
// results without the fields a check compares are refused, not compared
// as zeros (issue 15: a baseline missing latency_s gave REGRESSION lines
// and exit 1).
func FuzzCheck(f *testing.F) {
	good := []byte(`{"strategy":"p2c","tasks":{"arrived":10,"completed":10},"latency_s":{"mean":1,"p99":2}}`)
	f.Add(good, good, "latency_s.p99=5%")
	f.Add([]byte(`{"strategy":"p2c","tasks":{"arrived":10}}`), good, "latency_s.mean=0.1")
	f.Add(good, []byte(`[{"strategy":"p2c","tasks":{},"latency_s":{"p99":1e308}}]`), "*=-5%")
	f.Add(good, good, "latency_s.p99=NaN")
	f.Add(good, good, "x=1e999%")
	f.Fuzz(func(t *testing.T, base, cur []byte, tol string) {
		opt := CheckOptions{Tolerances: map[string]Tolerance{}}
		if name, tl, err := ParseTolerance(tol); err == nil {
			opt.Tolerances[name] = tl
		}
		b, _, err := ParseResults("base.json", base)
		if err != nil {
			return
		}
		if !bytes.Contains(base, []byte(`"latency_s"`)) {
			t.Fatalf("results without latency_s accepted: %q", base)
		}
		c, _, err := ParseResults("cur.json", cur)
		if err != nil {
			return
		}
		rep, err := Check(b, c, opt)
		if err != nil {
			return
		}
		WriteCheckTable(io.Discard, rep, true)
		WriteJSON(io.Discard, rep)
	})
}
