package realexec

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// nodeLock is an exclusive lock on one (daemon, namespace) for the length
// of a run: two runs on the same daemons would each remove the other's
// containers as leftovers of a crashed run. It is a flock on a file in the
// temporary folder named by a hash of the address and namespace, so the
// kernel releases it when the process ends, however it ends. It isolates
// runs on one machine; daemons reached from several machines (forwarded
// sockets) are not covered.
type nodeLock struct{ f *os.File }

func lockPath(address, namespace string) string {
	h := sha256.Sum256([]byte(strings.TrimPrefix(address, "unix://") + "\x00" + namespace))
	return filepath.Join(os.TempDir(), "fleetsim-node-"+hex.EncodeToString(h[:8])+".lock")
}

// lockNode takes the lock of cfg's daemon and namespace, or says which
// process holds it.
func lockNode(cfg NodeConfig) (*nodeLock, error) {
	p := lockPath(cfg.Address, cfg.Namespace)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("node %s: lock %s: %w", cfg.Name, p, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		b := make([]byte, 32)
		k, _ := f.ReadAt(b, 0)
		f.Close()
		holder := strings.TrimSpace(string(b[:k]))
		if holder == "" {
			holder = "unknown"
		}
		return nil, fmt.Errorf("node %s (%s, namespace %s) is in use by another fleetsim run (pid %s): two runs on the same daemons would remove each other's containers; wait for it or use other daemons",
			cfg.Name, cfg.Address, cfg.Namespace, holder)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &nodeLock{f: f}, nil
}

// unlock releases the lock (the file stays: removing it would race with a
// run taking it).
func (l *nodeLock) unlock() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
