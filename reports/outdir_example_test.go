package reports_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/fleetsim/fleetsim/reports"
)

// An output folder written as one unit: files go into the staging folder,
// Commit puts it in place with its manifest.
func ExampleCreateOutDir() {
	parent, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(parent)
	dir := filepath.Join(parent, "results")
	od, err := reports.CreateOutDir(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	os.WriteFile(filepath.Join(od.Path(), "summary.json"), []byte("{}\n"), 0o644)
	if err := od.Commit(); err != nil {
		fmt.Println(err)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	fmt.Println(reports.VerifyOutDir(dir))
	// Output:
	// .fleetsim-out.json
	// summary.json
	// <nil>
}
