package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fleetsim/fleetsim/realexec"
	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
)

// validationScenario is what validate, real run and real calibrate use
// when given no scenario.
const validationScenario = "validation"

// defaultRealDir is where `real up` puts its daemons unless told.
func defaultRealDir() string { return filepath.Join(os.TempDir(), "fleetsim-real") }

func newRealCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "real",
		Short: "Run scenarios on live containerd nodes: up, down, run, calibrate",
		Long: `Real execution: the same strategies on containerd daemons, one per cluster
node. Nodes come from the scenario's real: section, else from the daemons
that 'fleetsim real up' started in --dir; with neither, run, calibrate and
validate start temporary daemons for the run and stop them after. Needs
root, containerd and runc (Debian: apt-get install containerd runc).`,
	}
	c.AddCommand(newRealUpCmd(), newRealDownCmd(), newRealRunCmd(), newRealCalibrateCmd(), newRealGuardCmd())
	return c
}

func newRealUpCmd() *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "up N",
		Short: "Start N private containerd daemons under a folder (printed)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 1 || n > 64 {
				return fmt.Errorf("real up: expected a node count from 1 to 64, got %q", args[0])
			}
			ds, err := realexec.Up(dir, n, "")
			if err != nil {
				return err
			}
			abs, _ := filepath.Abs(dir)
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n", abs)
			for _, d := range ds {
				fmt.Fprintf(cmd.OutOrStdout(), "node-%d  pid %d  %s\n", d.Index, d.PID, d.Address)
			}
			return nil
		},
	}
	c.Flags().StringVar(&dir, "dir", defaultRealDir(), "folder of the daemons (each in DIR/node-i)")
	return c
}

func newRealDownCmd() *cobra.Command {
	var dir, ns string
	c := &cobra.Command{
		Use:   "down",
		Short: "Stop the daemons of 'real up' and remove what they left",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ds, err := realexec.Daemons(dir)
			if err != nil {
				return err
			}
			if err := realexec.Down(cmd.Context(), dir, ns); err != nil {
				return err
			}
			if _, err := os.Stat(dir); err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "stopped %d daemons, removed their folders; kept %s, which holds other files\n", len(ds), dir)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "stopped %d daemons, removed %s\n", len(ds), dir)
			}
			return nil
		},
	}
	c.Flags().StringVar(&dir, "dir", defaultRealDir(), "folder of the daemons")
	c.Flags().StringVar(&ns, "namespace", scenario.DefaultNamespace, "containerd namespace to clean before stopping")
	return c
}

// realFlags are what the verbs that run on real nodes share.
type realFlags struct {
	sf         scenarioFlags
	dir        string
	strategies []string
	verbose    bool
}

func (f *realFlags) add(cmd *cobra.Command) {
	f.sf.add(cmd)
	cmd.Flags().StringVar(&f.dir, "dir", defaultRealDir(), "folder of daemons started by 'fleetsim real up' (used when the scenario has no real.nodes)")
	cmd.Flags().StringSliceVarP(&f.strategies, "strategy", "s", nil, "strategies to run (default: the scenario's)")
	cmd.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "log the runner's events to stderr")
}

// realSetup is a scenario ready to run on real nodes.
type realSetup struct {
	sc    *scenario.Scenario
	specs []scenario.StrategySpec
	nodes []realexec.NodeConfig
	image *realexec.Image
	text  []byte
	dir   string
	down  func() // stops temporary daemons (no-op otherwise)
	// cfg is the real run of sc on nodes (realexec.ConfigFor), logging
	// to stderr with -v.
	cfg realexec.Config
}

