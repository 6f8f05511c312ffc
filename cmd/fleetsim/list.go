package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fleetsim/fleetsim/reports"
	"github.com/fleetsim/fleetsim/scenario"
	"github.com/fleetsim/fleetsim/strategies"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func newStrategiesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "strategies",
		Short: "List the registered strategies and their parameters",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var rows [][]string
			for _, name := range strategies.Names() {
				info, _ := strategies.Lookup(name)
				var ps []string
				for _, p := range info.Params {
					ps = append(ps, fmt.Sprintf("%s (%s, default %s): %s", p.Name, p.Type, p.Default, p.Doc))
				}
				if len(ps) == 0 {
					ps = []string{"-"}
				}
				rows = append(rows, []string{name, info.Of().String(), info.Description, strings.Join(ps, "\n")})
			}
			return reports.WriteTextTable(cmd.OutOrStdout(), []string{"strategy", "kind", "description", "parameters"}, rows)
		},
	}
}

func newScenariosCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the scenarios embedded in the binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var rows [][]string
			for _, name := range scenario.Embedded() {
				sc, err := scenario.LoadEmbedded(name)
				if err != nil {
					return err
				}
				names := make([]string, len(sc.Strategies))
				for i, s := range sc.Strategies {
					names[i] = s.String()
				}
				rows = append(rows, []string{name, fmt.Sprint(sc.NodeCount()), sc.Stop.String(), strings.Join(names, ", "), sc.Description})
			}
			return reports.WriteTextTable(cmd.OutOrStdout(), []string{"scenario", "nodes", "stop", "strategies", "description"}, rows)
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME|FILE",
		Short: "Print a scenario's YAML with line numbers (as errors cite them: embedded:NAME:LINE:COL)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := scenario.Resolve(args[0])
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "# %s\n", sc.File)
			text := strings.TrimSuffix(string(sc.YAML), "\n")
			for i, line := range strings.Split(text, "\n") {
				fmt.Fprintf(w, "%4d  %s\n", i+1, line)
			}
			return nil
		},
	})
	return cmd
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and build information",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "fleetsim %s %s %s/%s\n", fullVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}

// fullVersion is the version set at build time (make build sets it from
// git describe), else the module version, with the VCS revision, a +dirty
// mark and the commit time when the build recorded them (go build in a
// git checkout does, unless -buildvcs=false).
func fullVersion() string {
	v := version
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	var rev, dirty, date string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			date = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case rev != "" && date != "":
		v += " (" + rev + dirty + ", " + date + ")"
	case rev != "":
		v += " (" + rev + dirty + ")"
	}
	return v
}
