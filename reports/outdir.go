package reports

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// OutManifest is the name of the file an OutDir commits into the folder,
// listing what fleetsim wrote there; its presence marks the folder as
// fleetsim's.
const OutManifest = ".fleetsim-out.json"

// outFiles are the names fleetsim writes into an output folder, so a
// folder written before manifests existed is still recognised as its own.
var outFiles = []string{"summary.json", "series.csv", "records.csv", "report.html", "sweep.csv", "sweep.json", "plots", "real.csv", "gpu.csv", OutManifest}

// OutDir is an output folder written as one unit. Everything is written
// into a staging folder beside it (Path); Commit then puts the staging
// folder in the place of the old one in a single rename (renameat2 with
// RENAME_EXCHANGE where the kernel has it), so the folder holds either the
// previous complete result or the new one, never a mix, and none of the
// previous run's files survive the new run. A folder that holds files
// fleetsim did not write is refused before anything runs. Staging folders
// of killed runs are recognised by name and removed by the next OutDir of
// the same folder.
type OutDir struct {
	dir   string // the final folder
	stage string
	done  bool
}

// stageTag starts the names of staging and swapped-out folders beside
// dir: ".NAME.fleetsim-stage-PID-RAND", ".NAME.fleetsim-old-PID-RAND".
func stageTag(dir, kind string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".fleetsim-"+kind+"-")
}

// CreateOutDir checks that dir is missing, empty or fleetsim's, clears
// leftovers of killed runs and creates the staging folder.
func CreateOutDir(dir string) (*OutDir, error) {
	dir, err := filepath.Abs(dir) // ("." is renamed by its name in its parent)
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(dir, wd); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
			return nil, fmt.Errorf("%s: is the current folder or holds it; fleetsim replaces an output folder as a whole, so give a folder below it", dir)
		}
	}
	if err := cleanStale(dir); err != nil {
		return nil, err
	}
	if err := CheckOutDir(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	stage := stageTag(dir, "stage") + strconv.Itoa(os.Getpid()) + "-" + randHex()
	if err := os.Mkdir(stage, 0o755); err != nil {
		return nil, err
	}
	return &OutDir{dir: dir, stage: stage}, nil
}

// Path is the staging folder to write the output into.
func (o *OutDir) Path() string { return o.stage }

// Dir is the final folder.
func (o *OutDir) Dir() string { return o.dir }

// CheckOutDir returns an error when dir exists and is not a folder, or
// holds a file that fleetsim did not write (neither one of its output
// names nor listed in the folder's OutManifest).
func CheckOutDir(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: exists and is not a folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	if data, err := os.ReadFile(filepath.Join(dir, OutManifest)); err == nil {
		var m outManifest
		if json.Unmarshal(data, &m) == nil {
			for _, f := range m.Files {
				listed[f] = true
			}
		}
	}
	var foreign []string
	for _, e := range entries {
		n := e.Name()
		if listed[n] || slices.Contains(outFiles, n) || leftover(n) {
			continue
		}
		foreign = append(foreign, n)
	}
	if len(foreign) > 0 {
		if len(foreign) > 3 {
			foreign = append(foreign[:3], "…")
		}
		return fmt.Errorf("%s holds files fleetsim did not write (%s); give a new or empty folder, fleetsim replaces the whole folder", dir, strings.Join(foreign, ", "))
	}
	return nil
}

// leftover reports whether name is a part or temporary file of an
// interrupted fleetsim run (".series-*.part", ".summary.json.tmp-*").
func leftover(name string) bool {
	return strings.HasPrefix(name, ".") && (strings.HasSuffix(name, ".part") || strings.Contains(name, ".tmp-"))
}

// outManifest is the content of OutManifest.
type outManifest struct {
	WrittenBy string   `json:"written_by"`
	Files     []string `json:"files"` // top-level names
	// SHA256 is the hash of every file, by its path in the folder
	// ("plots/latency-cdf.svg"): a reader can tell a complete folder from
	// a damaged one.
	SHA256 map[string]string `json:"sha256"`
}

