package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// updateDocs rewrites the generated blocks of the docs: make docs runs
// go test ./cmd/fleetsim -run TestDocsCurrent -update-docs.
var updateDocs = flag.Bool("update-docs", false, "rewrite the command outputs in README.md and docs/*.md")

// docsMarker introduces a generated block: the next fenced block is the
// output of the command after "docs:", run at a 100-column terminal, with
// timings masked.
var docsMarker = regexp.MustCompile(`(?m)^<!-- docs: fleetsim (.+?) -->\n` + "```" + `([a-z]*)\n((?s:.*?))` + "```" + `\n`)

// docsTimings are the figures that differ between identical runs (wall
// time and what is derived from it); the docs show them as masked.
var docsTimings = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`"(wall_s|events_per_s|decision_ns)": [-0-9.e+]+`), `"$1": "(timing)"`},
}

func maskTimings(s string) string {
	for _, m := range docsTimings {
		s = m.re.ReplaceAllString(s, m.repl)
	}
	return s
}

// regenerateDocs replaces each generated block of md with the output of
// its command (by run), and lists the commands whose block was stale.
func regenerateDocs(md string, run func(args []string) (string, error)) (string, []string, error) {
	var stale []string
	var firstErr error
	out := docsMarker.ReplaceAllStringFunc(md, func(block string) string {
		m := docsMarker.FindStringSubmatch(block)
		args := strings.Fields(m[1])
		got, err := run(args)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("fleetsim %s: %w", m[1], err)
			}
			return block
		}
		body := "$ fleetsim " + m[1] + "\n" + maskTimings(got)
		if !strings.HasSuffix(body, "\n") {
			body += "\n"
		}
		if body != m[3] {
			stale = append(stale, "fleetsim "+m[1])
		}
		return "<!-- docs: fleetsim " + m[1] + " -->\n```" + m[2] + "\n" + body + "```\n"
	})
	return out, stale, firstErr
}

// docsRun runs the CLI in process as a reader at a 100-column terminal.
func docsRun(t *testing.T) func(args []string) (string, error) {
	return func(args []string) (string, error) {
		t.Setenv("COLUMNS", "100")
		code, out, errs := fleetsim(t, args...)
		if code != 0 {
			return "", fmt.Errorf("exit %d: %s", code, errs)
		}
		return out, nil
	}
}

// TestDocsCurrent: every generated block of README.md and docs/*.md is
// what its command prints now; with -update-docs it rewrites them.
func TestDocsCurrent(t *testing.T) {
	files, _ := filepath.Glob("../../docs/*.md")
	files = append(files, "../../README.md")
	blocks := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		blocks += len(docsMarker.FindAllIndex(b, -1))
		out, stale, err := regenerateDocs(string(b), docsRun(t))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if *updateDocs {
			if out != string(b) {
				if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		for _, c := range stale {
			t.Errorf("%s: the output of %q is stale; run make docs", f, c)
		}
	}
	if blocks == 0 {
		t.Error("no generated blocks found in the docs")
	}
}

// TestDocsStaleDetected: a block whose text is not what its command
// prints (here an old strategy listing) is reported stale, and
// regenerating replaces it with the output, after which it is current.
func TestDocsStaleDetected(t *testing.T) {
	md := "intro\n\n<!-- docs: fleetsim version -->\n```text\n$ fleetsim version\nfleetsim 0.1 (old)\n```\n\nafter\n"
	run := func([]string) (string, error) { return "fleetsim v9\n", nil }
	out, stale, err := regenerateDocs(md, run)
	if err != nil || len(stale) != 1 || stale[0] != "fleetsim version" {
		t.Fatalf("stale %q, err %v; want the one block reported", stale, err)
	}
	want := "intro\n\n<!-- docs: fleetsim version -->\n```text\n$ fleetsim version\nfleetsim v9\n```\n\nafter\n"
	if out != want {
		t.Errorf("regenerated:\n%s\nwant:\n%s", out, want)
	}
	if _, stale, _ := regenerateDocs(out, run); len(stale) != 0 {
		t.Errorf("after regenerating, still stale: %q", stale)
	}
	// Timings are masked, so a rerun with other wall times is current.
	j := "<!-- docs: fleetsim run --json -->\n```json\n$ fleetsim run --json\n{\"wall_s\": \"(timing)\"}\n```\n"
	if _, stale, _ := regenerateDocs(j, func([]string) (string, error) { return "{\"wall_s\": 0.0123}\n", nil }); len(stale) != 0 {
		t.Errorf("a different wall time made the block stale: %q", stale)
	}
}
