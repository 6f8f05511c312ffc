package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExternalEntryErrors: a bad external entry is refused at load with
// the file, line, field and what was expected; a good one keeps its
// fields and is labelled with its name.
func TestExternalEntryErrors(t *testing.T) {
	head := "name: x\nstop: {tasks: 10}\ncluster: {queueing: node, nodes: [{group: n, count: 2}]}\n" +
		"workload: {arrivals: {process: poisson, rate: 1}, service: {dist: exponential, mean: 1s}}\nstrategies:\n"
	for _, c := range []struct{ entry, want string }{
		{"  - external: {name: a}\n", ":6:15: strategies[0].external: command: expected the program to start"},
		{"  - external: {command: [], name: a}\n", ":6:25: strategies[0].external.command: expected the program to start"},
		{"  - external: {command: [python3, 4], name: a}\n", "strategies[0].external.command: element 1: expected a non-empty string, got 4"},
		{"  - external: {command: [x], colour: red}\n", "strategies[0].external.colour: unknown field (allowed: command, name, timeout, params)"},
		{"  - external: {command: [x], timeout: -1s}\n", "strategies[0].external.timeout: expected a duration in (0, 1h]"},
		{"  - external: {command: [x], params: 3}\n", "strategies[0].external.params: expected a mapping of parameters, got 3"},
		{"  - {external: {command: [x]}, d: 2}\n", "strategies[0].d: unknown field (allowed: external, queue, backfill)"},
		{"  - external: [x]\n", "strategies[0].external: expected a mapping like {command: [python3, my.py], name: mine}"},
	} {
		p := filepath.Join(t.TempDir(), "s.yaml")
		os.WriteFile(p, []byte(head+c.entry), 0o644)
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), p) {
			t.Errorf("%q: got %v, want %s:...%s", c.entry, err, p, c.want)
		}
	}
	p := filepath.Join(t.TempDir(), "s.yaml")
	os.WriteFile(p, []byte(head+"  - external: {command: [python3, my.py], timeout: 3s, params: {k: 2}}\n  - round-robin\n"), 0o644)
	sc, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Strategies[0].String(); got != "my" {
		t.Errorf("label %q, want my (from my.py)", got)
	}
}
