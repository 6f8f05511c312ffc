package realexec

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestNodeLockExcludes: while one run holds a node's lock a second is
// refused with a line naming the node and the holder's pid; another
// namespace on the same daemon is a different lock; after unlock the node
// can be taken again.
func TestNodeLockExcludes(t *testing.T) {
	addr := "unix:///tmp/fleetsim-lock-test-" + strconv.Itoa(os.Getpid()) + "/containerd.sock"
	a := NodeConfig{Name: "node-0", Address: addr, Namespace: "fleetsim"}
	l1, err := lockNode(a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(lockPath(a.Address, a.Namespace)) })
	_, err = lockNode(a)
	if err == nil || !strings.Contains(err.Error(), "node node-0") || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second lock: %v", err)
	}
	b := a
	b.Namespace = "other"
	l2, err := lockNode(b)
	if err != nil {
		t.Fatalf("another namespace: %v", err)
	}
	t.Cleanup(func() { os.Remove(lockPath(b.Address, b.Namespace)) })
	l2.unlock()
	l1.unlock()
	l3, err := lockNode(a)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	l3.unlock()
}
