package scenario

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

const kthLog = "../../shared/traces/swf/KTH-SP2-1996-2.1-cln.swf"

// kthRecorded is the log's own mean wait and mean bounded slowdown
// (threshold 10 s) over the jobs with a run time, as recorded under the
// machine's EASY scheduler.
func kthRecorded(t *testing.T) (jobs int, wait, bsld float64) {
	f, err := os.Open(kthLog)
	if err != nil {
		t.Skipf("the KTH SP2 log is not here: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 18 || strings.HasPrefix(fs[0], ";") {
			continue
		}
		w, _ := strconv.ParseFloat(fs[2], 64)
		r, _ := strconv.ParseFloat(fs[3], 64)
		if r < 0 || w < 0 {
			continue
		}
		jobs++
		wait += w
		bsld += max(1, (w+r)/max(r, 10))
	}
	return jobs, wait / float64(jobs), bsld / float64(jobs)
}

// kthRun replays the log under EASY backfilling on the users' requested
// times, first-fit, as gangs on 100 one-processor nodes or as one
// 100-processor pool, and returns its result.
func kthRun(t *testing.T, gangs bool) sim.Result {
	src, c, err := traces.Open(kthLog, "swf")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var nodes []sim.NodeSpec
	if gangs {
		src = traces.Gangs(src, 1)
		for i := 0; i < 100; i++ {
			nodes = append(nodes, sim.NodeSpec{Name: "sp2-" + strconv.Itoa(i), Slots: 1, Speed: 1, CPU: 1000, Memory: 1 << 40})
		}
	} else {
		nodes = []sim.NodeSpec{{Name: "sp2", Slots: 1, Speed: 1, CPU: 100_000, Memory: 1 << 40}}
	}
	s, err := strategies.New("first-fit", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := sim.NewScheduler(sim.Config{Nodes: nodes, Central: sim.Central{Backfill: sim.EASY}}, src, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	return e.Result()
}

// TestKTHGangs replays the KTH SP2 log (recorded under EASY on 100 nodes)
// as gangs under EASY with the users' requested times as estimates, beside
// the single-pool model, and logs both against the log's own mean wait and
// bounded slowdown (docs/workflows.md quotes them). It checks that every
// job completes in both models (no job asks for more than 100 nodes).
func TestKTHGangs(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 28,000 jobs")
	}
	n, wait, bsld := kthRecorded(t)
	t.Logf("log (EASY on the SP2):  %d jobs, mean wait %.0f s, mean bounded slowdown %.1f", n, wait, bsld)
	for _, gangs := range []bool{true, false} {
		r := kthRun(t, gangs)
		model := "gangs on 100 nodes"
		if !gangs {
			model = "one 100-cpu pool"
		}
		if r.Tasks.Completed != r.Tasks.Arrived || r.Tasks.Arrived == 0 {
			t.Errorf("%s: %+v", model, r.Tasks)
		}
		t.Logf("simulated, %s: %d jobs, mean wait %.0f s, mean bounded slowdown %.1f", model, r.Tasks.Completed, r.Wait.Mean, r.Placement.BoundedSlowdown.Mean)
	}
}
