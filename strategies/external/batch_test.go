package external_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/strategies/external"
)

// burstScenario is a trace of 3000 tasks arriving 8 at a time every 0.5 s,
// with durations that are multiples of 0.25 s, so that many tasks finish
// at the very instant a burst arrives: batches are both used and cut.
func burstScenario(t *testing.T) *scenario.Scenario {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("arrival,duration\n")
	for k := 0; k < 3000; k++ {
		fmt.Fprintf(&b, "%g,%g\n", float64(k/8)*0.5, float64(1+(k*7)%13)*0.25)
	}
	os.WriteFile(filepath.Join(dir, "burst.csv"), []byte(b.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte(`name: burst
seed: 9
cluster:
  queueing: node
  nodes:
    - {group: a, count: 4, speed: 2}
    - {group: b, count: 8, speed: 1, slots: 2}
workload:
  trace: {path: burst.csv, format: csv}
strategies: [round-robin]
`), 0o644)
	sc, err := scenario.Load(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// runEngine runs st on sc's engine with src and returns the task records.
func runEngine(t *testing.T, sc *scenario.Scenario, src sim.Source, st sim.Strategy) string {
	t.Helper()
	var recs strings.Builder
	cfg := sc.Config()
	cfg.OnRecord = func(r *sim.Record) {
		fmt.Fprintf(&recs, "%d %d %d %d %d\n", r.Task.ID, r.Node, r.Start, r.Finish, r.Status)
	}
	e, err := sim.NewEngine(cfg, src, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	return recs.String()
}

// TestBatchingKeepsResults: with batching the Python examples still give
// the built-ins' records byte for byte, in fewer messages than decisions;
// some batches are cut short (a task finished at the burst's instant) and
// their tails discarded, which p2c survives by rolling its random stream
// back.
func TestBatchingKeepsResults(t *testing.T) {
	py := python(t)
	examples, _ := filepath.Abs(filepath.Join("..", "..", "python", "examples"))
	sc := burstScenario(t)
	for _, c := range []struct{ builtin, script string }{
		{"round-robin", "round_robin.py"},
		{"least-connections", "least_loaded.py"},
		{"p2c", "p2c.py"},
	} {
		t.Run(c.builtin, func(t *testing.T) {
			src, closer, err := sc.Source(sc.Seed)
			if err != nil {
				t.Fatal(err)
			}
			defer closer.Close()
			stream := "strategy/" + c.builtin
			b, _ := strategies.New(c.builtin, nil, sim.NewRand(sc.Seed, stream))
			want := runEngine(t, sc, src, b)

			src2, closer2, err := sc.Source(sc.Seed)
			if err != nil {
				t.Fatal(err)
			}
			defer closer2.Close()
			st, x, err := external.Start(external.Config{Command: []string{py, filepath.Join(examples, c.script)}},
				external.Spec{Nodes: sc.Nodes(), Seed: sc.Seed, Stream: stream})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			if x.Batch() != 1024 {
				t.Fatalf("batch %d, want the example's 1024", x.Batch())
			}
			look := external.NewLookahead(src2, x.Batch())
			x.UseLookahead(look)
			got := runEngine(t, sc, look, st)
			if err := x.Err(); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("records differ from the built-in's")
			}
			s := x.Stats()
			t.Logf("%+v", s)
			if s.Decisions != 3000 {
				t.Errorf("%d decisions, want 3000", s.Decisions)
			}
			// 375 bursts of 8: at least one message each, and a cut
			// burst costs one more.
			if s.Messages < 375 || s.Messages > 1500 {
				t.Errorf("%d messages for 375 bursts of 8", s.Messages)
			}
			if s.Discarded == 0 {
				t.Error("no batch was cut: the test does not exercise discarding")
			}
		})
	}
}

// TestLookahead: the lookahead returns the source's tasks unchanged and in
// order, shows those arriving at the same instant, and keeps its buffer to
// the tasks read ahead (at most max + 1) however long the stream.
func TestLookahead(t *testing.T) {
	l := external.NewLookahead(&bursts{burst: 5}, 16)
	var task sim.Task
	for k := 0; k < 100000; k++ {
		if err := l.Next(&task); err != nil {
			t.Fatal(err)
		}
		if task.ID != int64(k) {
			t.Fatalf("task %d, want %d", task.ID, k)
		}
		// Tasks 5m..5m+4 arrive together: after task k, 4 - k%5 more.
		if got := len(l.Same(task.Arrival)); got != 4-k%5 {
			t.Fatalf("after task %d: %d tasks at the same instant, want %d", k, got, 4-k%5)
		}
	}
	if n := l.Buffered(); n > 64+17 {
		t.Errorf("%d tasks buffered after 100000", n)
	}
}
