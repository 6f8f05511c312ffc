package realexec

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cgroup1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	cgroup2 "github.com/containerd/cgroups/v3/cgroup2/stats"
	"google.golang.org/protobuf/proto"
)

// fakeELF writes a file that passes BuildImage's ELF check.
func fakeELF(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fleetsim-work")
	if err := os.WriteFile(p, []byte("\x7fELF"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImageDeterministic: the same binary gives byte-identical image
// tars (so the same digest, and a node that has it is not sent it again);
// a different binary gives a different digest.
func TestImageDeterministic(t *testing.T) {
	p := fakeELF(t, "one")
	a, err := BuildImage(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildImage(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Tar, b.Tar) || a.Manifest != b.Manifest || a.Name != b.Name {
		t.Fatal("two builds of the same binary differ")
	}
	c, err := BuildImage(fakeELF(t, "two"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Manifest == a.Manifest {
		t.Fatal("different binaries, same manifest digest")
	}
	if want := ImageName + ":" + a.Manifest[len("sha256:"):][:12]; a.Name != want {
		t.Fatalf("name %s, want %s", a.Name, want)
	}
}

// TestImageLayout reads the tar back as an OCI image layout: oci-layout,
// an index naming the manifest, and every blob present under its digest.
func TestImageLayout(t *testing.T) {
	img, err := BuildImage(fakeELF(t, "x"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(img.Tar))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.IsZero() && h.ModTime.Unix() != 0 {
			t.Fatalf("%s has time %v", h.Name, h.ModTime)
		}
		files[h.Name], _ = io.ReadAll(tr)
	}
	var idx struct {
		Manifests []struct {
			Digest      string
			Annotations map[string]string
		}
	}
	if err := json.Unmarshal(files["index.json"], &idx); err != nil || len(idx.Manifests) != 1 {
		t.Fatalf("index.json: %v %s", err, files["index.json"])
	}
	if idx.Manifests[0].Digest != img.Manifest || idx.Manifests[0].Annotations["io.containerd.image.name"] != img.Name {
		t.Fatalf("index %+v", idx)
	}
	if _, ok := files["oci-layout"]; !ok {
		t.Fatal("no oci-layout")
	}
	for name, data := range files {
		if !strings.HasPrefix(name, "blobs/sha256/") {
			continue
		}
		if d := describe("", data).Digest; d != "sha256:"+filepath.Base(name) {
			t.Fatalf("blob %s has digest %s", name, d)
		}
	}
	if _, ok := files["blobs/sha256/"+img.Manifest[len("sha256:"):]]; !ok {
		t.Fatal("manifest blob missing")
	}
}

func TestImageRejectsNonELF(t *testing.T) {
	p := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := BuildImage(p); err == nil || !strings.Contains(err.Error(), "not an ELF binary") {
		t.Fatalf("err %v", err)
	}
	if _, err := BuildImage(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("missing binary accepted")
	}
}

// TestDecodeMetrics decodes cgroup v1 and v2 statistics as containerd
// sends them: the working set is usage less inactive file cache, and v2's
// CPU time in µs becomes ns.
func TestDecodeMetrics(t *testing.T) {
	v1, _ := proto.Marshal(&cgroup1.Metrics{
		CPU:    &cgroup1.CPUStat{Usage: &cgroup1.CPUUsage{Total: 1_500_000_000}},
		Memory: &cgroup1.MemoryStat{Usage: &cgroup1.MemoryEntry{Usage: 10 << 20}, TotalInactiveFile: 2 << 20},
	})
	u, err := decodeMetrics("io.containerd.cgroups.v1.Metrics", v1)
	if err != nil || u.CPUNs != 1_500_000_000 || u.Memory != 8<<20 {
		t.Fatalf("v1: %+v %v", u, err)
	}
	v2, _ := proto.Marshal(&cgroup2.Metrics{
		CPU:    &cgroup2.CPUStat{UsageUsec: 2500},
		Memory: &cgroup2.MemoryStat{Usage: 5 << 20, InactiveFile: 1 << 20},
	})
	u, err = decodeMetrics("io.containerd.cgroups.v2.Metrics", v2)
	if err != nil || u.CPUNs != 2_500_000 || u.Memory != 4<<20 {
		t.Fatalf("v2: %+v %v", u, err)
	}
	if _, err := decodeMetrics("example.com/Other", nil); err == nil {
		t.Fatal("unknown type accepted")
	}
	if _, err := decodeMetrics("io.containerd.cgroups.v2.Metrics", []byte{0xff, 0xff}); err == nil {
		t.Fatal("garbage accepted")
	}
}
