// Command fleetsim simulates and benchmarks workload-distribution
// strategies. Run `fleetsim --help` for the verbs; docs/cli.md documents them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK          = 0
	exitRegression  = 1 // check found a regression
	exitBadInput    = 2 // bad flags, scenario, trace or strategy; any failure
	exitInterrupted = 130
)

// errInterrupted reports a run stopped by Ctrl-C; what was done is already said.
var errInterrupted = errors.New("interrupted")

func main() {
	exitAfterInterrupt(os.Args[1:], os.Stderr)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := setMemoryBudget(); err != nil {
		fmt.Fprintf(stderr, "fleetsim: %v\n", err)
		return exitBadInput
	}
	out := &errWriter{w: stdout}
	root := newRoot(out, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil && out.err != nil {
		err = fmt.Errorf("writing the output: %w", out.err)
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case errors.Is(err, errRegression):
		return exitRegression
	}
	fmt.Fprintf(stderr, "fleetsim: %v\n", err)
	return exitBadInput
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "fleetsim",
		Short: "Discrete-event simulator and benchmark harness for workload-distribution strategies",
		Long: `fleetsim replays workloads (traces or synthetic) through interchangeable
load-balancing and scheduling strategies on modeled clusters, and reports
latency, throughput, utilization and balance.

  fleetsim compare                 run every strategy of the embedded default scenario
  fleetsim run -s p2c homogeneous  one strategy of an embedded scenario
  fleetsim scenarios               list embedded scenarios
  fleetsim strategies              list strategies and their parameters`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRunCmd(), newCompareCmd(), newSweepCmd(), newMergeCmd(), newReportCmd(), newCheckCmd(), newTraceCmd(), newStrategiesCmd(), newScenariosCmd(), newVersionCmd(), newRealCmd(), newValidateCmd())
	return root
}
