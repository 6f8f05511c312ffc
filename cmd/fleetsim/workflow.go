package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/strategies"
	"github.com/fleetsim/fleetsim/traces"
)

// newTraceWorkflowsCmd replays WfCommons instances on their recorded
// machines (docs/workflows.md).
func newTraceWorkflowsCmd() *cobra.Command {
	var (
		strategy  string
		bandwidth float64
		latency   string
		overhead  float64
		dispatch  float64
		fit       bool
	)
	cmd := &cobra.Command{
		Use:   "workflows FILE.json...",
		Short: "Replay WfCommons (WfFormat 1.4/1.5) instances on their recorded machines: simulated vs recorded makespan",
		Long: `workflows reads each WfFormat instance, runs it alone on a cluster of its
recorded machines (one node per machine, its cores as CPU, speed 1: the
recorded runtimes are at those machines' speed) under a workflow strategy,
and prints the recorded makespan, the critical path of recorded runtimes,
and the simulated makespan with its error.

The recorded makespan includes the workflow system's per-task delays
(submission, staging, scheduling). Two models of them:

  --overhead S   a fixed delay added to every task (holding its core)
  --dispatch S   per-machine dispatch: a machine starts one task at a
                 time, each start taking S seconds (scenario:
                 workflows.dispatch)

--fit fits each model by leave-one-out: for each instance, the parameter
that best fits the others (least squared relative makespan error), tested
on that instance; then the dispatch fitted on all instances.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lat, err := scenario.ParseDuration(latency)
			if err != nil || lat < 0 {
				return fmt.Errorf("--latency: expected a duration >= 0, got %q", latency)
			}
			if !(bandwidth > 0) || math.IsInf(bandwidth, 0) {
				return fmt.Errorf("--bandwidth: expected bytes per second > 0, got %v", bandwidth)
			}
			if !(overhead >= 0) || overhead > 1e6 {
				return fmt.Errorf("--overhead: expected seconds in [0, 1e6], got %v", overhead)
			}
			if !(dispatch >= 0) || dispatch > 1e6 {
				return fmt.Errorf("--dispatch: expected seconds in [0, 1e6], got %v", dispatch)
			}
			if info, ok := strategies.Lookup(strategy); !ok || info.Of()&strategies.Placement == 0 {
				return fmt.Errorf("--strategy: expected a placement strategy (heft, cpop, critical-path, ready-fifo, min-min, max-min, ...), got %q", strategy)
			}
			var insts []*traces.WfInstance
			for _, p := range args {
				inst, err := scenario.ReadInstance(p)
				if err != nil {
					return err
				}
				if len(inst.Machines) == 0 {
					return fmt.Errorf("%s: workflow.execution.machines: none recorded; nothing to replay on", p)
				}
				insts = append(insts, inst)
			}
			tr := sim.Transfer{Latency: lat, Bandwidth: bandwidth}
			return replayWorkflows(cmd.OutOrStdout(), args, insts, strategy, tr, overheads{task: overhead, dispatch: dispatch}, fit)
		},
	}
	cmd.Flags().StringVar(&strategy, "strategy", "heft", "workflow strategy")
	cmd.Flags().Float64Var(&bandwidth, "bandwidth", 1.25e9, "bytes per second between machines")
	cmd.Flags().StringVar(&latency, "latency", "0", "latency of each transfer between machines (a duration)")
	cmd.Flags().Float64Var(&overhead, "overhead", 0, "seconds added to every task (the workflow system's per-task delay)")
	cmd.Flags().Float64Var(&dispatch, "dispatch", 0, "seconds each start takes on a machine, one start at a time (the dispatch model)")
	cmd.Flags().BoolVar(&fit, "fit", false, "fit the overhead models leave-one-out and print the error before and after")
	return cmd
}

// replayResult is one instance's replay.
type replayResult struct {
	makespan, cp float64
}

// overheads are the two models of a workflow system's delays, in
// seconds: task is added to every task's work, dispatch is the
// per-machine dispatch model (sim.Central.Dispatch).
type overheads struct {
	task, dispatch float64
}

// replay runs inst alone on its recorded machines with the overheads o.
func replay(inst *traces.WfInstance, strategy string, tr sim.Transfer, o overheads) (replayResult, error) {
	s, err := strategies.New(strategy, nil, sim.NewRand(1, "strategy/"+strategy))
	if err != nil {
		return replayResult{}, err
	}
	cfg := sim.Config{Nodes: scenario.InstanceNodes(inst), Central: sim.Central{Backfill: sim.Greedy, Transfer: tr, Dispatch: sim.FromSeconds(o.dispatch)}}
	src := &overheadSource{src: inst.WfSource(0, 0, ""), add: sim.FromSeconds(o.task)}
	e, err := sim.NewScheduler(cfg, src, s)
	if err != nil {
		return replayResult{}, err
	}
	if err := e.Run(); err != nil {
		return replayResult{}, err
	}
	r := e.Result()
	if r.Workflow == nil || r.Workflow.Workflows != 1 {
		return replayResult{}, fmt.Errorf("%s: the workflow did not complete (%d of %d tasks)", inst.Name, r.Tasks.Completed, len(inst.Tasks))
	}
	return replayResult{makespan: r.Workflow.MaxResponseS, cp: r.Workflow.CriticalPathS}, nil
}

type overheadSource struct {
	src sim.Source
	add sim.Time
}

func (o *overheadSource) Next(t *sim.Task) error {
	if err := o.src.Next(t); err != nil {
		return err
	}
	t.Work += o.add
	t.Estimate += o.add
	return nil
}

// fitOverhead is the parameter of one overhead model (seconds, to
// 0.01 s; model sets it in an overheads) minimising the squared relative
// makespan error over insts, by golden-section search on [0, 1000] s
// (the error is unimodal: makespan grows with the parameter).
func fitOverhead(insts []*traces.WfInstance, strategy string, tr sim.Transfer, model func(float64) overheads) (float64, error) {
	var ferr error
	cost := func(o float64) float64 {
		var c float64
		for _, inst := range insts {
			r, err := replay(inst, strategy, tr, model(o))
			if err != nil {
				ferr = err
				return 0
			}
			d := (r.makespan - inst.MakespanS) / inst.MakespanS
			c += float64(d * d)
		}
		return c
	}
	lo, hi := 0.0, 1000.0
	g := (math.Sqrt(5) - 1) / 2
	a, b := hi-float64(g*(hi-lo)), lo+float64(g*(hi-lo))
	fa, fb := cost(a), cost(b)
	for hi-lo > 0.01 && ferr == nil {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - float64(g*(hi-lo))
			fa = cost(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + float64(g*(hi-lo))
			fb = cost(b)
		}
	}
	return math.Round((lo+hi)/2*100) / 100, ferr
}

func replayWorkflows(w io.Writer, files []string, insts []*traces.WfInstance, strategy string, tr sim.Transfer, o overheads, fit bool) error {
	header := []string{"instance", "tasks", "machines", "recorded makespan (s)", "critical path (s)", "simulated (s)", "error"}
	models := []struct {
		name string
		set  func(float64) overheads
	}{
		{"overhead", func(x float64) overheads { return overheads{task: x} }},
		{"dispatch", func(x float64) overheads { return overheads{dispatch: x} }},
	}
	if fit {
		if len(insts) < 2 {
			return fmt.Errorf("--fit needs at least two instances")
		}
		for _, m := range models {
			header = append(header, m.name+" (s)", "simulated (s)", "error")
		}
	}
	tab := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithHeaderAlignment(tw.AlignLeft))
	tab.Header(header)
	for k, inst := range insts {
		r, err := replay(inst, strategy, tr, o)
		if err != nil {
			return err
		}
		cores := 0
		for _, m := range inst.Machines {
			cores += m.Cores
		}
		row := []string{filepath.Base(files[k]), fmt.Sprint(len(inst.Tasks)), fmt.Sprintf("%d (%d cores)", len(inst.Machines), cores),
			fmt.Sprintf("%.1f", inst.MakespanS), fmt.Sprintf("%.1f", r.cp), fmt.Sprintf("%.1f", r.makespan), relErr(r.makespan, inst.MakespanS)}
		if fit {
			others := append(append([]*traces.WfInstance(nil), insts[:k]...), insts[k+1:]...)
			for _, m := range models {
				x, err := fitOverhead(others, strategy, tr, m.set)
				if err != nil {
					return err
				}
				f, err := replay(inst, strategy, tr, m.set(x))
				if err != nil {
					return err
				}
				row = append(row, fmt.Sprintf("%.2f", x), fmt.Sprintf("%.1f", f.makespan), relErr(f.makespan, inst.MakespanS))
			}
		}
		if err := tab.Append(row); err != nil {
			return err
		}
	}
	if err := tab.Render(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "strategy %s; transfers %s + bytes / %s B/s between machines", strategy, tr.Latency, strings.TrimSuffix(fmt.Sprintf("%g", tr.Bandwidth), ".0")); err != nil {
		return err
	}
	if o.task > 0 || o.dispatch > 0 {
		fmt.Fprintf(w, "; per-task overhead %g s, dispatch %g s", o.task, o.dispatch)
	}
	fmt.Fprintln(w)
	if fit {
		fmt.Fprintln(w, "overhead: a fixed delay per task; dispatch: each start on a machine takes that long, one at a time; each fitted on the other instances")
		x, err := fitOverhead(insts, strategy, tr, models[1].set)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "dispatch fitted on all %d instances: %.2f s (scenario: workflows.dispatch: %.2fs)\n", len(insts), x, x); err != nil {
			return err
		}
	}
	return nil
}

func relErr(sim, rec float64) string {
	if rec == 0 {
		return "-"
	}
	return fmt.Sprintf("%+.1f %%", (sim-rec)/rec*100)
}
