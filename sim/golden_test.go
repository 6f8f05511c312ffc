package sim_test

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// sliceSource replays a fixed list of tasks.
type sliceSource struct {
	tasks []sim.Task
	i     int
}

func (s *sliceSource) Next(t *sim.Task) error {
	if s.i >= len(s.tasks) {
		return io.EOF
	}
	*t = s.tasks[s.i]
	s.i++
	return nil
}

// golden is one hand-worked schedule from testdata/golden.
type golden struct {
	nodes    []sim.NodeSpec
	strategy string
	warmup   int64
	tasks    []sim.Task
	records  []string
	summary  map[string]float64
}

func parseGolden(t *testing.T, path string) golden {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := golden{summary: map[string]float64{}}
	section := ""
	sc := bufio.NewScanner(f)
	line := 0
	fail := func(format string, a ...any) {
		t.Fatalf("%s:%d: %s", path, line, fmt.Sprintf(format, a...))
	}
	secs := func(s string) sim.Time {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			fail("bad number %q", s)
		}
		return sim.FromSeconds(v)
	}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		switch fields[0] {
		case "nodes", "tasks", "----", "summary":
			section = fields[0]
			continue
		case "strategy":
			g.strategy = fields[1]
			continue
		case "warmup":
			g.warmup, _ = strconv.ParseInt(fields[1], 10, 64)
			continue
		}
		switch section {
		case "nodes":
			n := sim.NodeSpec{Name: fields[0], Slots: 1, Speed: 1}
			for _, kv := range fields[1:] {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "slots":
					n.Slots, _ = strconv.Atoi(v)
				case "speed":
					n.Speed, _ = strconv.ParseFloat(v, 64)
				default:
					fail("unknown node key %q", k)
				}
			}
			g.nodes = append(g.nodes, n)
		case "tasks":
			id, _ := strconv.ParseInt(fields[0], 10, 64)
			g.tasks = append(g.tasks, sim.Task{ID: id, Arrival: secs(fields[1]), Work: secs(fields[2])})
		case "----":
			g.records = append(g.records, strings.Join(fields, " "))
		case "summary":
			v, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				fail("bad summary value %q", fields[1])
			}
			g.summary[fields[0]] = v
		default:
			fail("line outside a section")
		}
	}
	return g
}

func fmtSec(t sim.Time) string { return strconv.FormatFloat(t.Seconds(), 'f', -1, 64) }

// TestGoldenSchedules replays each hand-worked schedule of testdata/golden
// and checks every task's node, start and finish, and the summary figures,
// against the arithmetic written in the file's comments.
func TestGoldenSchedules(t *testing.T) {
	files, _ := filepath.Glob("../testdata/golden/*.txt")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			g := parseGolden(t, path)
			st, err := strategies.New(g.strategy, nil, sim.NewRand(1, "strategy/"+g.strategy))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			cfg := sim.Config{Nodes: g.nodes, WarmupTasks: g.warmup, OnRecord: func(r *sim.Record) {
				node := "-"
				if r.Node >= 0 {
					node = g.nodes[r.Node].Name
				}
				s := fmt.Sprintf("%d %s %s %s %s", r.Task.ID, node, fmtSec(r.Start), fmtSec(r.Finish), r.Status)
				if r.Warmup {
					s += " warmup"
				}
				got = append(got, s)
			}}
			e, err := sim.NewEngine(cfg, &sliceSource{tasks: g.tasks}, st)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Run(); err != nil {
				t.Fatal(err)
			}
			sort.Slice(got, func(i, j int) bool {
				a, _ := strconv.Atoi(strings.Fields(got[i])[0])
				b, _ := strconv.Atoi(strings.Fields(got[j])[0])
				return a < b
			})
			if strings.Join(got, "\n") != strings.Join(g.records, "\n") {
				t.Errorf("schedule differs from the hand-worked one\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(g.records, "\n"))
			}
			r := e.Result()
			figures := map[string]float64{
				"completed":      float64(r.Tasks.Completed),
				"latency_mean":   r.Latency.Mean,
				"latency_max":    r.Latency.Max,
				"wait_mean":      r.Wait.Mean,
				"makespan":       r.MakespanS,
				"utilization":    r.Utilization,
				"throughput":     r.ThroughputPerS,
				"mean_in_system": r.MeanInSystem,
				"imbalance_cov":  r.ImbalanceCoV,
			}
			// The files give figures to 6 decimals; times are exact to the ns.
			const tol = 5e-7
			for k, want := range g.summary {
				v, ok := figures[k]
				if !ok {
					t.Fatalf("unknown summary key %q", k)
				}
				if math.Abs(v-want) > tol {
					t.Errorf("%s = %.9g, hand-worked %.9g", k, v, want)
				}
			}
		})
	}
}
