package realexec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDownSparesUnmarked: a folder that looks like a node folder (named
// node-0, holding a config.toml) but has no marker is not a daemon, Down
// leaves it and its parent alone, and Up refuses to take it over.
func TestDownSparesUnmarked(t *testing.T) {
	dir := t.TempDir()
	user := filepath.Join(dir, "node-0")
	if err := os.MkdirAll(user, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.toml", "thesis.tex"} {
		if err := os.WriteFile(filepath.Join(user, f), []byte("mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := Daemons(dir)
	if err != nil || len(ds) != 0 {
		t.Fatalf("Daemons: %v %v, want none", ds, err)
	}
	if err := Down(context.Background(), dir, DefaultNamespace); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.toml", "thesis.tex"} {
		if b, err := os.ReadFile(filepath.Join(user, f)); err != nil || string(b) != "mine\n" {
			t.Fatalf("%s after Down: %q %v", f, b, err)
		}
	}
	_, err = Up(dir, 2, "")
	if err == nil || !strings.Contains(err.Error(), "was not made by fleetsim") {
		t.Fatalf("Up into a user's node-0: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(user, "config.toml")); string(b) != "mine\n" {
		t.Fatalf("Up overwrote config.toml: %q", b)
	}
}

// TestDownRemovesMarked: a marked node folder (a daemon that is no longer
// running) is removed by Down, and so is dir once empty.
func TestDownRemovesMarked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	d := NodeDir(dir, 0)
	if err := os.MkdirAll(filepath.Join(d, "root"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, MarkerFile), []byte(marker), 0o600); err != nil {
		t.Fatal(err)
	}
	if ds, _ := Daemons(dir); len(ds) != 1 || ds[0].PID != 0 {
		t.Fatalf("Daemons: %+v, want one stopped daemon", ds)
	}
	if err := Down(context.Background(), dir, DefaultNamespace); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s after Down: %v", dir, err)
	}
}
