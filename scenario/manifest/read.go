package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/fleetsim/fleetsim/sim/kube"
)

// Error is a problem with a manifest, one line naming where:
//
//	web.yaml:14: Deployment default/web: spec.template.spec.containers[0].resources.requests.cpu: expected a quantity such as 500m or 2, got "2 cpus"
type Error struct {
	File   string
	Line   int
	Object string // "Kind namespace/name"; "" for problems outside an object
	Field  string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Object != "" {
		b.WriteString(e.Object + ": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return strings.ReplaceAll(b.String(), "\n", " ")
}

// Annotations fleetsim reads.
const (
	// AnnotationDuration is how long a pod of the object runs (a Go
	// duration or seconds); on a Job, each pod; absent: the scenario's
	// default for Jobs, the end of the run for other pods.
	AnnotationDuration = "fleetsim.io/duration"
	// AnnotationArrival is when the object is created, from the start of
	// the run; absent: at the start.
	AnnotationArrival = "fleetsim.io/arrival"
)

// Source says where an object was read.
type Source struct {
	File   string
	Line   int
	Object string
}

// PodItem is a pod to schedule: a bare Pod or a replica of a Deployment
// or ReplicaSet.
type PodItem struct {
	Pod           *kube.Pod
	SchedulerName string
	Arrival       time.Duration
	Duration      time.Duration // 0: runs to the end
	// Grace is terminationGracePeriodSeconds; -1 when unset.
	Grace time.Duration
	// BoundTo is the node of a pod found running in a cluster snapshot
	// (it starts there); "" for pods to schedule.
	BoundTo string
	Source
	tmpl *kube.Pod // the template this replica was copied from
}

// Job is a batch/v1 Job: pods from Template, Parallelism at a time, until
// Completions succeed.
type Job struct {
	Name, Namespace string
	Template        *kube.Pod
	SchedulerName   string
	Parallelism     int32
	Completions     int32
	BackoffLimit    int32
	ActiveDeadline  time.Duration // 0: none
	Arrival         time.Duration
	Duration        time.Duration // per pod; 0: the scenario's default
	Grace           time.Duration // terminationGracePeriodSeconds; -1 when unset
	Source
}

// Set is what a manifest path holds.
type Set struct {
	// Deployments, Services and HPAs are for runs with controllers; a
	// Deployment's pods are in Pods too.
	Deployments []*Deployment
	Services    []*Service
	HPAs        []*HPA
	Pods        []*PodItem
	Jobs        []*Job
	PDBs        []*kube.PDB
	Nodes       []*kube.Node
	// PriorityClasses by name, the two built-in system classes included.
	PriorityClasses map[string]PriorityClass
}

// PriorityClass is a scheduling.k8s.io/v1 PriorityClass.
type PriorityClass struct {
	Value            int32
	GlobalDefault    bool
	PreemptionPolicy kube.PreemptionPolicy
}

// Read reads a manifest file, or every .yaml/.yml file of a folder in name
// order: multi-document YAML, kind List accepted. Pods of controllers are
// expanded; priority class names resolved; what is not modelled and would
// change placement is an *Error.
func Read(path string) (*Set, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	files := []string{path}
	if st.IsDir() {
		files = nil
		ents, err := os.ReadDir(path)
		if err != nil {
			return nil, &Error{File: path, Msg: err.Error()}
		}
		for _, e := range ents {
			if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		if len(files) == 0 {
			return nil, &Error{File: path, Msg: "no .yaml or .yml files in this folder"}
		}
	}
	r := newReader()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, &Error{File: f, Msg: err.Error()}
		}
		if err := r.file(f, data); err != nil {
			return nil, err
		}
	}
	return r.finish()
}

// ReadBytes reads one file's content (name is used in errors).
func ReadBytes(name string, data []byte) (*Set, error) {
	r := newReader()
	if err := r.file(name, data); err != nil {
		return nil, err
	}
	return r.finish()
}

type pending struct {
	pod   *corev1.PodSpec
	kpod  *kube.Pod
	field string // path of the pod spec
	tr    *tree
	src   Source
}

type reader struct {
	set     *Set
	classes map[string]Source
	uses    []pending // pods whose priorityClassName is resolved at the end
	pdbSrc  []Source
	seen    map[string]Source
}

func newReader() *reader {
	return &reader{set: &Set{PriorityClasses: map[string]PriorityClass{
		"system-cluster-critical": {Value: 2000000000, PreemptionPolicy: kube.PreemptLowerPriority},
		"system-node-critical":    {Value: 2000001000, PreemptionPolicy: kube.PreemptLowerPriority},
	}}, classes: map[string]Source{}, seen: map[string]Source{}}
}

func (r *reader) file(name string, data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &Error{File: name, Line: yamlLine(err), Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		tr := &tree{lines: map[string]int{}}
		v, err := tr.value(&doc, "")
		if err != nil {
			return r.posErr(name, tr, "", err)
		}
		if v == nil {
			continue
		}
		if err := r.object(name, tr, v, ""); err != nil {
			return err
		}
	}
}

func yamlLine(err error) int {
	var l int
	if _, e := fmt.Sscanf(strings.TrimPrefix(err.Error(), "yaml: "), "line %d:", &l); e == nil {
		return l
	}
	return 0
}

func (r *reader) posErr(file string, tr *tree, obj string, err error) error {
	var pe *posError
	if errors.As(err, &pe) {
		return &Error{File: file, Line: pe.line, Object: obj, Field: pe.field, Msg: pe.msg}
	}
	return &Error{File: file, Line: tr.lineOf(""), Object: obj, Msg: err.Error()}
}

// object dispatches one object (at path prefix, "" or "items[3]").
func (r *reader) object(file string, tr *tree, v any, prefix string) error {
	m, ok := v.(map[string]any)
	at := func(f string) string {
		if prefix == "" {
			return f
		}
		return prefix + "." + f
	}
	if !ok {
		return &Error{File: file, Line: tr.lineOf(prefix), Field: prefix, Msg: "expected a Kubernetes object (a mapping with apiVersion and kind)"}
	}
	api, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	meta, _ := m["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	if ns == "" {
		ns = "default"
	}
	obj := kind + " " + ns + "/" + name
	if kind == "Node" || kind == "PriorityClass" {
		obj = kind + " " + name
	}
	src := Source{File: file, Line: tr.lineOf(prefix), Object: obj}
	if kind == "" || api == "" {
		return &Error{File: file, Line: src.Line, Field: at("kind"), Msg: "expected apiVersion and kind"}
	}
	if kind == "List" {
		items, _ := m["items"].([]any)
		for i, it := range items {
			if err := r.object(file, tr, it, fmt.Sprintf("%s[%d]", at("items"), i)); err != nil {
				return err
			}
		}
		return nil
	}
	if name == "" {
		return &Error{File: file, Line: src.Line, Object: kind, Field: at("metadata.name"), Msg: "expected a name (generateName is not supported)"}
	}
	fail := func(field, format string, a ...any) error {
		return &Error{File: file, Line: tr.lineOf(at(field)), Object: obj, Field: at(field), Msg: fmt.Sprintf(format, a...)}
	}
	key := kind + "/" + ns + "/" + name
	if prev, dup := r.seen[key]; dup {
		return fail("metadata.name", "%s is defined twice (first at %s:%d)", obj, prev.File, prev.Line)
	}
	r.seen[key] = src
	if pe := checkQuantities(m, tr, prefix); pe != nil {
		return &Error{File: file, Line: pe.line, Object: obj, Field: pe.field, Msg: pe.msg}
	}
	want := map[string]string{"Pod": "v1", "Node": "v1", "Deployment": "apps/v1", "ReplicaSet": "apps/v1",
		"Job": "batch/v1", "PriorityClass": "scheduling.k8s.io/v1", "PodDisruptionBudget": "policy/v1",
		"Service": "v1", "HorizontalPodAutoscaler": "autoscaling/v2"}
	wv, known := want[kind]
	if !known {
		return fail("kind", "kind %s is not modelled (fleetsim reads Pod, Deployment, ReplicaSet, Job, PriorityClass, PodDisruptionBudget, Service, HorizontalPodAutoscaler, Node and List)", kind)
	}
	if api != wv {
		return fail("apiVersion", "expected %s for kind %s, got %q", wv, kind, api)
	}
	ann, _ := meta["annotations"].(map[string]any)
	arrival, err := annDuration(ann, AnnotationArrival)
	if err != nil {
		return fail("metadata.annotations", "%s: %v", AnnotationArrival, err)
	}
	duration, err := annDuration(ann, AnnotationDuration)
	if err != nil {
		return fail("metadata.annotations", "%s: %v", AnnotationDuration, err)
	}
	decode := func(into any) error {
		b, err := json.Marshal(m)
		if err != nil {
			return fail("", "%v", err)
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		if err := d.Decode(into); err != nil {
			return jsonErr(err, tr, prefix, fail)
		}
		return nil
	}
	switch kind {
	case "Pod":
		var p corev1.Pod
		if err := decode(&p); err != nil {
			return err
		}
		kp, err := r.pod(&p.Spec, p.Labels, ns, name, at("spec"), tr, src, fail)
		if err != nil {
			return err
		}
		item := &PodItem{Pod: kp, SchedulerName: p.Spec.SchedulerName, Arrival: arrival, Duration: duration, Grace: grace(&p.Spec), Source: src}
		switch p.Status.Phase {
		case corev1.PodSucceeded, corev1.PodFailed:
			return nil // finished pods in a snapshot hold nothing
		}
		if p.Spec.NodeName != "" && p.Status.Phase == corev1.PodRunning {
			item.BoundTo = p.Spec.NodeName
		}
		for _, o := range p.OwnerReferences {
			if o.Controller != nil && *o.Controller {
				kp.Owner = o.Kind + "/" + o.Name
			}
		}
		r.set.Pods = append(r.set.Pods, item)
	case "Deployment", "ReplicaSet":
		var replicas *int32
		var sel *kube.LabelSelector
		var tmpl corev1.PodTemplateSpec
		var dep *appsv1.Deployment
		if kind == "Deployment" {
			var d appsv1.Deployment
			if err := decode(&d); err != nil {
				return err
			}
			dep = &d
			replicas, tmpl = d.Spec.Replicas, d.Spec.Template
			if sel, err = selector(d.Spec.Selector, at("spec.selector"), fail); err != nil {
				return err
			}
		} else {
			var d appsv1.ReplicaSet
			if err := decode(&d); err != nil {
				return err
			}
			replicas, tmpl = d.Spec.Replicas, d.Spec.Template
			if sel, err = selector(d.Spec.Selector, at("spec.selector"), fail); err != nil {
				return err
			}
		}
		if sel == nil || !sel.Matches(tmpl.Labels) {
			return fail("spec.selector", "the selector matches nothing: it does not select the template's labels %v", tmpl.Labels)
		}
		n := int32(1)
		if replicas != nil {
			n = *replicas
		}
		if n < 0 {
			return fail("spec.replicas", "expected a number >= 0, got %d", n)
		}
		kp, err := r.pod(&tmpl.Spec, tmpl.Labels, ns, name, at("spec.template.spec"), tr, src, fail)
		if err != nil {
			return err
		}
		kp.Owner = kind + "/" + name
		kp.OwnerSelector = sel
		if d, err := annDuration(anyMap(tmpl.Annotations), AnnotationDuration); err == nil && d > 0 && duration == 0 {
			duration = d
		}
		if dep != nil {
			if err := r.deployment(dep, kp, sel, n, int64(arrival), src, fail); err != nil {
				return err
			}
		}
		for i := range n {
			q := *kp
			q.Name = fmt.Sprintf("%s-%d", name, i)
			r.set.Pods = append(r.set.Pods, &PodItem{Pod: &q, SchedulerName: tmpl.Spec.SchedulerName, Arrival: arrival, Duration: duration, Grace: grace(&tmpl.Spec), Source: src, tmpl: kp})
		}
	case "Job":
		var j batchv1.Job
		if err := decode(&j); err != nil {
			return err
		}
		if j.Spec.PodFailurePolicy != nil {
			return fail("spec.podFailurePolicy", "not modelled (it decides whether a preempted pod counts against backoffLimit)")
		}
		if j.Spec.Suspend != nil && *j.Spec.Suspend {
			return fail("spec.suspend", "a suspended Job creates no pods; not modelled")
		}
		if j.Spec.CompletionMode != nil && *j.Spec.CompletionMode == batchv1.IndexedCompletion && j.Spec.BackoffLimitPerIndex != nil {
			return fail("spec.backoffLimitPerIndex", "not modelled")
		}
		job := &Job{Name: name, Namespace: ns, SchedulerName: j.Spec.Template.Spec.SchedulerName, Parallelism: 1, BackoffLimit: 6, Arrival: arrival, Duration: duration, Grace: grace(&j.Spec.Template.Spec), Source: src}
		if j.Spec.Parallelism != nil {
			job.Parallelism = *j.Spec.Parallelism
		}
		job.Completions = job.Parallelism
		if j.Spec.Completions != nil {
			job.Completions = *j.Spec.Completions
		}
		if j.Spec.BackoffLimit != nil {
			job.BackoffLimit = *j.Spec.BackoffLimit
		}
		if job.Parallelism < 0 || job.Completions < 0 || job.BackoffLimit < 0 {
			return fail("spec", "parallelism, completions and backoffLimit must be >= 0")
		}
		if j.Spec.ActiveDeadlineSeconds != nil {
			job.ActiveDeadline = time.Duration(*j.Spec.ActiveDeadlineSeconds) * time.Second
		}
		if d, err := annDuration(anyMap(j.Spec.Template.Annotations), AnnotationDuration); err == nil && d > 0 && job.Duration == 0 {
			job.Duration = d
		}
		kp, err := r.pod(&j.Spec.Template.Spec, j.Spec.Template.Labels, ns, name, at("spec.template.spec"), tr, src, fail)
		if err != nil {
			return err
		}
		kp.Owner = "Job/" + name
		if j.Spec.Selector != nil {
			if kp.OwnerSelector, err = selector(j.Spec.Selector, at("spec.selector"), fail); err != nil {
				return err
			}
		}
		job.Template = kp
		r.set.Jobs = append(r.set.Jobs, job)
	case "PriorityClass":
		var pc schedv1.PriorityClass
		if err := decode(&pc); err != nil {
			return err
		}
		c := PriorityClass{Value: pc.Value, GlobalDefault: pc.GlobalDefault, PreemptionPolicy: kube.PreemptLowerPriority}
		if pc.PreemptionPolicy != nil {
			switch *pc.PreemptionPolicy {
			case corev1.PreemptNever:
				c.PreemptionPolicy = kube.PreemptNever
			case corev1.PreemptLowerPriority:
			default:
				return fail("preemptionPolicy", "expected PreemptLowerPriority or Never, got %q", *pc.PreemptionPolicy)
			}
		}
		if _, builtin := r.set.PriorityClasses[name]; builtin {
			return fail("metadata.name", "%s is a built-in priority class", name)
		}
		if pc.GlobalDefault {
			for other, o := range r.set.PriorityClasses {
				if o.GlobalDefault {
					return fail("globalDefault", "PriorityClass %s is already the global default", other)
				}
			}
		}
		r.set.PriorityClasses[name] = c
		r.classes[name] = src
	case "PodDisruptionBudget":
		var b policyv1.PodDisruptionBudget
		if err := decode(&b); err != nil {
			return err
		}
		sel, err := selector(b.Spec.Selector, at("spec.selector"), fail)
		if err != nil {
			return err
		}
		pdb := &kube.PDB{Name: name, Namespace: ns, Selector: sel}
		set := 0
		for _, f := range []struct {
			v     *intOrStr
			field string
			into  **int32
		}{{(*intOrStr)(b.Spec.MinAvailable), "spec.minAvailable", &pdb.MinAvailable}, {(*intOrStr)(b.Spec.MaxUnavailable), "spec.maxUnavailable", &pdb.MaxUnavailable}} {
			if f.v == nil {
				continue
			}
			set++
			v, pct, err := f.v.value()
			if err != nil {
				return fail(f.field, "%v", err)
			}
			*f.into, pdb.Percent = &v, pct
		}
		if set != 1 {
			return fail("spec", "expected exactly one of minAvailable and maxUnavailable")
		}
		if b.Spec.UnhealthyPodEvictionPolicy != nil {
			return fail("spec.unhealthyPodEvictionPolicy", "not modelled")
		}
		r.set.PDBs = append(r.set.PDBs, pdb)
		r.pdbSrc = append(r.pdbSrc, src)
	case "Service":
		var sv corev1.Service
		if err := decode(&sv); err != nil {
			return err
		}
		return r.service(&sv, ns, src, tr.lineOf(at("spec.selector")), fail)
	case "HorizontalPodAutoscaler":
		var h autoscalingv2.HorizontalPodAutoscaler
		if err := decode(&h); err != nil {
			return err
		}
		return r.hpa(&h, ns, src, tr.lineOf(at("spec.scaleTargetRef.name")), fail)
	case "Node":
		var n corev1.Node
		if err := decode(&n); err != nil {
			return err
		}
		kn, err := node(&n, fail)
		if err != nil {
			return err
		}
		r.set.Nodes = append(r.set.Nodes, kn)
	}
	return nil
}

// grace is a pod spec's terminationGracePeriodSeconds, -1 when unset.
func grace(ps *corev1.PodSpec) time.Duration {
	if ps.TerminationGracePeriodSeconds == nil || *ps.TerminationGracePeriodSeconds < 0 {
		return -1
	}
	return time.Duration(*ps.TerminationGracePeriodSeconds) * time.Second
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func annDuration(ann map[string]any, key string) (time.Duration, error) {
	v, ok := ann[key]
	if !ok {
		return 0, nil
	}
	s := fmt.Sprint(v)
	d, err := time.ParseDuration(s)
	if err != nil {
		var f float64
		if _, e := fmt.Sscanf(s, "%g", &f); e != nil || fmt.Sprint(f) != strings.TrimSpace(s) {
			return 0, fmt.Errorf("expected a duration such as 90s or 1h30m, got %q", s)
		}
		d = time.Duration(f * float64(time.Second))
	}
	if d < 0 {
		return 0, fmt.Errorf("expected a duration >= 0, got %q", s)
	}
	return d, nil
}

// jsonErr positions an error of encoding/json.
func jsonErr(err error, tr *tree, prefix string, fail func(field, format string, a ...any) error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fail(findPath(tr, prefix, te.Field), "expected %s, got %s", te.Type.String(), te.Value)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		f = strings.Trim(f, `"`)
		return fail(findPath(tr, prefix, f), "unknown field %q", f)
	}
	return fail("", "%s", strings.TrimPrefix(msg, "json: "))
}

// findPath returns the first recorded path under prefix whose dotted form
// without list indexes ends with field.
func findPath(tr *tree, prefix, field string) string {
	var paths []string
	for p := range tr.lines {
		if strings.HasPrefix(p, prefix) {
			paths = append(paths, p)
		}
	}
	sort.Slice(paths, func(i, j int) bool { return tr.lines[paths[i]] < tr.lines[paths[j]] })
	for _, p := range paths {
		bare := p
		for strings.Contains(bare, "[") {
			i := strings.Index(bare, "[")
			j := strings.Index(bare[i:], "]")
			if j < 0 {
				break
			}
			bare = bare[:i] + bare[i+j+1:]
		}
		if bare == field || strings.HasSuffix(bare, "."+field) {
			return strings.TrimPrefix(strings.TrimPrefix(p, prefix), ".")
		}
	}
	return field
}

// checkQuantities parses every resource quantity of the object with the
// API's parser, so a bad one is reported at its line.
func checkQuantities(v any, tr *tree, path string) *posError {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			last := path
			if i := strings.LastIndex(path, "."); i >= 0 {
				last = path[i+1:]
			}
			isQ := (k == "requests" || k == "limits") && strings.HasSuffix(last, "resources") ||
				k == "overhead" || k == "allocatable" || k == "capacity"
			if q, ok := x[k].(map[string]any); ok && isQ {
				names := make([]string, 0, len(q))
				for n := range q {
					names = append(names, n)
				}
				slices.Sort(names)
				for _, n := range names {
					s := fmt.Sprint(q[n])
					if _, err := resource.ParseQuantity(s); err != nil {
						field := p + "." + n
						return &posError{line: tr.lineOf(field), field: field, msg: fmt.Sprintf("expected a quantity such as 500m, 2 or 4Gi, got %q", s)}
					}
				}
				continue
			}
			if pe := checkQuantities(x[k], tr, p); pe != nil {
				return pe
			}
		}
	case []any:
		for i, e := range x {
			if pe := checkQuantities(e, tr, fmt.Sprintf("%s[%d]", path, i)); pe != nil {
				return pe
			}
		}
	}
	return nil
}
