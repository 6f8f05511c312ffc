// Package realexec runs fleetsim's strategies on live containerd nodes, so
// that the simulator's model can be checked against reality.
//
// A real node is a containerd daemon. Up starts private daemons under one
// folder (each with its own root, state, socket and opt path; no systemd,
// nothing of the host's containerd touched) and Down stops them and removes
// the folder; Connect also reaches any other daemon by its socket (a remote
// one through a forwarded socket: ssh -L /tmp/n1.sock:/run/containerd/containerd.sock host).
//
// The workload is cmd/fleetsim-work, a static binary doing calibrated CPU
// work, touching memory and exiting with a chosen code. BuildImage packs it
// as a deterministic one-layer OCI image (same binary, same digest) that
// Node.EnsureImage imports through the client where the digest is missing:
// no registry is needed.
//
// Run replays a task source on the wall clock through the same sim.Strategy
// values the simulator uses. The strategy sees a sim.View kept up to date
// from the live run: per-node active and queued tasks, health, allocated
// resources (central placement) and the CPU and memory the containers use,
// read from their cgroups (v1 or v2) by a scraper. Each task becomes one
// container with the task's CPU quota (CFS) and memory limit, or the node's
// share divided by its slots; a task over its memory limit is killed by the
// kernel (exit 137) and recorded failed. Scheduled node faults kill the
// node's containers for real. Each task's Record carries the simulator's
// fields plus the container's timeline (decision, create, start, exit),
// exit code, CPU time and peak memory.
//
// GPU tasks get exactly the devices the strategy chose (device nodes and
// NVIDIA_VISIBLE_DEVICES), discovered with NVML (go-nvml), whose telemetry
// the scraper samples. Without NVML, GPU tasks are refused with the reason.
//
// Everything fleetsim creates carries LabelOwner; Node.Clean deletes only
// that, and Run does so before it starts (what a crashed run left) and
// before it returns, also when its context is cancelled (Ctrl-C:
// ErrInterrupted, records kept).
//
// Compare, Calibrate and Validate put a real run beside a simulation of the
// same scenario with the same seed and strategy.
package realexec
