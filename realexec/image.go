package realexec

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

// Image is the workload image as an OCI image layout in a tar stream: one
// uncompressed layer holding /fleetsim-work, its config and manifest, and an
// index naming the manifest. The same binary always gives the same bytes,
// hence the same digests, so a node that already has it is not sent it
// again (Node.EnsureImage compares by digest).
type Image struct {
	Tar      []byte // the OCI layout, ready for containerd's import
	Manifest string // the manifest's digest, "sha256:…"
	Name     string // the image name it is imported under
}

// ImageName is the name the workload image is imported under; the tag is
// the manifest digest's first 12 hex digits.
const ImageName = "fleetsim.local/fleetsim-work"

// BuildImage packages the static binary at path as a deterministic
// one-layer OCI image (no registry, no Docker): every tar header has fixed
// owner, mode and a zero time, and the JSON documents have a fixed field
// order and no creation time.
func BuildImage(path string) (*Image, error) {
	bin, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("workload image: %w", err)
	}
	if len(bin) < 4 || string(bin[:4]) != "\x7fELF" {
		return nil, fmt.Errorf("workload image: %s is not an ELF binary", path)
	}
	// The layer: the binary and the empty folders runc mounts over.
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	epoch := time.Unix(0, 0).UTC()
	for _, d := range []string{"dev/", "proc/", "sys/", "tmp/"} {
		mode := int64(0o755)
		if d == "tmp/" {
			mode = 0o1777
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: mode, ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "fleetsim-work", Mode: 0o755, Size: int64(len(bin)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	layerDesc := describe("application/vnd.oci.image.layer.v1.tar", layer.Bytes())

	type platform struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
	}
	plat := platform{runtime.GOARCH, "linux"}
	cfg, err := json.Marshal(struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		Config       struct {
			Entrypoint []string `json:"Entrypoint"`
			Env        []string `json:"Env"`
		} `json:"config"`
		RootFS struct {
			Type    string   `json:"type"`
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	}{
		Architecture: plat.Architecture, OS: plat.OS,
		Config: struct {
			Entrypoint []string `json:"Entrypoint"`
			Env        []string `json:"Env"`
		}{[]string{"/fleetsim-work"}, []string{"PATH=/"}},
		RootFS: struct {
			Type    string   `json:"type"`
			DiffIDs []string `json:"diff_ids"`
		}{"layers", []string{layerDesc.Digest}},
	})
	if err != nil {
		return nil, err
	}
	cfgDesc := describe("application/vnd.oci.image.config.v1+json", cfg)
	man, err := json.Marshal(struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Config        descriptor   `json:"config"`
		Layers        []descriptor `json:"layers"`
	}{2, "application/vnd.oci.image.manifest.v1+json", cfgDesc, []descriptor{layerDesc}})
	if err != nil {
		return nil, err
	}
	manDesc := describe("application/vnd.oci.image.manifest.v1+json", man)
	name := ImageName + ":" + manDesc.Digest[len("sha256:"):][:12]
	idx, err := json.Marshal(struct {
		SchemaVersion int    `json:"schemaVersion"`
		MediaType     string `json:"mediaType"`
		Manifests     []any  `json:"manifests"`
	}{2, "application/vnd.oci.image.index.v1+json", []any{struct {
		descriptor
		Platform    platform          `json:"platform"`
		Annotations map[string]string `json:"annotations"`
	}{manDesc, plat, map[string]string{"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name[len(ImageName)+1:]}}}})
	if err != nil {
		return nil, err
	}

	var out bytes.Buffer
	ow := tar.NewWriter(&out)
	put := func(name string, data []byte) error {
		if err := ow.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := ow.Write(data)
		return err
	}
	blob := func(d descriptor) string { return "blobs/sha256/" + d.Digest[len("sha256:"):] }
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", idx},
		{blob(layerDesc), layer.Bytes()},
		{blob(cfgDesc), cfg},
		{blob(manDesc), man},
	} {
		if err := put(f.name, f.data); err != nil {
			return nil, err
		}
	}
	if err := ow.Close(); err != nil {
		return nil, err
	}
	return &Image{Tar: out.Bytes(), Manifest: manDesc.Digest, Name: name}, nil
}

type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
}

func describe(mediaType string, b []byte) descriptor {
	h := sha256.Sum256(b)
	return descriptor{mediaType, "sha256:" + hex.EncodeToString(h[:]), int64(len(b))}
}

// WorkBinary returns the path of a static fleetsim-work binary: $FLEETSIM_WORK
// when set, else fleetsim-work beside the running executable, else one built
// with the go command (CGO_ENABLED=0) from the module source in the current
// folder into dir.
func WorkBinary(dir string) (string, error) {
	if p := os.Getenv("FLEETSIM_WORK"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("FLEETSIM_WORK: %w", err)
		}
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "fleetsim-work")
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return BuildWork(dir)
}

// BuildWork builds cmd/fleetsim-work as a static binary into dir with the
// go command; it works from inside the fleetsim module.
func BuildWork(dir string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("workload binary: no fleetsim-work beside fleetsim and no go command to build one (make build puts it in bin/; or set FLEETSIM_WORK)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "fleetsim-work")
	cmd := exec.Command(gobin, "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", out, "github.com/fleetsim/fleetsim/cmd/fleetsim-work")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("workload binary: go build: %v\n%s", err, b)
	}
	return out, nil
}
