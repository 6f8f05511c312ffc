package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/traces"
)

// newTraceShapesCmd fits a task-shape distribution from a trace and prints
// it as the workload.shapes block of a scenario.
func newTraceShapesCmd() *cobra.Command {
	var (
		format   string
		coverage float64
	)
	cmd := &cobra.Command{
		Use:   "shapes FILE",
		Short: "Fit the task-shape distribution of a trace (scenario workload.shapes)",
		Long: `shapes counts the resource shapes (cpu, GPUs, GPU share, GPU models) of a trace's
tasks and prints the most frequent ones that cover --coverage of the tasks, with their
shares as weights, as a workload.shapes block to paste into a scenario. The FGD artifact
uses the shapes covering 95 % of a pod list as its target workload; so does fleetsim.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !(coverage > 0 && coverage <= 1) {
				return fmt.Errorf("--coverage: expected a share in (0, 1], got %v", coverage)
			}
			src, closer, err := traces.Open(args[0], format)
			if err != nil {
				return err
			}
			defer closer.Close()
			var sc sim.ShapeCounter
			if err := traces.ForEach(src, func(t *sim.Task) error { sc.Add(t); return nil }); err != nil {
				return err
			}
			if sc.Total() == 0 {
				return fmt.Errorf("%s: no tasks", args[0])
			}
			shapes := sc.Shapes(coverage)
			w := cmd.OutOrStdout()
			how := args[0]
			if format != "" {
				how += " --format " + format
			}
			fmt.Fprintf(w, "  # fitted by: fleetsim trace shapes %s --coverage %g\n", how, coverage)
			fmt.Fprintf(w, "  # %d shapes covering %.1f %% of %d tasks; weights are shares of tasks\n", len(shapes), 100*coverage, sc.Total())
			fmt.Fprintln(w, "  shapes:")
			for _, s := range shapes {
				fmt.Fprintf(w, "    - {cpu: %s", milliCores(s.CPU))
				if s.GPUs > 0 {
					fmt.Fprintf(w, ", gpus: %d", s.GPUs)
					if s.GPUMilli < sim.GPUMilliPerGPU {
						fmt.Fprintf(w, ", gpu_milli: %d", s.GPUMilli)
					}
				}
				if s.GPUSpec != "" {
					fmt.Fprintf(w, ", gpu_spec: %q", s.GPUSpec)
				}
				fmt.Fprintf(w, ", weight: %s}\n", strconv.FormatFloat(s.Weight, 'f', 5, 64))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "trace format ("+strings.Join(traces.Formats(), ", ")+"); default: from the extension")
	cmd.Flags().Float64Var(&coverage, "coverage", 0.95, "share of tasks the shapes must cover")
	return cmd
}

// newTraceNodesCmd turns a node list into scenario node groups.
func newTraceNodesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "nodes FILE",
		Short: "Summarise an openb node list as scenario node groups (cluster.nodes)",
		Long: `nodes reads a node list (Alibaba openb format: sn,cpu_milli,memory_mib,gpu,model) and
prints one cluster.nodes group per distinct node kind (cpu, memory, GPUs, GPU model) with its
count, so a scenario can model the cluster without the file.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			nodes, err := traces.ReadOpenbNodes(args[0])
			if err != nil {
				return err
			}
			type kind struct {
				cpu, mem int64
				gpus     int
				model    string
			}
			counts := map[kind]int{}
			var order []kind
			for _, n := range nodes {
				k := kind{n.CPU, n.Memory, n.GPUs, n.GPUModel}
				if counts[k] == 0 {
					order = append(order, k)
				}
				counts[k]++
			}
			slices.SortStableFunc(order, func(a, b kind) int {
				return cmp.Or(cmp.Compare(a.model, b.model), cmp.Compare(a.gpus, b.gpus), cmp.Compare(a.cpu, b.cpu), cmp.Compare(a.mem, b.mem))
			})
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "  # fitted by: fleetsim trace nodes %s (%d nodes, %d kinds)\n", args[0], len(nodes), len(order))
			fmt.Fprintln(w, "  nodes:")
			seen := map[string]int{}
			for _, k := range order {
				base := "cpu"
				if k.model != "" {
					base = strings.ToLower(k.model) + "-" + strconv.Itoa(k.gpus) + "g"
				}
				seen[base]++
				name := base + "-" + strconv.Itoa(seen[base])
				fmt.Fprintf(w, "    - {group: %s, count: %d, cpu: %s, memory: %dMi", name, counts[k], milliCores(k.cpu), k.mem>>20)
				if k.gpus > 0 {
					fmt.Fprintf(w, ", gpus: %d, gpu_model: %s", k.gpus, k.model)
				}
				fmt.Fprintln(w, "}")
			}
			return nil
		},
	}
	return cmd
}

// milliCores writes a CPU amount as cores ("32") or milli-cores ("2500m").
func milliCores(m int64) string {
	if m%1000 == 0 {
		return strconv.FormatInt(m/1000, 10)
	}
	return strconv.FormatInt(m, 10) + "m"
}
