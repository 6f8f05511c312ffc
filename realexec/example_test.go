package realexec_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fleetsim/fleetsim/realexec"
)

// BuildImage packages a static binary as a one-layer OCI image, the same
// bytes for the same binary, so nodes are sent it only when its digest is
// new.
func ExampleBuildImage() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "fleetsim-work")
	_ = os.WriteFile(bin, []byte("\x7fELF…a static binary"), 0o755)
	a, err := realexec.BuildImage(bin)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := realexec.BuildImage(bin)
	fmt.Println(strings.HasPrefix(a.Name, realexec.ImageName+":"), a.Manifest == b.Manifest)
	// Output: true true
}

// A Daemon started by Up gives the NodeConfig that plays a cluster node;
// its FIFOs and runc state stay inside the daemon's folder.
func ExampleDaemon_Node() {
	d := realexec.Daemon{Index: 0, Dir: "/tmp/fleetsim/node-0", Address: "unix:///tmp/fleetsim/node-0/containerd.sock"}
	nc := d.Node("node-0")
	fmt.Println(nc.Address)
	fmt.Println(nc.FIFODir)
	fmt.Println(nc.RuncRoot)
	// Output:
	// unix:///tmp/fleetsim/node-0/containerd.sock
	// /tmp/fleetsim/node-0/fifo
	// /tmp/fleetsim/node-0/runc
}
