package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
)

// FuzzShard: any --shard text is refused or gives 0 <= i < n, and a
// sweep's size check never lets more than maxRuns runs or maxSweepPoints
// points through, whatever the values and seeds.
func FuzzShard(f *testing.F) {
	for _, s := range []string{"0/4", "3/4", "4/4", "-1/2", "0/0", "0/9223372036854775807", "9223372036854775806/9223372036854775807", "1/", "/", ""} {
		f.Add(s, 3, 3, 1)
	}
	f.Add("0/1", 1000, 1000, 1000000000)
	f.Fuzz(func(t *testing.T, s string, values1, values2, seeds int) {
		sh, err := parseShard(s)
		if err != nil {
			return
		}
		if sh.n < 1 || sh.i < 0 || sh.i >= sh.n {
			t.Fatalf("parseShard(%q) = %+v: not 0 <= i < n", s, sh)
		}
		if values1 < 0 || values2 < 0 || values1 > 1<<20 || values2 > 1<<20 {
			return // (value lists are made below)
		}
		params := []sweepParam{{Path: "a", Values: make([]string, values1)}, {Path: "b", Values: make([]string, values2)}}
		if checkSweepSize(params, seeds, sh) != nil {
			return
		}
		if pts := values1 * values2; pts > maxSweepPoints || pts*seeds > maxRuns || sh.n > maxRuns || seeds < 1 || seeds > maxSeeds {
			t.Fatalf("checkSweepSize let %d × %d points × %d seeds, shard %s through", values1, values2, seeds, s)
		}
	})
}

// FuzzNumericFlags: the numeric flags of run and compare (--seeds,
// --sample-every, and the runs they make) are refused or bounded: an
// accepted combination has its seeds within maxSeeds, its runs' estimate
// within the memory budget and a sampling whose series is bounded.
func FuzzNumericFlags(f *testing.F) {
	for _, c := range []struct {
		seeds int
		every string
	}{{1, "auto"}, {9223372036854775807 >> 1, "1s"}, {1000000000, "auto"}, {100000, "1ns"}, {3, "1ns"}, {1, "-1s"}, {1, "1e-300"}, {1, "2562047h"}} {
		f.Add(c.seeds, c.every, 11)
	}
	sc, err := scenario.Resolve("default")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, seeds int, every string, strategies int) {
		of := outputFlags{seeds: seeds, sampleEvery: every, out: "x"}
		if of.check() != nil {
			return
		}
		if seeds < 1 || seeds > maxSeeds {
			t.Fatalf("--seeds %d accepted", seeds)
		}
		if strategies < 1 || strategies > 64 {
			return
		}
		runs := seeds * strategies
		if checkRuns(sc, runs, "x") != nil {
			return
		}
		if est := int64(runs) * bytesPerResult; est > sim.MemoryBudget {
			t.Fatalf("%d runs accepted, about %d bytes", runs, est)
		}
		s := of.sampling(sc)
		if boundSampling(sc, &s, runs) != nil {
			return
		}
		if s.Every > 0 && s.Max <= 0 {
			t.Fatalf("--sample-every %q: accepted with no bound on the samples (%+v)", every, s)
		}
	})
}

// FuzzMerge: any sweep.json and sweep.csv of a shard folder give an error
// or a merged sweep with exactly the manifest's runs, each once, in
// order. fix puts sweep.csv's true hash into the manifest (as a sweep
// writes it), so the fuzzer gets past the hash check.
func FuzzMerge(f *testing.F) {
	good := `{"fleetsim":"dev","scenario":"s","stop":"10 tasks","warmup":"none","params":[{"path":"seed","values":["1","2"]}],"strategies":["random"],"seeds":[1],"points":2,"runs":2}`
	rows := "run,point,seed,strategy,seed,latency_s.mean\n0,0,1,random,1,0.5\n1,1,2,random,1,0.25\n"
	f.Add([]byte(good), []byte(rows), true)
	f.Add([]byte(good), []byte(rows), false)
	f.Add([]byte(`{"runs":9223372036854775807,"shard":"0/1"}`), []byte("run\n0\n"), true)
	f.Add([]byte(`{"runs":1,"shard":"0/1000000000"}`), []byte("run\n0\n"), true)
	f.Add([]byte(`{"runs":-1}`), []byte("run\n-1\n"), true)
	f.Add([]byte(`{"runs":2}`), []byte("run\n1\n1\n"), true)
	f.Fuzz(func(t *testing.T, manifestJSON, csvText []byte, fix bool) {
		dir := t.TempDir()
		if fix {
			var m map[string]any
			if json.Unmarshal(manifestJSON, &m) == nil && m != nil {
				sum := sha256.Sum256(csvText)
				m["sha256"] = hex.EncodeToString(sum[:])
				manifestJSON, _ = json.Marshal(m)
			}
		}
		os.WriteFile(filepath.Join(dir, sweepManifest), manifestJSON, 0o644)
		os.WriteFile(filepath.Join(dir, sweepFile), csvText, 0o644)
		whole, _, sorted, err := mergeShards([]string{dir})
		if err != nil {
			return
		}
		if len(sorted) != whole.Runs {
			t.Fatalf("merged %d rows for a sweep of %d runs", len(sorted), whole.Runs)
		}
		for i, r := range sorted {
			if r[0] != strconv.Itoa(i) {
				t.Fatalf("row %d is run %q", i, r[0])
			}
		}
	})
}
