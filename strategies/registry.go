package strategies

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/fleetsim/fleetsim/sim"
)

// Args are a strategy's parameters as the scenario file gives them: YAML
// scalars decoded to int, float64, string, bool or sim.Time values.
type Args map[string]any

// Param documents one parameter of a strategy.
type Param struct {
	Name    string // as written in the scenario file
	Type    string // "int", "float", "bool", "string", "duration"
	Default string // printed default
	Doc     string // one line
}

// Factory builds a fresh strategy for one run. rng is the strategy's own
// random stream, derived from (seed, "strategy/"+name); it is never nil in
// a run (validation may pass a throwaway one).
type Factory func(args Args, rng *sim.Rand) (sim.Strategy, error)

// Info is a registry entry.
type Info struct {
	Name        string
	Description string // one line
	Params      []Param
	New         Factory
	// Kind says where the strategy applies; zero means Balancer.
	Kind Kind
}

// Kind says which part of the distribution problem a strategy solves. A
// strategy may have several (random balances requests and places jobs).
type Kind uint8

// Kinds of strategy.
const (
	// Balancer sends each arriving task to a node that queues its own work
	// (cluster.queueing: node); it implements sim.Picker or sim.Scorer.
	Balancer Kind = 1 << iota
	// Placement chooses node and GPUs for the head of a central pending
	// queue (cluster.queueing: central); it implements sim.Placer or
	// sim.Scorer.
	Placement
	// QueuePolicy orders a central pending queue; it implements
	// sim.QueueSorter.
	QueuePolicy
)

// Of returns the kinds of info, Balancer when none is set.
func (info Info) Of() Kind {
	if info.Kind == 0 {
		return Balancer
	}
	return info.Kind
}

// String lists the kinds, e.g. "balancer, placement".
func (k Kind) String() string {
	var names []string
	for _, n := range []struct {
		k    Kind
		name string
	}{{Balancer, "balancer"}, {Placement, "placement"}, {QueuePolicy, "queue policy"}} {
		if k&n.k != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ", ")
}

// ParamError is returned by factories for a bad parameter, so the scenario
// loader can point at the line that set it.
type ParamError struct {
	Strategy string
	Param    string
	Msg      string // what was expected
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("strategy %s: parameter %s: %s", e.Strategy, e.Param, e.Msg)
}

var (
	mu       sync.RWMutex
	registry = map[string]Info{}
)

