package traces_test

import (
	"math"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// TestDiurnalFollowsItsRate: arrivals of the thinned process counted in
// 10 s bins over ten periods match ∫λ(t)dt of each bin. Counts are
// Poisson, so each bin is checked within 5 standard deviations (√mean)
// and the total within 4 (a false alarm well below 1e-4 per run).
func TestDiurnalFollowsItsRate(t *testing.T) {
	d := &traces.Diurnal{Rate: 50, Amplitude: 0.5, Period: 100 * sim.Second, Peak: 25 * sim.Second,
		Bursts: []traces.Burst{{At: 560 * sim.Second, For: 10 * sim.Second, Factor: 3}}}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	g := traces.NewGenerator(d, traces.Constant{Value: sim.Millisecond}, 3)
	const bins, width = 100, 10 * sim.Second
	var count [bins]float64
	var task sim.Task
	for {
		if err := g.Next(&task); err != nil {
			t.Fatal(err)
		}
		k := int(task.Arrival / width)
		if k >= bins {
			break
		}
		count[k]++
	}
	var total, want float64
	for k := 0; k < bins; k++ {
		// ∫λ over the bin by the midpoint rule on 1000 steps (exact to
		// far below the Poisson noise).
		var mean float64
		for j := 0; j < 1000; j++ {
			at := sim.Time(k)*width + width/2000 + sim.Time(j)*width/1000
			mean += d.RateAt(at) * width.Seconds() / 1000
		}
		if dev := math.Abs(count[k] - mean); dev > 5*math.Sqrt(mean) {
			t.Errorf("bin %d: %v arrivals, want %.1f ± %.1f", k, count[k], mean, 5*math.Sqrt(mean))
		}
		total += count[k]
		want += mean
	}
	if math.Abs(total-want) > 4*math.Sqrt(want) {
		t.Errorf("%v arrivals, want %.0f", total, want)
	}
	// The burst bin holds three times the bin without it one period
	// earlier (same phase), within the noise.
	if r := count[56] / count[46]; r < 2.4 || r > 3.7 {
		t.Errorf("burst ratio %v, want about 3", r)
	}
}

func TestDiurnalValidate(t *testing.T) {
	for _, d := range []*traces.Diurnal{
		{Rate: 0, Period: sim.Second},
		{Rate: 1, Amplitude: 1.5, Period: sim.Second},
		{Rate: 1, Period: 0},
		{Rate: 1, Period: sim.Second, Bursts: []traces.Burst{{At: 0, For: sim.Second, Factor: 0}}},
	} {
		if d.Validate() == nil {
			t.Errorf("%+v validated", d)
		}
	}
}
