package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/traces"
)

// Limits on what merge reads: a sweep.json and a sweep.csv of a shard.
const (
	maxManifestBytes = 16 << 20
	maxSweepBytes    = 256 << 20
)

// writeSweepDir writes sweep.csv, sweep.json (with sweep.csv's hash) and,
// when asked, plots/ into od's staging folder and commits it.
func writeSweepDir(od *reports.OutDir, m manifest, header []string, rows [][]string, plots bool) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(header)
	cw.WriteAll(rows)
	if err := cw.Error(); err != nil {
		return err
	}
	sum := sha256.Sum256(buf.Bytes())
	m.SHA256 = hex.EncodeToString(sum[:])
	dir := od.Path()
	err := writeAtomic(filepath.Join(dir, sweepFile), func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	err = writeAtomic(filepath.Join(dir, sweepManifest), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	})
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	// The command that made it, for the report (not in sweep.json, which
	// a merge must reproduce byte for byte).
	if err := writeSweepCommand(dir); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if plots {
		if err := writePlots(dir); err != nil {
			return err
		}
	}
	if err := od.Commit(); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// readSweep reads a sweep folder's manifest, header and rows, checking
// sweep.csv against the manifest's hash and both files against size
// limits.
func readSweep(dir string) (manifest, []string, [][]string, error) {
	var m manifest
	mpath := filepath.Join(dir, sweepManifest)
	data, err := traces.ReadAllInput(mpath, maxManifestBytes)
	if err != nil {
		return m, nil, nil, fmt.Errorf("%s: expected a sweep folder (with %s): %w", dir, sweepManifest, err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, nil, nil, fmt.Errorf("%s: invalid JSON: %w", mpath, err)
	}
	path := filepath.Join(dir, sweepFile)
	raw, err := traces.ReadAllInput(path, maxSweepBytes)
	if err != nil {
		return m, nil, nil, err
	}
	if m.SHA256 == "" {
		return m, nil, nil, fmt.Errorf("%s: sha256: missing; a sweep written by this fleetsim records the hash of %s (rerun the shard)", mpath, sweepFile)
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != m.SHA256 {
		return m, nil, nil, fmt.Errorf("%s: its SHA-256 is not the one %s records: the file was changed after the sweep wrote it", path, mpath)
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	recs, err := cr.ReadAll()
	if err != nil {
		return m, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return m, nil, nil, fmt.Errorf("%s: expected a header row, got an empty file", path)
	}
	return m, recs[0], recs[1:], nil
}

// checkNotInput refuses an output folder that is one of the input
// folders (or holds one), so merge never writes over what it reads.
func checkNotInput(out string, inputs []string) error {
	ofi, err := os.Stat(out)
	if err != nil {
		return nil // not there yet: not an input
	}
	for _, in := range inputs {
		d, err := filepath.Abs(in)
		if err != nil {
			continue
		}
		for {
			if fi, err := os.Stat(d); err == nil && os.SameFile(fi, ofi) {
				return fmt.Errorf("-o %s: is the input folder %s (or holds it); merge into a new folder", out, in)
			}
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	return nil
}
