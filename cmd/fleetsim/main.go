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
	"strconv"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fleetsim/fleetsim/reports"
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
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
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
	root.Version = fullVersion()
	root.SetVersionTemplate("fleetsim {{.Version}}\n")
	var wide bool
	root.PersistentFlags().BoolVar(&wide, "wide", false, "print tables at full width (default: fit the terminal, or $COLUMNS)")
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		reports.TableWidth = 0
		if !wide {
			reports.TableWidth = terminalWidth(stdout)
		}
	}
	root.AddCommand(newRunCmd(), newCompareCmd(), newSweepCmd(), newMergeCmd(), newReportCmd(), newCheckCmd(), newTraceCmd(), newStrategiesCmd(), newScenariosCmd(), newVersionCmd(), newRealCmd(), newValidateCmd())
	return root
}

// terminalWidth is how wide tables may print: $COLUMNS when set, else the
// width of the terminal stdout is, else 0 (no limit: output to a file or a
// pipe keeps whole lines).
func terminalWidth(stdout io.Writer) int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return max(n, 40)
	}
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return max(w, 40)
		}
	}
	return 0
}
