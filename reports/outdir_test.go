package reports

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// names lists dir's entries, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// commitFiles writes files (name → content) through an OutDir on dir.
func commitFiles(t *testing.T, dir string, files map[string]string) error {
	t.Helper()
	od, err := CreateOutDir(dir)
	if err != nil {
		return err
	}
	for name, text := range files {
		p := filepath.Join(od.Path(), name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return od.Commit()
}

// TestOutDirReplacesWhole: a rerun into the same folder leaves exactly
// its own files (issue 15: a p2c-only rerun kept random's plots), the
// folder verifies against its manifest, and nothing is left beside it.
func TestOutDirReplacesWhole(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	first := map[string]string{"summary.json": "1", "records.csv": "r", "plots/utilization-0-random.svg": "<svg/>"}
	if err := commitFiles(t, dir, first); err != nil {
		t.Fatal(err)
	}
	if got, want := names(t, dir), []string{OutManifest, "plots", "records.csv", "summary.json"}; !slices.Equal(got, want) {
		t.Fatalf("first run: %v, want %v", got, want)
	}
	if err := commitFiles(t, dir, map[string]string{"summary.json": "2"}); err != nil {
		t.Fatal(err)
	}
	if got, want := names(t, dir), []string{OutManifest, "summary.json"}; !slices.Equal(got, want) {
		t.Errorf("second run: %v, want %v", got, want)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "summary.json")); string(data) != "2" {
		t.Errorf("summary.json = %q, want the second run's", data)
	}
	if err := VerifyOutDir(dir); err != nil {
		t.Error(err)
	}
	if got := names(t, parent); !slices.Equal(got, []string{"out"}) {
		t.Errorf("beside the folder: %v, want only out", got)
	}
	// A changed file no longer verifies.
	os.WriteFile(filepath.Join(dir, "summary.json"), []byte("3"), 0o644)
	if err := VerifyOutDir(dir); err == nil {
		t.Error("VerifyOutDir accepted a file changed after the run")
	}
}

// TestOutDirRefusesForeign: a folder holding a user's file is refused
// before anything is written, and left as it was.
func TestOutDirRefusesForeign(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	err := commitFiles(t, dir, map[string]string{"summary.json": "1"})
	if err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("error %v, want one naming notes.txt", err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"notes.txt"}) {
		t.Errorf("folder now %v", got)
	}
	if got := names(t, filepath.Dir(dir)); len(got) != 1 {
		t.Errorf("beside the folder: %v", got)
	}
}

// TestOutDirCleansStale: a staging folder of a dead run is removed, and a
// previous folder left aside by a run killed between its two renames
// (the fallback without RENAME_EXCHANGE) is put back.
func TestOutDirCleansStale(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	const dead = "2147483646" // no such process (beyond pid_max)
	stale := filepath.Join(parent, ".out.fleetsim-stage-"+dead+"-abc")
	old := filepath.Join(parent, ".out.fleetsim-old-"+dead+"-def")
	mine := filepath.Join(parent, ".out.fleetsim-stage-"+strconv.Itoa(os.Getpid())+"-live")
	for _, d := range []string{stale, old, mine} {
		os.MkdirAll(d, 0o755)
	}
	os.WriteFile(filepath.Join(old, "summary.json"), []byte("old"), 0o644)
	od, err := CreateOutDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer od.Abort()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("dead run's staging folder still there: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "summary.json")); string(data) != "old" {
		t.Errorf("previous folder not put back: summary.json %q", data)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a live process's staging folder was removed: %v", err)
	}
}

// TestAtomicFileTargets: a regular file is replaced; a symbolic link is
// followed (the link stays, its target gets the content); a FIFO and a
// device are written in place, never replaced by a regular file; a
// folder is refused.
func TestAtomicFileTargets(t *testing.T) {
	dir := t.TempDir()
	write := func(path, text string) error {
		f, err := CreateAtomic(path)
		if err != nil {
			return err
		}
		if _, err := f.WriteString(text); err != nil {
			f.Abort()
			return err
		}
		return f.Commit()
	}
	target := filepath.Join(dir, "target.csv")
	os.WriteFile(target, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.csv")
	os.Symlink("target.csv", link)
	if err := write(link, "new"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if data, _ := os.ReadFile(target); string(data) != "new" {
		t.Errorf("target holds %q, want new", data)
	}

	fifo := filepath.Join(dir, "fifo")
	syscall.Mkfifo(fifo, 0o644)
	if err := write(fifo, "x"); err == nil || !strings.Contains(err.Error(), "no reader") {
		t.Errorf("FIFO with no reader: %v, want an error saying so", err)
	}
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := write(fifo, "through the pipe"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := r.Read(buf)
	if string(buf[:n]) != "through the pipe" {
		t.Errorf("read %q from the FIFO", buf[:n])
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", fi.Mode())
	}

	if err := write("/dev/null", "x"); err != nil {
		t.Errorf("/dev/null: %v", err)
	}
	if fi, _ := os.Lstat("/dev/null"); fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v", fi.Mode())
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		if err := write("/dev/full", "x"); err == nil {
			t.Error("/dev/full: the write error was lost")
		}
	}
	if err := write(dir, "x"); err == nil {
		t.Error("a folder as the target was accepted")
	}
}

// TestAtomicFileRemovesStaleTemps: the temporary file a killed run left
// beside its output (".records.csv.tmp-PID-…", PID dead) is removed by
// the next write of that output; a live process's is kept.
func TestAtomicFileRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	dead := filepath.Join(dir, ".records.csv.tmp-2147483646-123")
	live := filepath.Join(dir, ".records.csv.tmp-"+strconv.Itoa(os.Getpid())+"-456")
	for _, p := range []string{dead, live} {
		os.WriteFile(p, []byte("part"), 0o644)
	}
	f, err := CreateAtomic(filepath.Join(dir, "records.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f.Abort()
	if got, want := names(t, dir), []string{filepath.Base(live)}; !slices.Equal(got, want) {
		t.Errorf("left %v, want %v", got, want)
	}
}