// setupReal loads the scenario (default: validation), finds or starts its
// nodes and builds the workload image.
func (f *realFlags) setup(cmd *cobra.Command, args []string) (*realSetup, error) {
	name := validationScenario
	if len(args) > 0 {
		name = args[0]
	}
	sc, err := scenario.Resolve(name)
	if err != nil {
		return nil, err
	}
	if err := f.sf.apply(cmd, sc); err != nil {
		return nil, err
	}
	s := &realSetup{sc: sc, down: func() {}}
	if s.specs, err = pickStrategies(sc, f.strategies); err != nil {
		return nil, err
	}
	if s.text, s.dir, err = scenario.Text(name); err != nil {
		return nil, err
	}
	var log io.Writer
	if f.verbose {
		log = cmd.ErrOrStderr()
	}
	stderr := cmd.ErrOrStderr()
	ns := scenario.DefaultNamespace
	if sc.Real != nil {
		ns = sc.Real.Namespace
	}
	var daemons []realexec.Daemon
	tempDir := ""
	if sc.Real == nil || len(sc.Real.Nodes) == 0 {
		daemons, _ = realexec.Daemons(f.dir)
		live := daemons[:0]
		for _, d := range daemons {
			if d.PID > 0 {
				live = append(live, d)
			}
		}
		daemons = live
		// Daemons there, but not one per node: say so rather than run on
		// some of them or start others beside them.
		if len(daemons) > 0 && len(daemons) != sc.NodeCount() {
			return nil, fmt.Errorf("--dir %s: %d running daemons, but %s has %d nodes; expected one daemon per node "+
				"(fleetsim real down --dir %s, then fleetsim real up %d --dir %s; or leave --dir out for temporary daemons)",
				f.dir, len(daemons), sc.File, sc.NodeCount(), f.dir, sc.NodeCount(), f.dir)
		}
		if len(daemons) < sc.NodeCount() {
			reapTemporaries(cmd.Context(), stderr)
			tmp, err := os.MkdirTemp("", "fsr")
			if err != nil {
				return nil, err
			}
			tempDir = tmp
			// Registered at once (a kill -9 before the guard starts leaves
			// a registered folder the next start removes), then the guard:
			// kill -9 during Up must not leave daemons. The folder is named
			// only once the guard watches it: named earlier, a kill in
			// between left a folder its reader expected the guard to remove.
			registerTemporary(tmp, ns, nil)
			g := startGuard(stderr, tmp, true, ns, nil)
			registerTemporary(tmp, ns, g)
			fmt.Fprintf(stderr, "starting %d temporary containerd daemons under %s\n", sc.NodeCount(), tmp)
			s.down = func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if err := realexec.Down(ctx, tmp, ns); err != nil {
					fmt.Fprintf(stderr, "stopping the temporary daemons: %v\n", err)
				} else {
					unregisterTemporary(tmp)
				}
				g.Done()
			}
			if daemons, err = realexec.Up(tmp, sc.NodeCount(), ""); err != nil {
				s.down()
				return nil, err
			}
		}
	}
	if s.nodes, err = realexec.NodesFor(sc, daemons); err != nil {
		s.down()
		return nil, err
	}
	if tempDir == "" {
		// Daemons that outlive the command: if it dies, its containers go.
		g := startGuard(stderr, "", false, ns, s.nodes)
		s.down = g.Done
	}
	bin, err := realexec.WorkBinary(filepath.Join(os.TempDir(), "fleetsim-work-build"))
	if err == nil {
		s.image, err = realexec.BuildImage(bin)
	}
	if err == nil {
		s.cfg, err = realexec.ConfigFor(sc, s.nodes, s.image)
	}
	if err != nil {
		s.down()
		return nil, err
	}
	s.cfg.Log = log
	return s, nil
}

// realExtraHeader is the first line of real.csv: what a real run records
// beyond the simulator's records (times in seconds from the run's start).
const realExtraHeader = "strategy,id,node,decided,created,started,exited,exit_code,cpu_s,memory_max,inside_s,work_s,error\n"

// csvSafe keeps an error message within one CSV field.
var csvSafe = strings.NewReplacer(",", ";", "\n", " ", "\"", "'")

func writeRealExtra(w io.Writer, strategy string, r *realexec.Record, nodes []sim.NodeSpec) error {
	node := ""
	if r.Node >= 0 && r.Node < len(nodes) {
		node = nodes[r.Node].Name
	}
	secs := func(t sim.Time) string { return strconv.FormatFloat(t.Seconds(), 'f', 6, 64) }
	errText := csvSafe.Replace(r.Err)
	_, err := fmt.Fprintf(w, "%s,%d,%s,%s,%s,%s,%s,%d,%s,%d,%s,%s,%s\n", strategy, r.Task.ID, node, secs(r.Decided), secs(r.Created), secs(r.Started), secs(r.Exited),
		r.ExitCode, strconv.FormatFloat(r.CPUSeconds, 'f', 6, 64), r.MemoryMax, secs(r.Inside), secs(r.WorkTime), errText)
	return err
}