// Register adds a strategy. Registering a name twice is an error, so an
// out-of-tree strategy cannot silently replace a built-in one.
func Register(info Info) error {
	if info.Name == "" || info.New == nil {
		return fmt.Errorf("strategies: Register needs a name and a factory")
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[info.Name]; dup {
		return fmt.Errorf("strategies: %q is already registered", info.Name)
	}
	registry[info.Name] = info
	return nil
}

// MustRegister is Register for init functions: it panics on a duplicate.
func MustRegister(info Info) {
	if err := Register(info); err != nil {
		panic(err)
	}
}

// Lookup returns the entry for name.
func Lookup(name string) (Info, bool) {
	mu.RLock()
	defer mu.RUnlock()
	info, ok := registry[name]
	return info, ok
}

// Names returns every registered name, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New builds the strategy called name with args. Unknown names and unknown
// parameters are errors that list what is allowed.
func New(name string, args Args, rng *sim.Rand) (sim.Strategy, error) {
	info, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown strategy %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	for k := range args {
		if !info.hasParam(k) {
			return nil, &ParamError{Strategy: name, Param: k, Msg: "unknown parameter (allowed: " + info.paramList() + ")"}
		}
	}
	if rng == nil {
		rng = sim.NewRand(0, "strategy/"+name)
	}
	return info.New(args, rng)
}

func (info Info) hasParam(k string) bool {
	for _, p := range info.Params {
		if p.Name == k {
			return true
		}
	}
	return false
}

func (info Info) paramList() string {
	if len(info.Params) == 0 {
		return "none"
	}
	names := make([]string, len(info.Params))
	for i, p := range info.Params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// Int reads an integer parameter with a default, checking [min, max].
func (a Args) Int(strategy, name string, def, min, max int) (int, error) {
	v, ok := a[name]
	if !ok {
		return def, nil
	}
	f, ok := number(v)
	if !ok || f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) || f < math.MinInt64 || f > math.MaxInt64 {
		return 0, &ParamError{strategy, name, fmt.Sprintf("expected an integer in [%d, %d], got %v", min, max, v)}
	}
	n := int(f)
	if i, isInt := v.(int); isInt {
		n = i // exact beyond 2^53
	}
	if n < min || n > max {
		return 0, &ParamError{strategy, name, fmt.Sprintf("expected an integer in [%d, %d], got %d", min, max, n)}
	}
	return n, nil
}

// Float reads a finite float parameter with a default, checking [min, max].
func (a Args) Float(strategy, name string, def, min, max float64) (float64, error) {
	v, ok := a[name]
	if !ok {
		return def, nil
	}
	f, ok := number(v)
	if !ok {
		return 0, &ParamError{strategy, name, fmt.Sprintf("expected a number in [%g, %g], got %v", min, max, v)}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < min || f > max {
		return 0, &ParamError{strategy, name, fmt.Sprintf("expected a number in [%g, %g], got %v", min, max, v)}
	}
	return f, nil
}

// Bool reads a boolean parameter with a default.
func (a Args) Bool(strategy, name string, def bool) (bool, error) {
	v, ok := a[name]
	if !ok {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, &ParamError{strategy, name, fmt.Sprintf("expected true or false, got %v", v)}
	}
	return b, nil
}

// Duration reads a duration parameter with a default, checking [min, max].
// The scenario loader decodes parameters documented as "duration" to
// sim.Time values ("10s", "250ms"); a plain int or float64 is a number of
// seconds (rounded to the nanosecond), for callers that build Args in Go.
func (a Args) Duration(strategy, name string, def, min, max sim.Time) (sim.Time, error) {
	v, ok := a[name]
	if !ok {
		return def, nil
	}
	var d sim.Time
	switch x := v.(type) {
	case sim.Time:
		d = x
	default:
		f, isNum := number(v)
		if !isNum || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > float64(sim.MaxTime/sim.Second) {
			return 0, &ParamError{strategy, name, fmt.Sprintf("expected a duration in [%v, %v], got %v", min, max, v)}
		}
		d = sim.FromSeconds(f)
	}
	if d < min || d > max {
		return 0, &ParamError{strategy, name, fmt.Sprintf("expected a duration in [%v, %v], got %v", min, max, d)}
	}
	return d, nil
}

// choice reads a string parameter that must be one of allowed, with a
// default.
func (a Args) choice(strategy, name, def string, allowed ...string) (string, error) {
	v, ok := a[name]
	if !ok {
		return def, nil
	}
	if s, isStr := v.(string); isStr {
		for _, x := range allowed {
			if s == x {
				return s, nil
			}
		}
	}
	return "", &ParamError{strategy, name, fmt.Sprintf("expected one of %s; got %v", strings.Join(allowed, ", "), v)}
}

// FloatList reads a list of non-negative finite numbers (e.g. weights).
func (a Args) FloatList(strategy, name string) ([]float64, error) {
	v, ok := a[name]
	if !ok {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, &ParamError{strategy, name, fmt.Sprintf("expected a list of numbers, got %v", v)}
	}
	out := make([]float64, len(list))
	for i, x := range list {
		f, ok := number(x)
		if !ok {
			return nil, &ParamError{strategy, name, fmt.Sprintf("element %d: expected a number, got %v", i, x)}
		}
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return nil, &ParamError{strategy, name, fmt.Sprintf("element %d: expected a finite number >= 0, got %v", i, x)}
		}
		out[i] = f
	}
	return out, nil
}

// number converts the numeric types YAML decoding yields to float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
