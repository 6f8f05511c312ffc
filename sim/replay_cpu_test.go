package sim_test

import "syscall"

// processCPU is the process's user plus system CPU time so far, in
// nanoseconds: BenchmarkReplay reports CPU time per request beside wall
// time, as on a shared machine a run's CPU time does not grow while it
// waits for a core.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
