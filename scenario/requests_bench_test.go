package scenario

import (
	"testing"
)

// BenchmarkOrchestration runs the embedded orchestration scenario's first
// entry (spread, round robin) with every controller on and reports the
// requests simulated per second of wall time (issue 19's acceptance:
// at least 1 M on one core: go test ./scenario/ -run '^$' -bench
// Orchestration -cpu 1 -benchtime 3x).
func BenchmarkOrchestration(b *testing.B) {
	s, err := LoadEmbedded("orchestration")
	if err != nil {
		b.Fatal(err)
	}
	var requests int64
	b.ResetTimer()
	for range b.N {
		run, closer, err := s.Start(s.Strategies[0], s.Seed, RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for done := false; !done; {
			if done, err = run.Step(1 << 16); err != nil {
				b.Fatal(err)
			}
		}
		for _, ss := range run.Result().Kubernetes.Services {
			requests += ss.Requests
		}
		closer.Close()
	}
	b.ReportMetric(float64(requests)/b.Elapsed().Seconds(), "requests/s")
}
