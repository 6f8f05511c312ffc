package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/realexec"
)

// TestReapTemporaries: a registered folder of temporary daemons whose
// command and guard are both dead is removed by the next command that
// starts temporary daemons; one whose command is alive (this test) is
// kept.
func TestReapTemporaries(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	gone := dead.Process.Pid
	mk := func(owner int) string {
		dir, err := os.MkdirTemp("", "fsr")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		node := realexec.NodeDir(dir, 0)
		if err := os.MkdirAll(node, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(node, realexec.MarkerFile), []byte(`{"format":"fleetsim-daemon","version":1}`+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, temporaryFile), []byte(fmt.Sprintf("%d %d fleetsim\n", owner, gone)), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	orphan, live := mk(gone), mk(os.Getpid())
	var log bytes.Buffer
	reapTemporaries(context.Background(), &log)
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatalf("the killed run's folder %s is still there (%v); log %q", orphan, err, log.String())
	}
	if !strings.Contains(log.String(), "removed the temporary daemons of a killed run in "+orphan) {
		t.Fatalf("log %q", log.String())
	}
	if _, err := os.Stat(filepath.Join(live, temporaryFile)); err != nil {
		t.Fatalf("a live run's folder was reaped: %v", err)
	}
}
