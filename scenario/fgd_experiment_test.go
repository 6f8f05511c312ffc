package scenario

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// fgdScenario is the FGD paper's inflation experiment on the shared openb
// trace (testdata/scenarios/fgd-openb.yaml).
const fgdScenario = "../testdata/scenarios/fgd-openb.yaml"

// TestFGDPaperResult reproduces the published result of Weng et al.,
// "Beware of Fragmentation", USENIX ATC '23, Fig. 9(a), from the trace
// itself: the openb default pod list on the 1,213-node, 6,212-GPU node
// list, pods arriving with no departures until the arrived GPU request is
// 130 % of capacity, mean GPU allocation ratio over seeds 42..51 (the
// artifact's seeds). The artifact's means (experiments/analysis/
// expected_results/analysis_allo_discrete.csv) are the reference; the issue
// sets the band at 1.5 percentage points and requires the same ordering.
func TestFGDPaperResult(t *testing.T) {
	if _, err := os.Stat("../../shared/traces/alibaba-gpu-2023/openb_pod_list_default.csv"); errors.Is(err, os.ErrNotExist) {
		t.Skip("the openb trace is not in ../shared/traces/alibaba-gpu-2023 (it lives beside the checkout, not in it)")
	}
	sc, err := Load(fgdScenario)
	if err != nil {
		t.Fatal(err)
	}
	paper := map[string]float64{"random": 87.47, "dot-product": 90.85, "gpu-clustering": 91.88,
		"gpu-packing": 92.00, "best-fit": 93.08, "fgd": 95.39}
	const band = 1.5
	seeds := []uint64{42, 43, 44, 45, 46, 47, 48, 49, 50, 51}

	type run struct{ strat, seed int }
	ratio := make([][]float64, len(sc.Strategies))
	for i := range ratio {
		ratio[i] = make([]float64, len(seeds))
	}
	runs := make(chan run)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range runs {
				v, err := allocAt130(sc, r.strat, seeds[r.seed])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				ratio[r.strat][r.seed] = v
				mu.Unlock()
			}
		}()
	}
	for i := range sc.Strategies {
		for k := range seeds {
			runs <- run{i, k}
		}
	}
	close(runs)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}

	var table strings.Builder
	fmt.Fprintf(&table, "%-15s %9s %9s %7s\n", "strategy", "fleetsim", "paper", "diff")
	prev, prevName := 0.0, ""
	for i, spec := range sc.Strategies {
		mean := 0.0
		for _, v := range ratio[i] {
			mean += v
		}
		mean = 100 * mean / float64(len(seeds))
		want := paper[spec.Name]
		fmt.Fprintf(&table, "%-15s %8.2f%% %8.2f%% %+6.2f\n", spec.Name, mean, want, mean-want)
		if math.Abs(mean-want) > band {
			t.Errorf("%s: GPU allocation ratio at 130 %% arrived %.2f %%, paper %.2f %%: outside ±%.1f pp", spec.Name, mean, want, band)
		}
		if i > 0 && mean <= prev {
			t.Errorf("%s (%.2f %%) should allocate more than %s (%.2f %%), as in the paper", spec.Name, mean, prevName, prev)
		}
		prev, prevName = mean, spec.Name
	}
	t.Logf("GPU allocation ratio at 130 %% arrived, mean of seeds 42..51:\n%s", table.String())
}

// allocAt130 runs strategy i of sc with a seed and returns the GPU
// allocation ratio at the end (arrivals stop at 130 %).
func allocAt130(sc *Scenario, i int, seed uint64) (float64, error) {
	run, closer, err := sc.Start(sc.Strategies[i], seed, RunOptions{})
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	for {
		done, err := run.Step(1 << 20)
		if err != nil {
			return 0, err
		}
		if done {
			break
		}
	}
	return run.Result().Placement.GPUAllocRatio, nil
}

// BenchmarkFGDExperiment is the whole inflation experiment for one strategy
// and one seed, as `fleetsim run` does it: read the node list and the pod
// list, count the target shapes, inflate to 130 % and place every pod.
//
//	GOMAXPROCS=1 go test ./scenario -run '^$' -bench FGDExperiment -benchtime 5x
func BenchmarkFGDExperiment(b *testing.B) {
	if _, err := os.Stat("../../shared/traces/alibaba-gpu-2023/openb_pod_list_default.csv"); errors.Is(err, os.ErrNotExist) {
		b.Skip("the openb trace is not in ../shared/traces/alibaba-gpu-2023")
	}
	for i, spec := range mustLoad(b, fgdScenario).Strategies {
		b.Run(spec.Name, func(b *testing.B) {
			for k := 0; k < b.N; k++ {
				sc := mustLoad(b, fgdScenario) // a fresh scenario: shapes counted anew
				if _, err := allocAt130(sc, i, 42); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func mustLoad(b *testing.B, path string) *Scenario {
	sc, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	return sc
}
