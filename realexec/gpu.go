package realexec

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/containerd/containerd/v2/pkg/oci"
)

// GPU is one NVIDIA GPU of this machine as NVML reports it.
type GPU struct {
	Index  int    // NVML's index
	Minor  int    // N of /dev/nvidiaN
	UUID   string // GPU-…
	Model  string // e.g. "NVIDIA H100 80GB HBM3"
	Memory uint64 // bytes
}

// GPUSample is one GPU's telemetry at one instant of a run.
type GPUSample struct {
	At      time.Duration // since the run's start
	GPU     int           // NVML index
	Util    uint32        // percent of time a kernel ran (last sample period)
	MemUtil uint32        // percent of time memory was read or written
	MemUsed uint64        // bytes
	PowerW  float64       // watts
	// Procs are the compute processes on it and their memory, where the
	// driver allows per-process accounting (nil otherwise).
	Procs []GPUProcess
}

// GPUProcess is a compute process on a GPU.
type GPUProcess struct {
	PID     uint32
	MemUsed uint64
}

var nvmlState struct {
	once sync.Once
	err  error
}

// initNVML loads NVML once; its error says why GPUs are unavailable.
func initNVML() error {
	nvmlState.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				nvmlState.err = fmt.Errorf("NVML: %v", r)
			}
		}()
		if ret := nvml.Init(); ret != nvml.SUCCESS {
			if ret == nvml.ERROR_LIBRARY_NOT_FOUND {
				nvmlState.err = errors.New("NVML library (libnvidia-ml.so.1) not found: no NVIDIA driver on this machine")
				return
			}
			nvmlState.err = fmt.Errorf("NVML init: %s", nvml.ErrorString(ret))
		}
	})
	return nvmlState.err
}

// GPUs lists this machine's NVIDIA GPUs through NVML. Without the NVIDIA
// driver it returns an error saying so (and no GPUs).
func GPUs() ([]GPU, error) {
	if err := initNVML(); err != nil {
		return nil, err
	}
	n, ret := nvml.DeviceGetCount()
	if ret != nvml.SUCCESS {
		return nil, fmt.Errorf("NVML device count: %s", nvml.ErrorString(ret))
	}
	gs := make([]GPU, 0, n)
	for i := 0; i < n; i++ {
		d, ret := nvml.DeviceGetHandleByIndex(i)
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("NVML device %d: %s", i, nvml.ErrorString(ret))
		}
		g := GPU{Index: i}
		g.Model, _ = d.GetName()
		g.UUID, _ = d.GetUUID()
		minor, ret := d.GetMinorNumber()
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("NVML device %d minor number: %s", i, nvml.ErrorString(ret))
		}
		g.Minor = minor
		if m, ret := d.GetMemoryInfo(); ret == nvml.SUCCESS {
			g.Memory = m.Total
		}
		gs = append(gs, g)
	}
	return gs, nil
}

// SampleGPUs reads utilization, memory, power and compute processes of the
// given GPUs.
func SampleGPUs(at time.Duration, gpus []GPU) []GPUSample {
	out := make([]GPUSample, 0, len(gpus))
	for _, g := range gpus {
		d, ret := nvml.DeviceGetHandleByIndex(g.Index)
		if ret != nvml.SUCCESS {
			continue
		}
		s := GPUSample{At: at, GPU: g.Index}
		if u, ret := d.GetUtilizationRates(); ret == nvml.SUCCESS {
			s.Util, s.MemUtil = u.Gpu, u.Memory
		}
		if m, ret := d.GetMemoryInfo(); ret == nvml.SUCCESS {
			s.MemUsed = m.Used
		}
		if p, ret := d.GetPowerUsage(); ret == nvml.SUCCESS {
			s.PowerW = float64(p) / 1000
		}
		if ps, ret := d.GetComputeRunningProcesses(); ret == nvml.SUCCESS {
			for _, p := range ps {
				s.Procs = append(s.Procs, GPUProcess{PID: p.Pid, MemUsed: p.UsedGpuMemory})
			}
		}
		out = append(out, s)
	}
	return out
}

// gpuOpts gives a container exactly the listed GPUs: their device nodes,
// the driver's control devices, and NVIDIA_VISIBLE_DEVICES naming them, so
// a CUDA program inside sees those and no others. (The driver's libraries
// are not mounted: the workload needs none.)
func gpuOpts(gpus []GPU) []oci.SpecOpts {
	if len(gpus) == 0 {
		return []oci.SpecOpts{oci.WithEnv([]string{"NVIDIA_VISIBLE_DEVICES=void"})}
	}
	var opts []oci.SpecOpts
	ids := make([]string, len(gpus))
	for i, g := range gpus {
		opts = append(opts, oci.WithLinuxDevice("/dev/nvidia"+strconv.Itoa(g.Minor), "rwm"))
		ids[i] = strconv.Itoa(g.Index)
	}
	for _, c := range []string{"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"} {
		if _, err := os.Stat(c); err == nil {
			opts = append(opts, oci.WithLinuxDevice(c, "rwm"))
		}
	}
	return append(opts, oci.WithEnv([]string{"NVIDIA_VISIBLE_DEVICES=" + strings.Join(ids, ",")}))
}
