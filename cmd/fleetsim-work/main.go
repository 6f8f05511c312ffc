// Command fleetsim-work is the workload fleetsim runs inside every container
// of a real run: calibrated CPU work, touched memory, an optional sleep and a
// chosen exit code. It is built static (CGO_ENABLED=0) and packaged by
// fleetsim itself as a one-layer OCI image (realexec.BuildImage).
//
//	fleetsim-work -work 250ms -memory 64Mi -sleep 10ms -exit 0
//
// -work is work at speed 1: Units × seconds iterations of a fixed integer
// kernel (work.go), so a node whose cores run the kernel at half the
// reference rate takes twice as long, which is what a node speed of 0.5
// means in the simulator. The memory is allocated and every page written
// before the work starts and held to the end, so a container whose memory
// limit is below it is killed by the kernel (exit 137).
//
// With -memory-rate R (bytes per second of work at speed 1) the memory is
// written as the work goes on instead, as the simulator's model of a task's
// memory use (sim.Task.MemoryRate) has it: a chunk of 256 KiB each time the
// work reaches the point where R × work covers it, until all of -memory is
// written, then the rest of the work. A limit below -memory then kills the
// process when the work reaches limit / R, at the node's speed.
//
// On exit it prints one JSON line to stdout: how long each phase took inside
// the container and which GPU devices it could see, which the runner records.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"time"
)

// report is the JSON line printed at exit.
type report struct {
	WorkS     float64  `json:"work_s"`     // wall time of the CPU work
	MemoryS   float64  `json:"memory_s"`   // wall time spent touching memory
	SleepS    float64  `json:"sleep_s"`    // wall time asleep
	Units     uint64   `json:"units"`      // kernel iterations done
	Memory    int64    `json:"memory"`     // bytes touched
	Check     uint64   `json:"check"`      // the kernel's result (keeps it from being optimised away)
	GPUs      []string `json:"gpus"`       // /dev/nvidia[0-9]* devices visible
	NVVisible string   `json:"nv_visible"` // NVIDIA_VISIBLE_DEVICES as set
	// MainNs and EndNs are the wall clock (Unix ns) when main began and
	// just before this report: with the runner's clock on the same
	// machine they split a container's start-up into the runtime's steps
	// and the process's own.
	MainNs int64 `json:"main_ns"`
	EndNs  int64 `json:"end_ns"`
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	mainNs := time.Now().UnixNano()
	fs := flag.NewFlagSet("fleetsim-work", flag.ContinueOnError)
	work := fs.Duration("work", 0, "CPU work at speed 1")
	mem := fs.String("memory", "0", "bytes of memory to allocate and touch (suffixes Ki, Mi, Gi)")
	rateS := fs.String("memory-rate", "0", "touch the memory as the work goes on, this many bytes per second of work at speed 1 (0: all before the work)")
	sleep := fs.Duration("sleep", 0, "sleep after the work (I/O-like wait)")
	code := fs.Int("exit", 0, "exit code")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *work < 0 || *sleep < 0 || *code < 0 || *code > 255 {
		fmt.Fprintln(os.Stderr, "fleetsim-work: -work and -sleep must be >= 0, -exit in [0, 255]")
		return 2
	}
	n, err := parseSize(*mem)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fleetsim-work: -memory: %v\n", err)
		return 2
	}
	rate, err := parseSize(*rateS)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fleetsim-work: -memory-rate: %v\n", err)
		return 2
	}
	var r report
	var buf []byte
	r.Units = UnitsFor(*work)
	r.Memory = n
	if rate > 0 && n > 0 {
		buf = grow(n, rate, r.Units, &r)
	} else {
		t0 := time.Now()
		buf = touch(n)
		r.MemoryS = time.Since(t0).Seconds()

		t1 := time.Now()
		r.Check = Spin(r.Units)
		r.WorkS = time.Since(t1).Seconds()
	}

	t2 := time.Now()
	time.Sleep(*sleep)
	r.SleepS = time.Since(t2).Seconds()
	runtime.KeepAlive(buf)

	r.GPUs = gpuDevices()
	r.NVVisible = os.Getenv("NVIDIA_VISIBLE_DEVICES")
	r.MainNs, r.EndNs = mainNs, time.Now().UnixNano()
	_ = json.NewEncoder(os.Stdout).Encode(&r)
	return *code
}

// touch allocates n bytes and writes one byte in every 4 KiB page, so the
// pages are really resident (charged to the container's memory cgroup).
func touch(n int64) []byte {
	if n <= 0 {
		return nil
	}
	b := make([]byte, n)
	for i := int64(0); i < n; i += 4096 {
		b[i] = 1
	}
	return b
}

// chunk is how much memory grow writes at a time.
const chunk = 256 << 10

// grow does units of work while writing n bytes, rate bytes per second of
// work at speed 1: each chunk of 256 KiB is written when the work reaches
// the point where rate × work passes the chunk's start, so the memory in
// use after w seconds of work is min(n, rate × w) rounded up to a chunk; a
// chunk the work never reaches is not written. The time spent writing
// memory and working are kept apart in r.
func grow(n, rate int64, units uint64, r *report) []byte {
	b := make([]byte, n)
	done := uint64(0)
	for off := int64(0); off < n; off += chunk {
		due := float64(off) / float64(rate) * Units
		if off > 0 && due >= float64(units) {
			break // the work ends before the use reaches this chunk
		}
		if u := uint64(due); u > done {
			t := time.Now()
			r.Check ^= Spin(u - done)
			r.WorkS += time.Since(t).Seconds()
			done = u
		}
		t := time.Now()
		for i := off; i < min(off+chunk, n); i += 4096 {
			b[i] = 1
		}
		r.MemoryS += time.Since(t).Seconds()
	}
	if done < units {
		t := time.Now()
		r.Check ^= Spin(units - done)
		r.WorkS += time.Since(t).Seconds()
	}
	return b
}

// gpuDevices lists the NVIDIA GPU device nodes visible in /dev.
func gpuDevices() []string {
	m, _ := filepath.Glob("/dev/nvidia[0-9]*")
	sort.Strings(m)
	return m
}

// parseSize reads a byte count with an optional binary suffix.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}} {
		if len(s) > len(u.suf) && s[len(s)-len(u.suf):] == u.suf {
			s, mult = s[:len(s)-len(u.suf)], u.m
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || v > (1<<46)/mult {
		return 0, fmt.Errorf("expected a byte count such as 64Mi, got %q", s)
	}
	return v * mult, nil
}
