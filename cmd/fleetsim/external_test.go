package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExternalStrategyErrorCLI: a strategy that answers nonsense stops
// compare with exit 2, one line on stderr naming the strategy, the message
// and the problem, and nothing on stdout, although the built-in beside it
// ran well.
func TestExternalStrategyErrorCLI(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	os.WriteFile(p, []byte(`name: bad
seed: 1
stop: {tasks: 100}
cluster:
  queueing: node
  nodes: [{group: n, count: 3}]
workload:
  arrivals: {process: poisson, rate: 2}
  service: {dist: exponential, mean: 1s}
strategies:
  - round-robin
  - external:
      name: liar
      command: [sh, -c, 'read h; echo "{\"type\":\"hello\",\"protocol\":1,\"ops\":[\"pick\"]}"; while read l; do echo "{\"seq\":1,\"node\":7}"; done']
`), 0o644)
	code, out, errs := fleetsim(t, "compare", p)
	if code != exitBadInput {
		t.Errorf("exit %d, want %d", code, exitBadInput)
	}
	if out != "" {
		t.Errorf("partial output on stdout:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) != 1 {
		t.Errorf("stderr has %d lines, want 1:\n%s", len(lines), errs)
	}
	for _, w := range []string{"external strategy liar", "message 1 (pick, task 0", "node 7 is out of range: valid nodes are 0..2"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr %q lacks %q", errs, w)
		}
	}
}

// TestExternalFlag: -s external:CMD runs a command as the strategy, named
// after its last argument; a bad form is refused with exit 2.
func TestExternalFlag(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "first.sh")
	os.WriteFile(script, []byte(`read h
echo '{"type":"hello","protocol":1,"ops":["pick"]}'
n=0
while read l; do n=$((n+1)); echo "{\"seq\":$n,\"node\":0}"; done
`), 0o644)
	sc := filepath.Join(dir, "s.yaml")
	os.WriteFile(sc, []byte(`name: one
stop: {tasks: 50}
cluster:
  queueing: node
  nodes: [{group: n, count: 3}]
workload:
  arrivals: {process: poisson, rate: 2}
  service: {dist: exponential, mean: 1s}
strategies: [random]
`), 0o644)
	code, out, errs := fleetsim(t, "run", sc, "--json", "--per-node", "-s", "external:sh "+script)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// Every task went to node 0, as the script answers.
	for _, w := range []string{`"strategy": "first"`, `"completed": 50`, `"name": "n-0",
      "tasks": 50`} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %s:\n%s", w, out)
		}
	}
	code, _, errs = fleetsim(t, "run", "-s", "external:")
	if code != exitBadInput || !strings.Contains(errs, "external.command") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