func newRealRunCmd() *cobra.Command {
	var rf realFlags
	var out string
	c := &cobra.Command{
		Use:   "run [SCENARIO]",
		Short: "Run a scenario's strategies on real containerd nodes and record every task",
		Long: `Runs each strategy of the scenario (default: the embedded validation
scenario) on real nodes, one after the other, and writes into --out DIR:
records.csv (the simulator's records format, strategy and seed first),
real.csv (decision, create, start, exit, exit code, CPU time, peak memory
per task) and gpu.csv (GPU telemetry, when the nodes have GPUs).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The folder is checked (and its staging folder made) before
			// any daemon starts, and written as one unit: a killed run
			// leaves the previous result whole, and its records so far in
			// the staging folder beside it until the next run there.
			od, err := reports.CreateOutDir(out)
			if err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			defer od.Abort() // a no-op once committed
			s, err := rf.setup(cmd, args)
			if err != nil {
				return err
			}
			defer s.down()
			stage := od.Path()
			files := map[string]*bufio.Writer{}
			var opened []*os.File
			defer func() {
				for _, f := range opened {
					f.Close()
				}
			}()
			// closeAll flushes and closes every file: a write error (a
			// full disk) is the command's error, exit 2.
			closeAll := func() error {
				var errs []error
				for _, name := range []string{"records.csv", "real.csv", "gpu.csv"} {
					if err := files[name].Flush(); err != nil {
						errs = append(errs, fmt.Errorf("%s: %w", filepath.Join(stage, name), err))
					}
				}
				for _, f := range opened {
					if err := f.Close(); err != nil {
						errs = append(errs, err)
					}
				}
				opened = nil
				return errors.Join(errs...)
			}
			for _, name := range []string{"records.csv", "real.csv", "gpu.csv"} {
				f, err := os.Create(filepath.Join(stage, name))
				if err != nil {
					return err
				}
				opened = append(opened, f)
				files[name] = bufio.NewWriter(f)
			}
			files["records.csv"].WriteString(reports.LabeledRecordsHeader)
			files["real.csv"].WriteString(realExtraHeader)
			files["gpu.csv"].WriteString("strategy,time_s,gpu,utilization_pct,memory_utilization_pct,memory_used,power_w,processes\n")
			cfg := s.cfg
			w := cmd.OutOrStdout()
			var head = []string{"strategy", "tasks", "completed", "failed", "dropped", "p50 (s)", "p99 (s)", "mean (s)", "throughput (/s)", "per node", "wall (s)"}
			var rows [][]string
			for _, spec := range s.specs {
				strat, stop, err := s.sc.StartStrategy(spec, s.sc.Seed)
				if err != nil {
					return err
				}
				src, closer, err := s.sc.WorkloadSource(s.sc.Seed)
				if err != nil {
					stop.Close()
					return err
				}
				rw := reports.NewLabeledRecordWriter(files["records.csv"], cfg.Nodes, spec.String(), s.sc.Seed)
				var outs []realexec.Outcome
				var werr error
				runCtx, stopRun := context.WithCancel(cmd.Context())
				cfg.OnRecord = func(r *realexec.Record) {
					outs = append(outs, realexec.OutcomeOf(&r.Record))
					// Flushed per task: a real run is slow, and what ended
					// must survive the process being killed.
					werr = errors.Join(werr, rw.Write(&r.Record), writeRealExtra(files["real.csv"], spec.String(), r, cfg.Nodes),
						rw.Flush(), files["records.csv"].Flush(), files["real.csv"].Flush())
					if werr != nil {
						stopRun() // records can no longer be kept: stop now
					}
				}
				cfg.OnGPU = func(g realexec.GPUSample) {
					fmt.Fprintf(files["gpu.csv"], "%s,%.3f,%d,%d,%d,%d,%.1f,%d\n", spec.String(), g.At.Seconds(), g.GPU, g.Util, g.MemUtil, g.MemUsed, g.PowerW, len(g.Procs))
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "%s on %d real nodes...\n", spec, len(s.nodes))
				res, err := realexec.Run(runCtx, cfg, src, strat)
				stopRun()
				closer.Close()
				stop.Close()
				if ferr := rw.Flush(); werr == nil {
					werr = ferr
				}
				if werr != nil {
					return fmt.Errorf("writing the records in %s: %w (run stopped, containers removed)", out, werr)
				}
				if err != nil {
					// What ended is kept (Ctrl-C, a node lost): the folder
					// is committed as it is.
					if cerr := errors.Join(closeAll(), od.Commit()); cerr != nil {
						return errors.Join(realErr(err), fmt.Errorf("keeping the records so far: %w", cerr))
					}
					if errors.Is(err, realexec.ErrInterrupted) {
						fmt.Fprintf(cmd.ErrOrStderr(), "interrupted: containers removed; records so far are in %s\n", out)
					} else {
						fmt.Fprintf(cmd.ErrOrStderr(), "records so far are in %s\n", out)
					}
					return realErr(err)
				}
				if werr != nil {
					return werr
				}
				st := realexec.Summarize(outs, len(cfg.Nodes))
				rows = append(rows, []string{spec.String(), itoa(st.Tasks), itoa(st.Completed), itoa(st.Failed), itoa(st.Dropped),
					f4(st.P50), f4(st.P99), f4(st.Mean), f2(st.Throughput), counts(st.PerNode), f2(res.Wall.Seconds())})
				if res.GPUError != "" {
					fmt.Fprintf(cmd.ErrOrStderr(), "GPU tasks refused: %s\n", res.GPUError)
				}
			}
			if err := closeAll(); err != nil {
				return err
			}
			if err := od.Commit(); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			if err := reports.WriteTable(w, head, rows, reports.FormatTable); err != nil {
				return err
			}
			fmt.Fprintf(w, "records in %s\n", out)
			return nil
		},
	}
	rf.add(c)
	c.Flags().StringVarP(&out, "out", "o", "real-out", "folder for records.csv, real.csv and gpu.csv")
	return c
}

func newRealCalibrateCmd() *cobra.Command {
	var rf realFlags
	var out string
	var tasks int64
	var seed uint64
	c := &cobra.Command{
		Use:   "calibrate [SCENARIO]",
		Short: "Measure container start-up and node speeds; write them into the scenario",
		Long: `Runs a probe (the scenario's workload drawn with another seed, --probe-tasks
tasks, task k on node k mod n) on the real nodes and fits the simulator's
model of a task's service to it: cluster.startup (mean and CV of the time
between taking a slot and the exit, less the workload's CPU work) and each
node group's speed (work at speed 1 over the time the work took). The
scenario is written back with those figures, everything else kept, to
--out (default: standard output).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := rf.setup(cmd, args)
			if err != nil {
				return err
			}
			defer s.down()
			if seed == 0 {
				seed = s.sc.Seed + 1
			}
			src, closer, err := s.sc.WorkloadSource(seed)
			if err != nil {
				return err
			}
			defer closer.Close()
			cal, err := realexec.Calibrate(cmd.Context(), s.cfg, realexec.Probe{Source: src, Tasks: tasks})
			if err != nil {
				return realErr(err)
			}
			text, err := scenario.Calibrate(s.text, cal.Startup, cal.Groups)
			if err != nil {
				return err
			}
			printCalibration(cmd.ErrOrStderr(), cal, s.sc.Nodes())
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(text)
				return err
			}
			if err := writeAtomic(out, func(w io.Writer) error { _, err := w.Write(text); return err }); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "calibrated scenario written to %s\n", out)
			return nil
		},
	}
	rf.add(c)
	c.Flags().StringVarP(&out, "out", "o", "", "calibrated scenario file (default: standard output)")
	c.Flags().Int64Var(&tasks, "probe-tasks", 60, "tasks in the probe")
	c.Flags().Uint64Var(&seed, "probe-seed", 0, "seed of the probe's workload (default: the scenario's seed + 1)")
	return c
}

