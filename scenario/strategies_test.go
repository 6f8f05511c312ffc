package scenario

import (
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
)

// fake is a strategy that does nothing; the loader only builds strategies
// to check their parameters.
type fake string

func (f fake) Name() string { return string(f) }

// builtins are the strategies the embedded scenarios name. Where the real
// ones are not registered in this test binary, fakes stand in so the
// embedded files can still be checked.
var builtins = []string{"random", "round-robin", "weighted-round-robin", "least-connections", "jsq", "p2c"}

func init() {
	strategies.MustRegister(strategies.Info{
		Name:        "test-plain",
		Kind:        strategies.Balancer | strategies.Placement,
		Description: "no parameters",
		New:         func(strategies.Args, *sim.Rand) (sim.Strategy, error) { return fake("test-plain"), nil },
	})
	strategies.MustRegister(strategies.Info{
		Name:        "test-fixed",
		Kind:        strategies.Balancer | strategies.Placement,
		Description: "an integer parameter n in [1, 10]",
		Params:      []strategies.Param{{Name: "n", Type: "int", Default: "1", Doc: "how many"}},
		New: func(a strategies.Args, _ *sim.Rand) (sim.Strategy, error) {
			if _, err := a.Int("test-fixed", "n", 1, 1, 10); err != nil {
				return nil, err
			}
			return fake("test-fixed"), nil
		},
	})
	strategies.MustRegister(strategies.Info{
		Name:        "test-timed",
		Kind:        strategies.Balancer | strategies.Placement,
		Description: "a duration, a float list and a free-form parameter",
		Params: []strategies.Param{
			{Name: "timeout", Type: "duration", Default: "1s", Doc: "how long"},
			{Name: "weights", Type: "float", Default: "", Doc: "weights"},
			{Name: "extra", Type: "string", Default: "", Doc: "anything"},
		},
		New: func(a strategies.Args, _ *sim.Rand) (sim.Strategy, error) {
			if v, ok := a["timeout"]; ok {
				if d, ok := v.(sim.Time); !ok || d <= 0 {
					return nil, &strategies.ParamError{Strategy: "test-timed", Param: "timeout", Msg: "expected a duration > 0"}
				}
			}
			if _, err := a.FloatList("test-timed", "weights"); err != nil {
				return nil, err
			}
			return fake("test-timed"), nil
		},
	})
	strategies.MustRegister(strategies.Info{
		Name:        "test-panic",
		Description: "a constructor that panics",
		New:         func(strategies.Args, *sim.Rand) (sim.Strategy, error) { panic("boom") },
	})
	strategies.MustRegister(strategies.Info{
		Name:        "test-picky",
		Description: "fails on a parameter that is not given, and with a plain error",
		Params:      []strategies.Param{{Name: "mode", Type: "string", Default: "a", Doc: "a or b"}},
		New: func(a strategies.Args, _ *sim.Rand) (sim.Strategy, error) {
			if a["mode"] == "b" {
				return nil, &strategies.ParamError{Strategy: "test-picky", Param: "other", Msg: "expected other to be set with mode b"}
			}
			if a["mode"] == "c" {
				return nil, errPicky
			}
			return fake("test-picky"), nil
		},
	})
	for _, name := range builtins {
		if _, ok := strategies.Lookup(name); !ok {
			strategies.MustRegister(strategies.Info{
				Name:        name,
				Description: "test stand-in",
				New:         func(strategies.Args, *sim.Rand) (sim.Strategy, error) { return fake(name), nil },
			})
		}
	}
}

type pickyError struct{}

func (pickyError) Error() string { return "mode c is not implemented" }

var errPicky error = pickyError{}
