package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/reports"
)

// killCount is how many kill -9 moments each kill test tries: a few in
// make test, FLEETSIM_KILLS (make test-kill: 20) when set.
func killCount(t *testing.T) int {
	if v := os.Getenv("FLEETSIM_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("FLEETSIM_KILLS: expected a count >= 1, got %q", v)
		}
		return n
	}
	return 3
}

// startFleetsim starts the fleetsim process (this test binary as main).
func startFleetsim(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "FLEETSIM_TEST_AS_MAIN=1")
	cmd.Stdout, cmd.Stderr = new(bytes.Buffer), new(bytes.Buffer)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// runFleetsim runs it to the end and fails the test on a non-zero exit;
// it returns how long the run took.
func runFleetsim(t *testing.T, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	cmd := startFleetsim(t, args...)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("fleetsim %s: %v; stderr %s", strings.Join(args, " "), err, cmd.Stderr)
	}
	return time.Since(start)
}

// checkWhole asserts that dir is the complete result of one of the runs
// whose command lines contain one of marks (read from what), never a mix:
// every file is the one its run's manifest records, and nothing else is
// there.
func checkWhole(t *testing.T, dir, what string, marks ...string) {
	t.Helper()
	if err := reports.VerifyOutDir(dir); err != nil {
		t.Fatalf("%s is not one run's complete output: %v", dir, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, what))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range marks {
		if bytes.Contains(data, []byte(m)) {
			return
		}
	}
	t.Fatalf("%s/%s is from none of the runs %q", dir, what, marks)
}

// checkNoLeftovers asserts that neither dir nor its parent holds a part,
// temporary or staging file.
func checkNoLeftovers(t *testing.T, dir string) {
	t.Helper()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") && e.Name() != reports.OutManifest {
				t.Errorf("left behind: %s", filepath.Join(d, e.Name()))
			}
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, plotsDir)); len(entries) > 0 {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("left behind: %s", filepath.Join(dir, plotsDir, e.Name()))
			}
		}
	}
}

// killAtRandom starts args, kills it with SIGKILL after a random part of
// span (or lets it finish first), and reports whether it was killed.
func killAtRandom(t *testing.T, rng *rand.Rand, span time.Duration, args ...string) bool {
	t.Helper()
	cmd := startFleetsim(t, args...)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return false
	case <-time.After(time.Duration(rng.Int64N(int64(span)))):
		cmd.Process.Kill()
		<-done
		return true
	}
}

// TestKillCompareOut: kill -9 at random moments of compare --out D
// --out-records leaves D holding either the previous complete result or
// the new one, never a mix; the next complete run leaves no leftovers
// (issue 15: .part and .tmp files piled up, and series.csv of one run sat
// beside summary.json of another).
func TestKillCompareOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	args := func(tasks int) []string {
		return []string{"compare", "--out", dir, "--out-records", "--strategies", "random,p2c,jsq", "--tasks", strconv.Itoa(tasks), "default"}
	}
	span := runFleetsim(t, args(3000)...)
	checkWhole(t, dir, summaryFile, "--tasks 3000")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 15))
	killed := 0
	for i := 0; i < killCount(t); i++ {
		tasks := 4000 + i
		if killAtRandom(t, rng, span, args(tasks)...) {
			killed++
		}
		// Either the last complete run (3000 or an earlier one that
		// finished) or this one.
		marks := []string{"--tasks " + strconv.Itoa(tasks), "--tasks 3000"}
		for j := 0; j < i; j++ {
			marks = append(marks, "--tasks "+strconv.Itoa(4000+j))
		}
		checkWhole(t, dir, summaryFile, marks...)
	}
	t.Logf("%d of %d runs killed before they finished", killed, killCount(t))
	runFleetsim(t, args(2000)...)
	checkWhole(t, dir, summaryFile, "--tasks 2000")
	checkNoLeftovers(t, dir)
}

// TestKillSweep: the same for sweep -o D.
func TestKillSweep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	args := func(seed string) []string {
		return []string{"sweep", "default", "--tasks", "2000", "--set", "seed=" + seed, "--strategies", "random,p2c", "-o", dir}
	}
	span := runFleetsim(t, args("1,2")...)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 16))
	seen := []string{`"1",`}
	for i := 0; i < killCount(t); i++ {
		first := strconv.Itoa(10 + i)
		killAtRandom(t, rng, span, args(first+","+first+"1")...)
		seen = append(seen, `"`+first+`",`)
		var m struct {
			Params []sweepParam `json:"params"`
		}
		data, err := os.ReadFile(filepath.Join(dir, sweepManifest))
		if err != nil || json.Unmarshal(data, &m) != nil {
			t.Fatalf("sweep.json after a kill: %v", err)
		}
		checkWhole(t, dir, sweepManifest, seen...)
	}
	runFleetsim(t, args("3,4")...)
	checkWhole(t, dir, sweepManifest, `"3",`)
	checkNoLeftovers(t, dir)
}