// Commit writes the manifest into the staging folder and puts it in the
// place of the final folder; the previous folder's content is removed.
func (o *OutDir) Commit() error {
	if o.done {
		return nil
	}
	entries, err := os.ReadDir(o.stage)
	if err != nil {
		o.Abort()
		return err
	}
	m := outManifest{WrittenBy: "fleetsim", SHA256: map[string]string{}}
	for _, e := range entries {
		if n := e.Name(); n != OutManifest && !leftover(n) {
			m.Files = append(m.Files, n)
		}
	}
	if err := hashTree(o.stage, m.SHA256); err != nil {
		o.Abort()
		return err
	}
	data, _ := json.MarshalIndent(m, "", "  ")
	if err := writeSynced(filepath.Join(o.stage, OutManifest), append(data, '\n')); err != nil {
		o.Abort()
		return err
	}
	if err := CheckOutDir(o.dir); err != nil { // (a user's file may have come since)
		o.Abort()
		return err
	}
	o.done = true
	err = unix.Renameat2(unix.AT_FDCWD, o.stage, unix.AT_FDCWD, o.dir, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		syncDir(filepath.Dir(o.dir))
		return os.RemoveAll(o.stage) // now the previous folder
	case errors.Is(err, syscall.ENOENT):
		// No folder yet: a plain rename.
		if err := os.Rename(o.stage, o.dir); err != nil {
			os.RemoveAll(o.stage)
			return err
		}
		syncDir(filepath.Dir(o.dir))
		return nil
	}
	// No RENAME_EXCHANGE (another OS, an old kernel, a file system without
	// it): move the old folder aside under a name cleanStale restores from
	// if the run dies between the two renames.
	old := stageTag(o.dir, "old") + strconv.Itoa(os.Getpid()) + "-" + randHex()
	if err := os.Rename(o.dir, old); err != nil {
		os.RemoveAll(o.stage)
		return err
	}
	if err := os.Rename(o.stage, o.dir); err != nil {
		os.Rename(old, o.dir)
		os.RemoveAll(o.stage)
		return err
	}
	syncDir(filepath.Dir(o.dir))
	return os.RemoveAll(old)
}

// Abort removes the staging folder; the final folder is untouched. It is
// safe after Commit (it then does nothing).
func (o *OutDir) Abort() {
	if o.done {
		return
	}
	o.done = true
	os.RemoveAll(o.stage)
}

// cleanStale removes the staging folders of dead runs beside dir, and puts
// back a previous folder that a run killed between its two renames left
// aside.
func cleanStale(dir string) error {
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		return nil // a parent not there yet: nothing stale
	}
	prefix := "." + filepath.Base(dir) + ".fleetsim-"
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() {
			continue
		}
		kind, rest, _ := strings.Cut(rest, "-")
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || (kind != "stage" && kind != "old") || alive(pid) {
			continue
		}
		path := filepath.Join(filepath.Dir(dir), e.Name())
		if kind == "old" {
			if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
				if err := os.Rename(path, dir); err != nil {
					return err
				}
				continue
			}
		}
		if err := os.RemoveAll(path); err != nil {
			return err
		}
	}
	return nil
}

// alive reports whether process pid exists (another user's counts).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func randHex() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writeSynced writes data to a new file at path and syncs it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// hashTree puts the SHA-256 of every regular file under root into sums,
// by slash-separated path.
func hashTree(root string, sums map[string]string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if rel == OutManifest || leftover(d.Name()) {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		sums[filepath.ToSlash(rel)] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
}

// VerifyOutDir checks that dir is a complete folder of one fleetsim run:
// its OutManifest lists every file there, and each has the hash recorded.
// It is what a kill -9 test asserts after the kill.
func VerifyOutDir(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, OutManifest))
	if err != nil {
		return err
	}
	var m outManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("%s: %w", OutManifest, err)
	}
	got := map[string]string{}
	if err := hashTree(dir, got); err != nil {
		return err
	}
	for p, h := range m.SHA256 {
		if got[p] != h {
			return fmt.Errorf("%s: missing or not the file the run wrote", p)
		}
	}
	for p := range got {
		if _, ok := m.SHA256[p]; !ok {
			return fmt.Errorf("%s: not written by the run the manifest describes", p)
		}
	}
	return nil
}
