package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// The request columns sum counts over a run's Services, take the worst
// Service's latency and SLO attainment (a dash when no Service has a
// target), and the worst window's p99: worked out for two Services.
func TestRequestColumns(t *testing.T) {
	slo := 0.9
	r := sim.Result{Strategy: "kube-default(least-allocated)/p2c", Kubernetes: &kube.Summary{Services: map[string]kube.ServiceSummary{
		"api": {Requests: 100, Served: 90, Failed: 10, LatencyS: kube.RequestLatency{P50: 0.1, P99: 0.5}, SLOAttainment: &slo,
			Windows: []kube.RequestWindow{{Kind: "fault", Failed: 7, LatencyS: kube.RequestLatency{P99: 0.8}}, {Kind: "rollout", Failed: 1, LatencyS: kube.RequestLatency{P99: 0.6}}}},
		"web": {Requests: 300, Served: 300, LatencyS: kube.RequestLatency{P50: 0.2, P99: 0.3},
			Windows: []kube.RequestWindow{{Kind: "fault", Failed: 2, LatencyS: kube.RequestLatency{P99: 0.9}}}},
	}}}
	var b bytes.Buffer
	if err := WriteComparison(&b, []sim.Result{r}, FormatCSV); err != nil {
		t.Fatal(err)
	}
	want := "strategy,requests,failed,availability,p50 (s),p99 (s),SLO met,failed in faults,p99 in faults (s),failed in rollouts,p99 in rollouts (s)\n" +
		"kube-default(least-allocated)/p2c,400,10,97.50%,0.2000,0.5000,90.00%,9,0.9000,1,0.6000\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	r.Kubernetes.Services["api"] = kube.ServiceSummary{Requests: 1, Served: 1}
	b.Reset()
	if err := WriteComparison(&b, []sim.Result{r}, FormatCSV); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), ",–,") {
		t.Fatalf("no SLO should print a dash: %s", b.String())
	}
}
