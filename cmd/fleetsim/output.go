package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/kube"
)

// Files of an output folder (--out DIR); docs/output.md documents them.
const (
	summaryFile  = "summary.json"
	seriesFile   = "series.csv"
	recordsFile  = "records.csv"
	podsFile     = "pods.csv"
	ganttFile    = "gantt.csv"
	eventsFile   = "events.csv"
	timelineFile = "timeline.csv"
	windowsFile  = "windows.csv"
	plotsDir     = "plots"
	reportFile   = "report.html"
)

// seriesCells bounds one run's time series under automatic sampling:
// samples × (nodes + 1) stays under about twice this many rows.
const seriesCells = 50_000

// outputFlags are the flags run and compare share for replications and
// results on disk.
type outputFlags struct {
	seeds       int
	out         string
	records     bool
	sampleEvery string
	noPlots     bool
}

func (f *outputFlags) add(cmd *cobra.Command) {
	cmd.Flags().IntVar(&f.seeds, "seeds", 1, "run each strategy with N seeds (the scenario's seed, +1, …) in parallel and report mean ± 95% CI")
	cmd.Flags().StringVarP(&f.out, "out", "o", "", "write summary.json, series.csv and plots/ to this folder (created if missing)")
	cmd.Flags().BoolVar(&f.records, "out-records", false, "with --out, also write every task's record to records.csv")
	cmd.Flags().StringVar(&f.sampleEvery, "sample-every", "auto", "with --out, the time series interval (a duration), or auto: a round interval doubled as needed so a run keeps at most 2 × max samples, max = 50000/(nodes+1) clamped to 25..200 (docs/output.md)")
	cmd.Flags().BoolVar(&f.noPlots, "no-plots", false, "with --out, skip plots/")
}

// check validates the flags before anything runs.
func (f *outputFlags) check() error {
	if f.seeds < 1 {
		return fmt.Errorf("--seeds: expected an integer >= 1, got %d", f.seeds)
	}
	if err := checkSeeds(f.seeds); err != nil {
		return err
	}
	if f.records && f.out == "" {
		return errors.New("--out-records needs --out DIR")
	}
	if f.sampleEvery != "auto" {
		d, err := scenario.ParseDuration(f.sampleEvery)
		if err != nil || d <= 0 {
			return fmt.Errorf("--sample-every: expected auto or a duration > 0 such as 1s or 250ms, got %q", f.sampleEvery)
		}
	}
	return nil
}