func printCalibration(w io.Writer, cal *realexec.Calibration, nodes []sim.NodeSpec) {
	fmt.Fprintf(w, "start-up: mean %.4f s, cv %.3f (p50 %.4f s, p99 %.4f s) over %d probe tasks\n", cal.StartupS, cal.StartupCV, cal.StartupP50, cal.StartupP99, cal.Samples)
	for i, v := range cal.Speeds {
		fmt.Fprintf(w, "speed of %s: %.4f\n", nodes[i].Name, v)
	}
}

func newValidateCmd() *cobra.Command {
	var rf realFlags
	var out, format string
	var probe int64
	var asJSON bool
	var maxErr float64
	c := &cobra.Command{
		Use:   "validate [SCENARIO]",
		Short: "Run a scenario on real nodes and in the simulator; report the model's error",
		Long: `Runs each strategy of the scenario (default: the embedded validation
scenario) on real containerd nodes and simulates it with the same seed and
strategy, then compares them task by task: sojourn p50, p99 and mean with
their relative errors |sim - real| / real, the mean per-task relative
error, throughput and per-node task counts. First (unless --probe-tasks 0)
it calibrates on a probe of the workload drawn with another seed, and
compares the calibrated model too. With --out DIR: validation.json,
records-real.csv, calibrated.yaml and cdf.svg (the sojourn CDFs).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := rf.setup(cmd, args)
			if err != nil {
				return err
			}
			defer s.down()
			var recs strings.Builder
			recs.WriteString(reports.LabeledRecordsHeader)
			nodes := s.sc.Nodes()
			writers := map[string]*reports.RecordWriter{} // by strategy
			phases := 2 * len(s.specs)
			if probe > 0 {
				phases++
			}
			prog := newRealProgress(cmd.ErrOrStderr(), phases)
			defer prog.Stop()
			v, err := realexec.Validate(cmd.Context(), realexec.ValidateConfig{
				Scenario: s.sc, Strategies: s.specs, Nodes: s.nodes, Image: s.image,
				ProbeTasks: probe, Text: s.text, Dir: s.dir, Log: s.cfg.Log,
				OnPhase: prog.Phase,
				OnRecord: func(strategy string, r *realexec.Record) {
					prog.Task()
					rw := writers[strategy]
					if rw == nil {
						rw = reports.NewLabeledRecordWriter(&recs, nodes, strategy, s.sc.Seed)
						writers[strategy] = rw
					}
					_ = rw.Write(&r.Record) // a strings.Builder does not fail
				},
			})
			for _, rw := range writers {
				_ = rw.Flush()
			}
			prog.Stop()
			if errors.Is(err, realexec.ErrInterrupted) {
				fmt.Fprintf(cmd.ErrOrStderr(), "interrupted during %s: containers removed, temporary daemons stopped; nothing written\n", prog.Current())
			}
			if err != nil {
				return realErr(err)
			}
			w := cmd.OutOrStdout()
			if asJSON || format == reports.FormatJSON {
				err = reports.WriteJSON(w, v)
			} else {
				if v.Calibration != nil {
					printCalibration(w, v.Calibration, nodes)
				}
				err = writeValidation(w, v, format)
			}
			if err != nil {
				return err
			}
			if out != "" {
				if err := writeValidationDir(out, v, recs.String()); err != nil {
					return err
				}
			}
			return checkMaxError(cmd.ErrOrStderr(), v, maxErr)
		},
	}
	rf.add(c)
	c.Flags().StringVarP(&out, "out", "o", "", "folder for validation.json, records-real.csv, calibrated.yaml and cdf.svg")
	c.Flags().Int64Var(&probe, "probe-tasks", 60, "tasks in the calibration probe (0: no calibration)")
	c.Flags().Float64Var(&maxErr, "max-error", 0, "exit 1 when a calibrated model's mean sojourn error exceeds this fraction (0: no check; make validate uses 0.10)")
	c.Flags().BoolVar(&asJSON, "json", false, "the same as --format json")
	c.Flags().StringVarP(&format, "format", "f", reports.FormatTable, "output format: "+strings.Join(reports.Formats, ", ")+" (json: the whole validation as one object)")
	return c
}

// checkMaxError returns an exit-1 error when a calibrated comparison's
// mean sojourn error is above maxErr (0: no check): exit 1, like check.
func checkMaxError(w io.Writer, v *realexec.Validation, maxErr float64) error {
	if maxErr <= 0 {
		return nil
	}
	var over []string
	for _, c := range v.Comparisons {
		if c.Model == "calibrated" && !(c.MeanErr <= maxErr) {
			over = append(over, fmt.Sprintf("%s %.1f%%", c.Strategy, 100*c.MeanErr))
		}
	}
	if len(over) == 0 {
		return nil
	}
	fmt.Fprintf(w, "calibrated mean sojourn error above %.0f%%: %s (load average %.2f → %.2f)\n", 100*maxErr, strings.Join(over, ", "), v.Machine.LoadBefore, v.Machine.LoadAfter)
	return errRegression
}

// writeValidation prints the comparison table and the real runs' overheads.
func writeValidation(w io.Writer, v *realexec.Validation, format string) error {
	head := []string{"strategy", "model", "p50 real", "p50 sim", "p50 err", "p99 real", "p99 sim", "p99 err", "mean real", "mean sim", "mean err", "task err", "thr real", "thr sim", "per node real", "per node sim"}
	var rows [][]string
	for _, c := range v.Comparisons {
		rows = append(rows, []string{c.Strategy, c.Model, f4(c.Real.P50), f4(c.Sim.P50), pct(c.P50Err), f4(c.Real.P99), f4(c.Sim.P99), pct(c.P99Err),
			f4(c.Real.Mean), f4(c.Sim.Mean), pct(c.MeanErr), pct(c.TaskErr), f2(c.Real.Throughput), f2(c.Sim.Throughput), counts(c.Real.PerNode), counts(c.Sim.PerNode)})
	}
	if err := reports.WriteTable(w, head, rows, format); err != nil {
		return err
	}
	for _, c := range v.Comparisons {
		for _, win := range c.Windows {
			fmt.Fprintf(w, "%s %s, fault on node %d [%.1f s, %.1f s): real %d completed %d failed (mean %.4f s), sim %d completed %d failed (mean %.4f s)\n",
				c.Strategy, c.Model, win.Node, win.FromS, win.ToS, win.RealCompleted, win.RealFailed, win.RealMean, win.SimCompleted, win.SimFailed, win.SimMean)
		}
	}
	for _, c := range v.Comparisons {
		if o := c.OOM; o != nil {
			fmt.Fprintf(w, "%s %s, OOM-killed: real %d of %d (%.1f%%), sim %d of %d (%.1f%%), share error %s, %d tasks killed in one run only\n",
				c.Strategy, c.Model, c.Real.OOMKilled, c.Real.Tasks, 100*o.RealShare, c.Sim.OOMKilled, c.Sim.Tasks, 100*o.SimShare, pct(o.ShareErr), o.Differ)
		}
	}
	o := v.Overhead
	fmt.Fprintf(w, "overhead per task (%d tasks): container start p50 %.1f ms p99 %.1f ms; container total p50 %.1f ms p99 %.1f ms; runner p50 %.2f ms p99 %.2f ms\n",
		o.Tasks, 1e3*o.StartP50, 1e3*o.StartP99, 1e3*o.ContainerP50, 1e3*o.ContainerP99, 1e3*o.RunnerP50, 1e3*o.RunnerP99)
	if len(o.Steps) > 0 {
		fmt.Fprint(w, "steps, slot to exit (p50/p99 ms):")
		for _, s := range o.Steps {
			fmt.Fprintf(w, " %s %.1f/%.1f", s.Name, 1e3*s.P50, 1e3*s.P99)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "containerd %s, snapshotter %s\n", strings.Join(unique(v.Versions), ", "), v.Snapshotter)
	m := v.Machine
	fmt.Fprintf(w, "machine: %d CPUs, cgroup %s, load average %.2f before, %.2f after\n", m.CPUs, m.Cgroup, m.LoadBefore, m.LoadAfter)
	for _, s := range v.Warnings {
		fmt.Fprintf(w, "warning: %s\n", s)
	}
	return nil
}

func writeValidationDir(dir string, v *realexec.Validation, records string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, "validation.json"), func(w io.Writer) error { return reports.WriteJSON(w, v) }); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, "records-real.csv"), func(w io.Writer) error { _, err := io.WriteString(w, records); return err }); err != nil {
		return err
	}
	if v.Calibrated != nil {
		if err := writeAtomic(filepath.Join(dir, "calibrated.yaml"), func(w io.Writer) error { _, err := w.Write(v.Calibrated); return err }); err != nil {
			return err
		}
	}
	p, err := reports.LatencyCDFPlot(v.CDFs, "sojourn: real and simulated ("+v.Scenario+")")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, "cdf.svg"), func(w io.Writer) error { return reports.WritePlot(w, p, "svg", reports.PlotWidth, reports.PlotHeight) })
}

// realErr maps a real run's interruption to the CLI's (exit code 130).
func realErr(err error) error {
	if errors.Is(err, realexec.ErrInterrupted) {
		return errInterrupted
	}
	return err
}

func itoa(v int64) string  { return strconv.FormatInt(v, 10) }
func f4(v float64) string  { return strconv.FormatFloat(v, 'f', 4, 64) }
func f2(v float64) string  { return strconv.FormatFloat(v, 'f', 2, 64) }
func pct(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }
func counts(c []int64) string {
	s := make([]string, len(c))
	for i, v := range c {
		s[i] = itoa(v)
	}
	return strings.Join(s, "/")
}

func unique(xs []string) []string {
	var out []string
	for _, x := range xs {
		if len(out) == 0 || out[len(out)-1] != x {
			out = append(out, x)
		}
	}
	return out
}
