package realexec

import (
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Machine is what a timing figure from this machine depends on: its CPUs,
// its cgroup kind and how busy it was (the 1-minute load average, from
// /proc/loadavg, when a measurement began and when it ended).
type Machine struct {
	CPUs       int     `json:"cpus"`
	Cgroup     string  `json:"cgroup"`
	LoadBefore float64 `json:"load1_before"`
	LoadAfter  float64 `json:"load1_after"`
}

// CgroupKind says which cgroup hierarchy the machine mounts at
// /sys/fs/cgroup: "v2" (unified), "v1 hybrid" (v1 controllers with a v2
// hierarchy at /sys/fs/cgroup/unified, systemd's hybrid layout) or "v1".
func CgroupKind() string {
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		return "v2"
	}
	if unix.Statfs("/sys/fs/cgroup/unified", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		return "v1 hybrid"
	}
	return "v1"
}

// Load1 is the 1-minute load average (-1 when /proc/loadavg is unreadable).
func Load1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// machineNow reads the machine's CPUs, cgroup kind and load now.
func machineNow() Machine {
	l := Load1()
	return Machine{CPUs: runtime.NumCPU(), Cgroup: CgroupKind(), LoadBefore: l, LoadAfter: l}
}