// seedList is the scenario's seed and the N-1 after it.
func seedList(first uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

// sampling is the series configuration of the runs of sc.
func (f *outputFlags) sampling(sc *scenario.Scenario) sim.Sampling {
	if f.sampleEvery != "auto" {
		d, _ := scenario.ParseDuration(f.sampleEvery)
		return sim.Sampling{Every: d}
	}
	return autoSampling(sc)
}

// autoSampling starts at a round interval near a thousandth of the run's
// expected length (1 ms when it is not known) and lets the sampler double
// it, keeping between max and 2·max samples of nodes+1 rows each.
func autoSampling(sc *scenario.Scenario) sim.Sampling {
	maxSamples := max(25, min(200, seriesCells/(sc.NodeCount()+1)))
	every := sim.Millisecond
	var expected float64 // seconds
	switch {
	case sc.Stop.Time > 0:
		expected = sc.Stop.Time.Seconds()
	case sc.Stop.Tasks > 0 && sc.Workload.Arrivals != nil && sc.Workload.Arrivals.Rate > 0:
		expected = float64(sc.Stop.Tasks) / sc.Workload.Arrivals.Rate
	}
	if expected > 0 {
		every = roundDown(expected / float64(2*maxSamples))
	}
	return sim.Sampling{Every: every, Max: maxSamples}
}

// roundDown is the largest 1, 2 or 5 × 10^k seconds at or below s (at
// least 1 µs).
func roundDown(s float64) sim.Time {
	if s <= 1e-6 {
		return sim.Microsecond
	}
	p := math.Pow(10, math.Floor(math.Log10(s)))
	m := 1.0
	for _, c := range []float64{2, 5} {
		if c*p <= s {
			m = c
		}
	}
	return sim.FromSeconds(m * p)
}

// bundle collects the files of an output folder while runs write their
// parts; commit joins the parts in job order and renames everything into
// place, so the folder never holds a half-written file under a real name.
type bundle struct {
	od      *reports.OutDir
	dir     string     // od's staging folder, where everything is written
	records []*os.File // per job; nil entries when not asked
	series  []*os.File
	pods    []*os.File // per job of a Kubernetes workload
	gantt   []*os.File // per job of central queueing: one workflow's schedule
	ganttN  []int      // rows in each gantt part
	events  []*os.File // per job of a Kubernetes workload with controllers
	// per job of a Kubernetes workload with controllers: timeline.csv
	// and windows.csv
	timeline, windows []*os.File
}

// newBundle creates dir and a part file per job for what is asked, and
// wires the jobs to write into them.
func newBundle(dir string, jobs []job, f *outputFlags) (*bundle, error) {
	od, err := reports.CreateOutDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	b := &bundle{od: od, dir: od.Path(), records: make([]*os.File, len(jobs)), series: make([]*os.File, len(jobs)), pods: make([]*os.File, len(jobs)),
		gantt: make([]*os.File, len(jobs)), ganttN: make([]int, len(jobs)), events: make([]*os.File, len(jobs)),
		timeline: make([]*os.File, len(jobs)), windows: make([]*os.File, len(jobs))}
	for i := range jobs {
		j := &jobs[i]
		j.cdf = true
		j.opt.Series = f.sampling(j.sc)
		if err := boundSampling(j.sc, &j.opt.Series, len(jobs)); err != nil {
			return nil, err
		}
		sf, err := os.CreateTemp(b.dir, ".series-*.part")
		if err != nil {
			b.abort()
			return nil, fmt.Errorf("--out: %w", err)
		}
		b.series[i] = sf
		var rw *reports.RecordWriter
		if f.records {
			rf, err := os.CreateTemp(b.dir, ".records-*.part")
			if err != nil {
				b.abort()
				return nil, fmt.Errorf("--out: %w", err)
			}
			b.records[i] = rf
			rw = reports.NewLabeledRecordWriter(rf, j.sc.EngineNodes(), j.spec.String(), j.seed)
			j.opt.OnRecord = func(r *sim.Record) { rw.Write(r) }
		}
		var pw *csv.Writer
		if j.sc.Workload.Kubernetes != nil {
			pf, err := os.CreateTemp(b.dir, ".pods-*.part")
			if err != nil {
				b.abort()
				return nil, fmt.Errorf("--out: %w", err)
			}
			b.pods[i] = pf
			pw = csv.NewWriter(pf)
			label, seed := j.spec.String(), strconv.FormatUint(j.seed, 10)
			j.opt.OnPod = func(p *scenario.PodRecord) { _ = pw.Write(podRow(label, seed, p)) }
		}
		var ew *csv.Writer
		if k := j.sc.Workload.Kubernetes; k != nil && k.Controllers {
			ef, err := os.CreateTemp(b.dir, ".events-*.part")
			if err != nil {
				b.abort()
				return nil, fmt.Errorf("--out: %w", err)
			}
			b.events[i] = ef
			ew = csv.NewWriter(ef)
			label, seed := j.spec.String(), strconv.FormatUint(j.seed, 10)
			j.opt.OnEvent = func(e *kube.Event) { _ = ew.Write(eventRow(label, seed, e)) }
		}
		var tw, ww *csv.Writer
		if k := j.sc.Workload.Kubernetes; k != nil && k.Controllers {
			tf, err := os.CreateTemp(b.dir, ".timeline-*.part")
			if err != nil {
				b.abort()
				return nil, fmt.Errorf("--out: %w", err)
			}
			b.timeline[i] = tf
			wf, err := os.CreateTemp(b.dir, ".windows-*.part")
			if err != nil {
				b.abort()
				return nil, fmt.Errorf("--out: %w", err)
			}
			b.windows[i] = wf
			tw, ww = csv.NewWriter(tf), csv.NewWriter(wf)
			label, seed := j.spec.String(), strconv.FormatUint(j.seed, 10)
			j.opt.Timeline = timelineEvery(j.sc, f)
			j.opt.OnSample = func(s *scenario.TimelineSample) { timelineRows(tw, label, seed, s) }
			j.opt.OnWindow = func(w *scenario.Window) { _ = ww.Write(windowRow(label, seed, w)) }
		}
		nodes := j.sc.EngineNodes()
		var gw *reports.GanttWriter
		if j.sc.Cluster.Queueing == scenario.QueueingCentral {
			gf, err := os.CreateTemp(b.dir, ".gantt-*.part")
			if err != nil {
				b.abort()
				return nil, fmt.Errorf("--out: %w", err)
			}
			b.gantt[i] = gf
			gw = reports.NewGanttPartWriter(gf)
			j.opt.OnRecord = ganttRecorder(gw, &b.ganttN[i], nodes, j.spec.String(), j.seed, j.opt.OnRecord)
		}
		j.done = func(res *sim.Result) error {
			if gw != nil {
				if err := gw.Flush(); err != nil {
					return fmt.Errorf("--out %s: %w", dir, err)
				}
			}
			if pw != nil {
				if pw.Flush(); pw.Error() != nil {
					return fmt.Errorf("--out %s: %w", dir, pw.Error())
				}
			}
			for _, cw := range []*csv.Writer{ew, tw, ww} {
				if cw != nil {
					if cw.Flush(); cw.Error() != nil {
						return fmt.Errorf("--out %s: %w", dir, cw.Error())
					}
				}
			}
			if rw != nil {
				if err := rw.Flush(); err != nil {
					return fmt.Errorf("--out %s: %w", dir, err)
				}
			}
			err := writeSeriesPart(sf, res, nodes)
			res.Series = nil // on disk now
			if err != nil {
				return fmt.Errorf("--out %s: %w", dir, err)
			}
			return nil
		}
	}
	return b, nil
}

// ganttRecorder passes each record on to next (when set) and writes the
// tasks of the run's first workflow to end (the workflow of the first
// record that has one) that ran, as gantt.csv rows, counting them in n.
func ganttRecorder(gw *reports.GanttWriter, n *int, nodes []sim.NodeSpec, strategy string, seed uint64, next func(*sim.Record)) func(*sim.Record) {
	var wf string
	row := reports.GanttRow{Strategy: strategy, Seed: seed}
	return func(r *sim.Record) {
		if next != nil {
			next(r)
		}
		t := r.Task
		if t.Workflow == "" || (wf != "" && t.Workflow != wf) || r.Status != sim.Completed || r.Node < 0 || r.Node >= len(nodes) {
			return
		}
		wf = t.Workflow
		row.Workflow, row.Arrival, row.Task, row.Class = wf, t.Arrival.Seconds(), t.ID, t.Class
		row.NodeIndex, row.Node = r.Node, nodes[r.Node].Name
		row.Start, row.Finish = r.Start.Seconds(), r.Finish.Seconds()
		gw.Write(&row)
		*n++
	}
}

// writeSeriesPart writes a run's samples as series.csv rows, no header.
func writeSeriesPart(w io.Writer, res *sim.Result, nodes []sim.NodeSpec) error {
	s := res.Series
	if s == nil {
		return nil
	}
	sw := reports.NewSeriesPartWriter(w)
	row := reports.SeriesRow{Strategy: res.Strategy, Seed: res.Seed}
	for k := 0; k < s.Len(); k++ {
		row.T = s.T[k].Seconds()
		for i := -1; i < s.Nodes; i++ {
			row.Node, row.State = reports.ClusterNode, ""
			if i >= 0 {
				row.Node, row.State = nodes[i].Name, s.StateAt(k, i).String()
			}
			u, a, q := s.At(k, i)
			row.Utilization, row.Active, row.Queued = u, int64(a), int64(q)
			sw.Write(&row)
		}
	}
	return sw.Flush()
}

// join writes header and then each part, in order, to name in the folder.
func (b *bundle) join(name, header string, parts []*os.File) error {
	out, err := reports.CreateAtomic(filepath.Join(b.dir, name))
	if err != nil {
		return err
	}
	if _, err := io.WriteString(out, header); err != nil {
		out.Abort()
		return err
	}
	for _, p := range parts {
		if _, err := p.Seek(0, io.SeekStart); err != nil {
			out.Abort()
			return err
		}
		if _, err := io.Copy(out, p); err != nil {
			out.Abort()
			return err
		}
	}
	return out.Commit()
}

// commit writes series.csv, records.csv (when asked) and summary.json into
// the staging folder, and removes the parts; finish then puts the folder
// in place.
func (b *bundle) commit(sum *reports.Summary) error {
	defer b.closeParts()
	if err := b.join(seriesFile, reports.SeriesHeader, b.series); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if b.records[0] != nil {
		if err := b.join(recordsFile, reports.LabeledRecordsHeader, b.records); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	if b.pods[0] != nil {
		if err := b.join(podsFile, podsHeader, b.pods); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	rows := 0
	for _, n := range b.ganttN {
		rows += n
	}
	if rows > 0 {
		if err := b.join(ganttFile, reports.GanttHeader, b.gantt); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	if b.events[0] != nil {
		if err := b.join(eventsFile, eventsHeader, b.events); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	if b.timeline[0] != nil {
		if err := b.join(timelineFile, reports.TimelineHeader, b.timeline); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		if err := b.join(windowsFile, reports.WindowsHeader, b.windows); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
	}
	return writeAtomic(filepath.Join(b.dir, summaryFile), func(w io.Writer) error { return reports.WriteSummary(w, sum) })
}

// finish puts the staged folder in the place of --out, as one unit.
func (b *bundle) finish() error {
	if err := b.od.Commit(); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// abort removes the part files and the staging folder; --out is untouched.
// It is safe after finish.
func (b *bundle) abort() {
	b.closeParts()
	b.od.Abort()
}

// closeParts closes and removes the part files.
func (b *bundle) closeParts() {
	for _, list := range [][]*os.File{b.records, b.series, b.pods, b.gantt, b.events, b.timeline, b.windows} {
		for i, f := range list {
			if f != nil {
				f.Close()
				os.Remove(f.Name())
				list[i] = nil
			}
		}
	}
}

// writeAtomic writes a file through fill, atomically.
func writeAtomic(path string, fill func(w io.Writer) error) error {
	f, err := reports.CreateAtomic(path)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Abort()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Commit()
}

// summaryOf describes runs of sc for summary.json.
func summaryOf(sc *scenario.Scenario, seeds []uint64, results []sim.Result) *reports.Summary {
	s := &reports.Summary{
		Fleetsim: fullVersion(),
		Command:  commandLine(),
		Scenario: reports.ScenarioInfo{
			Name: sc.Name, File: sc.File, Description: sc.Description, Nodes: sc.NodeCount(),
			Stop: sc.Stop.String(), Warmup: sc.Warmup.String(), Seeds: seeds,
			YAML: string(sc.YAML),
		},
		Results: results,
	}
	if len(seeds) > 1 {
		s.Aggregates = reports.Aggregates(results)
	}
	return s
}

// commandLine is the command as typed, arguments quoted where needed.
func commandLine() string {
	args := make([]string, len(os.Args))
	for i, a := range os.Args {
		if i == 0 {
			a = filepath.Base(a)
		}
		if a == "" || strings.ContainsAny(a, " \t\n'\"$`\\|&;<>()*?[]#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		args[i] = a
	}
	return strings.Join(args, " ")
}

// aliasFlags makes each old flag spelling name its new flag on cmd (old
// spellings keep working; help shows the new one): every verb spells its
// output -o/--out and its stdout format -f/--format.
func aliasFlags(cmd *cobra.Command, oldToNew map[string]string) {
	cmd.Flags().SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if n, ok := oldToNew[name]; ok {
			name = n
		}
		return pflag.NormalizedName(name)
	})
}

// podsHeader heads pods.csv: one row per pod of a Kubernetes run (a
// preempted pod and its replacement are two rows; the replacement's name
// gets .1, .2, ...). Times are simulated seconds, -1 when it did not
// happen.
const podsHeader = "strategy,seed,pod,owner,priority,node,zone,created_s,bound_s,started_s,ended_s,reason\n"

// eventsHeader heads events.csv: the control loops' events of a Kubernetes
// run with controllers, in the order they happened (kubectl get events
// order): time in simulated seconds, the object (Kind/name), the reason
// and the message.
const eventsHeader = "strategy,seed,time_s,object,reason,message\n"

func eventRow(label, seed string, e *kube.Event) []string {
	return []string{label, seed, strconv.FormatFloat(float64(e.Time)/float64(kube.Second), 'f', -1, 64), e.Object, e.Reason, e.Message}
}

func podRow(label, seed string, p *scenario.PodRecord) []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return []string{label, seed, p.Pod, p.Owner, strconv.Itoa(int(p.Priority)), p.Node, p.Zone,
		f(p.Created), f(p.Bound), f(p.Started), f(p.Ended), p.Reason}
}

// timelineSamples is about how many samples timeline.csv takes of a run
// under --sample-every auto.
const timelineSamples = 1000

// timelineEvery is the timeline's sampling interval: --sample-every, or
// under auto a round interval (1, 2 or 5 × 10^k s) giving 1,000 to 2,500
// samples over the stop time.
func timelineEvery(sc *scenario.Scenario, f *outputFlags) sim.Time {
	if f.sampleEvery != "auto" {
		d, _ := scenario.ParseDuration(f.sampleEvery)
		return d
	}
	return roundDown(max(sc.Stop.Time.Seconds(), 1) / timelineSamples)
}

// timelineRows writes one sample as timeline.csv rows: each Deployment's
// Ready pods and replicas, then pending pods, machines up and cost.
func timelineRows(w *csv.Writer, label, seed string, s *scenario.TimelineSample) {
	t := strconv.FormatFloat(s.T.Seconds(), 'f', -1, 64)
	row := []string{label, seed, t, "", ""}
	put := func(series, value string) {
		row[3], row[4] = series, value
		_ = w.Write(row)
	}
	for i, d := range s.Deployments {
		put(reports.TimelineReady+d, strconv.Itoa(int(s.Ready[i])))
		put(reports.TimelineReplicas+d, strconv.Itoa(int(s.Replicas[i])))
	}
	put(reports.TimelinePending, strconv.Itoa(s.Pending))
	put(reports.TimelineNodes, strconv.Itoa(s.Nodes))
	put(reports.TimelineCost, strconv.FormatFloat(s.Cost, 'g', 6, 64))
}

func windowRow(label, seed string, w *scenario.Window) []string {
	f := func(t sim.Time) string { return strconv.FormatFloat(t.Seconds(), 'f', -1, 64) }
	return []string{label, seed, f(w.Start), f(w.End), w.Kind, w.Name}
}
