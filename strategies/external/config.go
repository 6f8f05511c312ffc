package external

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
)

// Protocol is the version of the decision protocol this build speaks. A
// strategy must answer the hello with the same number.
const Protocol = 1

// DefaultTimeout bounds the wait for each answer (hello included) when the
// configuration sets none.
const DefaultTimeout = 10 * time.Second

// Config is one external strategy: the command to start and how to talk to it.
type Config struct {
	// Command is the program and its arguments, e.g. [python3, my.py].
	Command []string
	// Name labels the strategy in results and error messages; empty: the
	// base name of the command's last argument without its extension.
	Name string
	// Dir is the working directory of the process (empty: fleetsim's).
	Dir string
	// Timeout bounds the wait for each answer; 0: DefaultTimeout.
	Timeout time.Duration
	// Params are passed to the strategy in the hello, as JSON.
	Params map[string]any
}

// Label is the name results carry: Name, or one derived from the command.
func (c *Config) Label() string {
	if c.Name != "" {
		return c.Name
	}
	if len(c.Command) == 0 {
		return "external"
	}
	base := filepath.Base(c.Command[len(c.Command)-1])
	if ext := filepath.Ext(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

// ArgError is a bad field of an external strategy's configuration.
type ArgError struct {
	Field string // "command", "name", "timeout", "params"
	Msg   string // what was expected
}

func (e *ArgError) Error() string { return fmt.Sprintf("external.%s: %s", e.Field, e.Msg) }

// Fields are the keys an external entry accepts.
var Fields = []string{"command", "name", "timeout", "params"}

// FromArgs reads a Config from a scenario entry's decoded values: command
// (a non-empty list of strings, or one string split at spaces), name
// (string), timeout (sim.Time or seconds) and params (a mapping).
func FromArgs(args map[string]any) (Config, error) {
	var c Config
	for k := range args {
		known := false
		for _, f := range Fields {
			known = known || f == k
		}
		if !known {
			return c, &ArgError{k, "unknown field (allowed: " + strings.Join(Fields, ", ") + ")"}
		}
	}
	switch cmd := args["command"].(type) {
	case []any:
		for i, x := range cmd {
			s, ok := x.(string)
			if !ok || s == "" {
				return c, &ArgError{"command", fmt.Sprintf("element %d: expected a non-empty string, got %v", i, x)}
			}
			c.Command = append(c.Command, s)
		}
	case []string:
		c.Command = append(c.Command, cmd...)
	case string:
		c.Command = strings.Fields(cmd)
	case nil:
	default:
		return c, &ArgError{"command", fmt.Sprintf("expected a list like [python3, my.py], got %v", cmd)}
	}
	if len(c.Command) == 0 {
		return c, &ArgError{"command", "expected the program to start and its arguments, like [python3, my.py]"}
	}
	if v, ok := args["name"]; ok {
		s, isStr := v.(string)
		if !isStr || s == "" || strings.ContainsAny(s, ",\n") {
			return c, &ArgError{"name", fmt.Sprintf("expected a non-empty name without commas, got %v", v)}
		}
		c.Name = s
	}
	if v, ok := args["timeout"]; ok {
		var d time.Duration
		switch x := v.(type) {
		case sim.Time:
			d = time.Duration(x)
		case int:
			d = time.Duration(x) * time.Second
		case float64:
			d = time.Duration(x * float64(time.Second))
		default:
			return c, &ArgError{"timeout", fmt.Sprintf("expected a duration like 5s, got %v", v)}
		}
		if d <= 0 || d > time.Hour {
			return c, &ArgError{"timeout", fmt.Sprintf("expected a duration in (0, 1h], got %v", d)}
		}
		c.Timeout = d
	}
	if v, ok := args["params"]; ok && v != nil {
		m, isMap := v.(map[string]any)
		if !isMap {
			return c, &ArgError{"params", fmt.Sprintf("expected a mapping of parameters, got %v", v)}
		}
		c.Params = m
	}
	return c, nil
}
