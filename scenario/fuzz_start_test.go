package scenario

import (
	"errors"
	"testing"
)

// fuzzMaxNodes keeps fuzzed runs small: a scenario within the loader's
// bounds may still ask for a million nodes, which is legal but slow to
// build hundreds of times a second.
const fuzzMaxNodes = 2000

// startSteps starts every strategy of s and runs a few steps of each: no
// input the loader accepts may make the engine panic.
func startSteps(t *testing.T, s *Scenario) {
	t.Helper()
	if s.NodeCount() > fuzzMaxNodes {
		return
	}
	for _, spec := range s.Strategies {
		run, closer, err := s.Start(spec, s.Seed, RunOptions{})
		if err != nil {
			continue // a refusal is an answer
		}
		for i := 0; i < 4; i++ {
			if done, err := run.Step(256); done || err != nil {
				break
			}
		}
		closer.Close()
	}
}

// hostileSeeds are scenarios of the kinds issue 15 found crashing or
// allocating without bound: huge GPU, slot and node counts.
var hostileSeeds = []string{
	lines(okStop, "cluster:\n  queueing: central\n  nodes:\n    - {group: a, count: 3, gpus: 1000000000}", okWorkload, "strategies: [first-fit]"),
	lines(okStop, "cluster:\n  nodes:\n    - {group: a, count: 2, slots: 2147483648}", okWorkload, okStrats),
	lines(okStop, "cluster:\n  queueing: central\n  nodes:\n    - {group: a, count: 1000000, gpus: 4096}", okWorkload, "strategies: [first-fit]"),
	lines("stop: {tasks: 9223372036854775807}", okCluster, okWorkload, okStrats),
	lines("stop: {time: 2562047h}", okCluster, okWorkload, okStrats),
}

// FuzzStart parses a scenario and, when it loads, starts every strategy
// and steps the engine: the loader's checks must catch whatever would
// make the engine panic or allocate without bound.
func FuzzStart(f *testing.F) {
	for _, name := range Embedded() {
		data, err := embedded.ReadFile("scenarios/" + name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(valid))
	for _, s := range hostileSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data, "testdata")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			return
		}
		startSteps(t, s)
	})
}

// FuzzSet applies one --set to a valid scenario: any path and value give
// an *Error or a scenario the engine runs.
func FuzzSet(f *testing.F) {
	for _, c := range []struct{ path, value string }{
		{"cluster.nodes[0].count", "4"},
		{"cluster.nodes[0].gpus", "1000000000"},
		{"cluster.nodes[0].slots", "2147483648"},
		{"cluster.nodes[0].count", "1000001"},
		{"seed", "18446744073709551615"},
		{"stop.tasks", "-1"},
		{"workload.arrivals.rate", "1e308"},
		{"cluster.nodes[9].count", "1"},
		{"strategies[0]", "p2c"},
	} {
		f.Add(c.path, c.value)
	}
	f.Fuzz(func(t *testing.T, path, value string) {
		s, err := ParseWith("fuzz.yaml", []byte(valid), "testdata", []Set{{Path: path, Value: value}})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			return
		}
		startSteps(t, s)
	})
}
