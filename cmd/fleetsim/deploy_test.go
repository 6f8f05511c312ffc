package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// k8sDoc is the part of a Kubernetes object the deploy test reads.
type k8sDoc struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Completions int `yaml:"completions"`
		Template    struct {
			Spec struct {
				Containers []struct {
					Args []string `yaml:"args"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func readK8s(t *testing.T, path string) map[string]k8sDoc {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(mustRead(t, path)))
	docs := map[string]k8sDoc{}
	for {
		var d k8sDoc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs[d.Kind+"/"+d.Metadata.Name] = d
	}
}

// TestDeployManifests runs the commands of deploy/k8s as the cluster
// would (each index of the Indexed Job, then the merge Job) on the
// manifest's own scenario, cut to 2,000 tasks and 2 seeds, and checks the
// merged sweep equals the unsharded one byte for byte: the shipped
// manifests stay in step with the CLI.
func TestDeployManifests(t *testing.T) {
	docs := readK8s(t, "../../deploy/k8s/sweep-job.yaml")
	merge := readK8s(t, "../../deploy/k8s/merge-job.yaml")["Job/fleetsim-merge"]
	job, ok := docs["Job/fleetsim-sweep"]
	if !ok || job.Spec.Completions < 2 || len(job.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("deploy/k8s/sweep-job.yaml: no Indexed Job fleetsim-sweep with completions >= 2")
	}
	dir := t.TempDir()
	scen := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(scen, []byte(docs["ConfigMap/fleetsim-scenario"].Data["scenario.yaml"]), 0o644); err != nil {
		t.Fatal(err)
	}
	local := func(args []string, shard string) []string {
		var out []string
		for _, a := range args {
			a = strings.ReplaceAll(a, "$(SHARD)", shard)
			a = strings.ReplaceAll(a, "/scenario/scenario.yaml", scen)
			a = strings.ReplaceAll(a, "/results", dir)
			out = append(out, a)
		}
		return append(out, "--tasks", "2000", "--seeds", "2", "--no-plots")
	}
	n := job.Spec.Completions
	var whole []string
	for i := 0; i < n; i++ {
		args := local(job.Spec.Template.Spec.Containers[0].Args, strconv.Itoa(i))
		if !strings.Contains(strings.Join(args, " "), "--shard "+strconv.Itoa(i)+"/"+strconv.Itoa(n)) {
			t.Fatalf("index %d does not run shard %d/%d: %v", i, i, n, args)
		}
		if code, _, errs := fleetsim(t, args...); code != 0 {
			t.Fatalf("shard %d: fleetsim %s: exit %d: %s", i, strings.Join(args, " "), code, errs)
		}
		if i == 0 {
			for k := 0; k < len(args); k++ {
				if args[k] == "--shard" || args[k] == "-o" {
					k++
					continue
				}
				whole = append(whole, args[k])
			}
		}
	}
	margs := merge.Spec.Template.Spec.Containers[0].Args
	margs = append(local(margs, "")[:len(margs)], "--no-plots")
	if code, _, errs := fleetsim(t, margs...); code != 0 {
		t.Fatalf("merge: fleetsim %s: exit %d: %s", strings.Join(margs, " "), code, errs)
	}
	ref := filepath.Join(dir, "whole")
	if code, _, errs := fleetsim(t, append(whole, "-o", ref)...); code != 0 {
		t.Fatalf("unsharded: exit %d: %s", code, errs)
	}
	for _, f := range []string{sweepFile, sweepManifest} {
		if !bytes.Equal(mustRead(t, filepath.Join(ref, f)), mustRead(t, filepath.Join(dir, "merged", f))) {
			t.Errorf("%s: the merge Job's output differs from the unsharded sweep", f)
		}
	}
}
