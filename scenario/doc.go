// Package scenario reads scenario files: the YAML that says which cluster
// to model, what workload to send it, which strategies to compare and when
// to stop. A scenario file is part of fleetsim's contract with its users;
// this comment is its reference.
//
// Load reads a file, Parse reads bytes, LoadEmbedded reads one of the
// scenarios built into the program (Embedded lists them; "default" is the
// one `fleetsim compare` runs with no argument), and Resolve takes what a
// user typed: an existing file first, else an embedded name. All of them
// check every field and return a plain, validated *Scenario, or an *Error
// that names the file, line, column and field and says what was expected
// and what was found:
//
//	web.yaml:12:14: cluster.nodes[0].slots: expected an integer >= 1, got -1
//	web.yaml:14:7: cluster.nodes[1].sped: unknown field (allowed: group, count, region, slots, speed, cpu, memory, gpus, gpu_model, cost_per_hour, background, power, autoscale, rack, labels, taints)
//
// Loading stops at the first error. No input makes it panic.
//
// # An example
//
//	name: example
//	description: Fifty web servers behind two balancers.
//	seed: 1
//	stop: {tasks: 1000000}
//	warmup: {tasks: 100000}
//	cluster:
//	  queueing: node
//	  nodes:
//	    - group: web
//	      count: 50
//	      region: us-east
//	      slots: 1
//	      speed: 1.0
//	      cpu: 16
//	      memory: 64Gi
//	      gpus: 0
//	      cost_per_hour: 0.5
//	workload:
//	  arrivals: {process: poisson, rate: 45}
//	  service: {dist: exponential, mean: 1s}
//	strategies:
//	  - random
//	  - {name: power-of-d, d: 3}
//
// # Value types
//
// integer: a YAML integer (42, 1_000, 0x2A) or a float with no fraction
// (1e6). Quoted numbers ("42") are strings, not numbers.
//
// number: a YAML integer or float. It must be finite: .nan and .inf are
// rejected everywhere.
//
// duration: a Go duration string ("250ms", "1.5s", "1h30m"; units ns, us,
// µs, ms, s, m, h) or a plain number of seconds (30, 0.25). At most
// 2562047h47m16.854775807s (about 292 years).
//
// size: a plain number of bytes (1048576), or a number with a suffix:
// K, M, G, T, P for powers of 1000 and Ki, Mi, Gi, Ti, Pi for powers of
// 1024 ("64Gi", "1.5Gi", "500M"). Fractions are rounded to the nearest
// byte.
//
// Every mapping accepts only the fields listed for it: an unknown field is
// an error that lists the allowed ones, and so is a field given twice.
// Anchors and aliases (&a, *a) are not supported, nor are several YAML
// documents in one file. A file may be at most MaxFileSize (1 MiB).
//
// # Top-level fields
//
// name (string, optional): the scenario's name in results. Default: the
// file's base name without extension.
//
// description (string, optional): one line saying what the scenario
// shows. Line breaks and runs of spaces are folded into single spaces.
//
// seed (integer in [0, 2^64-1], optional): the run's seed; every random
// stream derives from it. Default 1.
//
// stop (limit; required unless the workload is a trace): when arrivals
// stop; work in flight then drains. Either {tasks: N} with N >= 1 (the
// number of arrivals) or {time: D} with D > 0 (simulated time). With a
// trace and no stop, the trace's end stops arrivals.
//
// warmup (limit, optional): the start of the run excluded from
// statistics: {tasks: N} with N >= 0, or {time: D} with D >= 0. When stop
// counts the same way, the warm-up must be shorter than it. Default: none.
//
// cluster (mapping, required): the modeled cluster, below.
//
// workload (mapping, required): what arrives, below.
//
// strategies (list, required, at least one entry): what to compare, below.
//
// network, faults, client, health (mappings and a list, optional): what
// changes during a run: delay between regions, node failures and
// maintenance, the clients' timeouts and retries, and the health checker
// that tells strategies which nodes are up. Below, under Dynamics. They
// apply to queueing: node only; with queueing central each is an error.
//
// real (mapping, optional): how to run the scenario on live containerd
// daemons instead of the model. Below, under Real clusters.
//
// workflows (mapping, optional): DAGs of dependent tasks as the workload,
// in place of workload (and with no stop required), under queueing:
// central. Below, under Workflows.
//
// # cluster
//
// queueing (string, optional): "node" (default): each node queues its own
// work in FIFO order, the load-balancing model; a strategy picks a node per
// arriving task. "central": a scheduler holds the pending queue and places
// tasks as nodes have room (cpu, memory, and GPUs tracked one by one), the
// job-placement model; strategies must then be placement strategies.
//
// nodes (list, required unless nodes_from is given, at least one group):
// groups of identical nodes, in the order results list them. Each group is
// a mapping:
//
//   - group (string, required): the group's name, unique in the file; up to
//     64 letters, digits, '.', '_' and '-', starting with a letter or a
//     digit. The group's nodes are named group-0 … group-(count-1), or
//     group-0 … group-(max-1) with autoscale.
//   - count (integer in [1, 1000000], default 1): the number of nodes; with
//     autoscale, the initial number, within [min, max]. All groups together
//     may hold at most MaxNodes (1000000) nodes, an autoscaled group
//     counting as max.
//   - region (string, optional): where the nodes are, for geographic
//     strategies and network delay. With a network, one of its regions.
//   - slots (integer >= 1, default 1): tasks a node serves at once; the rest
//     wait in its queue.
//   - speed (number > 0, default 1): work per second relative to speed 1; a
//     task of work 1s takes 0.5 s on a node of speed 2.
//   - cpu (default 0): cores, as a number (16, 0.5), or milli-cores as a
//     string ("250m"); >= 0. Held in milli-cores.
//   - memory (size >= 0, default 0): bytes.
//   - gpus (integer >= 0, default 0): whole GPUs per node.
//   - gpu_model (string, optional): e.g. V100 or A100; empty when unknown.
//   - rack (string, optional): the rack (or zone) of the group's nodes, for
//     topology-aware gang placement (strategy topology-fit) and the gang
//     slowdown model (rack_slowdown).
//   - cost_per_hour (number >= 0, default 0): money per node-hour, for cost
//     reports.
//   - background (number in [0, 1), default 0): the share of each node's
//     capacity taken by work outside the simulation: the node serves at
//     speed × (1 − background), and a metrics scrape reports that share as
//     used. Not with queueing central (unless 0).
//   - power (mapping, optional): {idle: W, peak: W}, both required, watts
//     (numbers >= 0, peak >= idle) drawn by each node idle and at full
//     utilization, linear in between; the energy is reported with the
//     cost. Default: energy not counted. Used under queueing: node.
//   - autoscale (mapping, optional; queueing: node only): a target-tracking
//     autoscaler for the group, below.
//   - labels (mapping of strings, optional; Kubernetes workloads only): the
//     nodes' labels, besides kubernetes.io/hostname (the node's name) and
//     topology.kubernetes.io/zone (the group's region, when set).
//   - taints (list of strings, optional; Kubernetes workloads only): the
//     nodes' taints, each "key=value:Effect" or "key:Effect", Effect
//     NoSchedule, PreferNoSchedule or NoExecute.
//
// autoscale: every interval the autoscaler sets the group's size to
// ceil(n × u / target), n the nodes in the pool and u their mean
// utilization over the interval, within [min, max]. A new node is billed
// from its request and joins the pool provision later; a removed node
// leaves the pool at once, finishes its work and is then released.
// Scale-in waits cooldown after any scaling. The group has max nodes; those
// past its current size (count at the start) are out of the pool and not
// billed. Its fields:
//
//   - min (integer in [0, 1000000], default 1): at most max.
//   - max (integer in [1, 1000000], required).
//   - target (number in (0, 1], default 0.6): the utilization to keep.
//   - interval (duration > 0, default 15s).
//   - cooldown (duration >= 0, default 5m).
//   - kind (string, default "container"): "container" or "vm"; it sets the
//     default of provision.
//   - provision (duration >= 0, default 5s for a container, 2m for a vm):
//     how long a requested node takes to join the pool.
//
// A group that draws power and autoscales on virtual machines from 2 to 10
// nodes, starting with 4:
//
//	nodes:
//	  - group: ap
//	    count: 4
//	    region: ap-south
//	    power: {idle: 60, peak: 150}
//	    autoscale: {min: 2, max: 10, target: 0.6, interval: 30s, kind: vm}
//
// startup (optional): each task's start-up delay, the time its container
// takes to start: a service begins with it, before the work. It holds the
// task's slot (and resources), the node's speed does not shorten it, and
// it counts in the task's service time, not its wait; with queueing
// central, backfilling adds its mean to every estimate. Either a duration
// >= 0, for a constant delay (startup: 80ms), or a mapping {mean: D, cv: C}:
// lognormal of mean D (duration >= 0, required) and coefficient of
// variation C (number >= 0, default 0: the constant D), drawn once per
// service start from the stream (seed, "startup"). Default: none.
// Calibrate writes a measured one (and groups' speeds) into a scenario.
//
//	cluster:
//	  startup: {mean: 80ms, cv: 0.3}
//
// nodes_from (mapping, optional): nodes read from a node list file, after
// the groups' nodes: {path: P, format: openb}, P relative to the scenario's
// folder. The openb format is the Alibaba GPU trace 2023 node list
// (sn,cpu_milli,memory_mib,gpu,model); each row is a node named sn. The file
// is read when the scenario is loaded; its errors name the file and line.
// `fleetsim trace nodes FILE` prints the same cluster as groups.
// With format kubernetes, {path: P, format: kubernetes} reads Node objects
// (a file of them, a List, or `kubectl get nodes,pods -A -o yaml`):
// allocatable cpu, memory, nvidia.com/gpu and pods (capacity when
// allocatable is absent), labels (kubernetes.io/hostname defaults to the
// name; topology.kubernetes.io/zone gives zones), taints and
// unschedulable. Pods of the file that are Running on a node start the
// run there. It needs workload.kubernetes.
// With format wfformat, {path: P, format: wfformat} reads the machines a
// WfCommons WfFormat instance (1.4 or 1.5) recorded
// (workflow.execution.machines; workflow.machines in 1.4): one node per
// machine, named by its nodeName, group wf, its cpu.coreCount as cores
// and slots (1 when not recorded), its memoryInBytes (unlimited when not
// recorded), and speed cpu.speedInMHz over that of the reference machine,
// the one most of the instance's tasks ran on (the first listed among
// equals), since the instance's runtimes are read as work at speed 1; a
// machine without a recorded speed, or every machine when the reference
// has none, has speed 1. An instance without machines is an error. With
// the same file in workflows.instances, the instance runs on its recorded
// machines.
//
// inference (mapping, optional): LLM inference replicas, a mapping of GPU
// models to per-token times, {MODEL: {prefill_per_token: D,
// decode_per_token: D}}, prefill_per_token a duration >= 0 per prompt token
// and decode_per_token a duration > 0 per output token, both required. The
// nodes of every group whose gpu_model is MODEL become replicas: a request
// with p prompt and o output tokens takes p·prefill_per_token +
// o·decode_per_token (speed does not apply; background does), its first
// token coming after p·prefill_per_token + decode_per_token (the time to
// first token, ttft_s in results). slots is the replica's batch size: the
// requests it serves at once. A task without tokens is served by its work,
// as on any node. Models no group has are ignored. Used under queueing:
// node.
//
//	inference:
//	  H100: {prefill_per_token: 0.1ms, decode_per_token: 12ms}
//	  A100: {prefill_per_token: 0.2ms, decode_per_token: 24ms}
//	nodes:
//	  - {group: h100, count: 4, slots: 8, gpus: 8, gpu_model: H100}
//
// The next three fields apply to queueing: central only:
//
// queue (string, default "fifo"): the queue policy ordering the pending
// queue: fifo, priority (larger Task priority first), sjf-oracle (shortest
// true duration first: an oracle), drf (dominant resource fairness across
// tenants). A strategy entry may override it.
//
// backfill (string, default "none"): what may start behind a head task
// that does not fit. "none": nothing (the head blocks the queue). "easy":
// EASY backfilling: the head gets a reservation at the earliest time the
// running tasks' estimates free enough room; a task behind it starts now
// only if it cannot delay that reservation. Estimates are the trace's
// requested run time (SWF field 9, native column estimate); a task without
// one is taken at its true duration. "greedy": every task that fits starts,
// in queue order, with no reservation (what the Kubernetes scheduler does).
// "conservative": conservative backfilling: every queued task gets a
// reservation in queue order, and a task starts now only if it fits beside
// the reservations of all the tasks ahead of it (docs/workflows.md).
// A strategy entry may override it.
//
// pending_timeout (duration >= 0, optional): how long a task may wait in the
// queue before it is given up as unschedulable (counted in
// placement.unschedulable). 0 gives each task one try: placed when it first
// reaches the head, or dropped. Default: tasks wait as long as it takes. A
// task that fits on no node even when empty is given up at once, and tasks
// still waiting when nothing runs any more are given up at the end.
//
// sample_every (duration > 0, optional): sample each resource's allocated
// share, the GPU fragmentation and the pending and running counts every
// this much simulated time (placement.series in run --json).
//
// rack_slowdown (number >= 0, optional, default 0): a gang (a task on
// several nodes, workload.procs_per_node or the native nodes column) runs
// 1 + rack_slowdown x (racks - 1) times longer when its nodes span several
// racks: the cost of cross-rack communication in distributed training.
//
// # workload
//
// A workload is either synthetic, with both arrivals and service, or a
// trace; never both. For job placement, shapes give synthetic tasks their
// resource requests, and inflation replaces time with the FGD paper's
// workload-inflation experiment.
//
// arrivals (mapping): the arrival process of the whole cluster, chosen by
// process (required):
//
//   - {process: poisson, rate: R}: exponential gaps, R tasks per second
//     (number > 0).
//   - {process: deterministic, rate: R}: one task every 1/R seconds.
//   - {process: bursty, rates: [R0, R1], hold: [H0, H1]}: a two-state
//     Markov-modulated Poisson process (MMPP-2). While in state i, tasks
//     arrive as a Poisson process of rate Ri (number >= 0, not both zero);
//     the process stays in state i for an exponential time of mean Hi
//     (duration > 0), then switches. The mean rate is
//     (R0·H0 + R1·H1) / (H0 + H1).
//   - {process: diurnal, rate: R, amplitude: A, period: P, peak: T,
//     bursts: [...]}: a Poisson process whose rate follows a day,
//     R·(1 + A·cos(2π(t − T)/P)), times the factor of every burst covering
//     t (multiplied where bursts overlap). R (number > 0, required) is the
//     mean rate; A (number in [0, 1], default 0) the relative swing; P
//     (duration > 0, default 24h) the period; T (duration >= 0, default 0)
//     when the rate peaks. bursts (list, optional, not empty when given):
//     {at: D, for: D, factor: F}, at >= 0, for > 0, F > 0: the rate is
//     multiplied by F during [at, at+for).
//
// A day compressed into half an hour, 400 tasks per second ±30 %, peaking
// at 20 minutes, with a burst of half as many again at 6 minutes:
//
//	arrivals:
//	  process: diurnal
//	  rate: 400
//	  amplitude: 0.3
//	  period: 30m
//	  peak: 20m
//	  bursts: [{at: 6m, for: 3m, factor: 1.5}]
//
// service (mapping): the work each task brings, as time at speed 1, chosen
// by dist (required):
//
//   - {dist: exponential, mean: M}: M a duration > 0.
//   - {dist: deterministic, mean: M}: every task exactly M.
//   - {dist: lognormal, mean: M, cv: C}: mean M, coefficient of variation
//     C > 0 (standard deviation C·M).
//   - {dist: bounded-pareto, alpha: A, min: L, max: H}: Pareto of shape
//     A > 0 truncated to [L, H], with 0 < L < H.
//   - {dist: hyperexponential, mean: M, cv: C}: two exponential phases with
//     balanced means, mean M and coefficient of variation C >= 1.
//   - {dist: empirical, quantiles: [Q0, ..., Qk]}: the quantile function
//     of a log's work, durations >= 0 in increasing order (at least two,
//     the last > 0) at the equally spaced probabilities 0, 1/k, ..., 1;
//     a draw is the quantile function at a uniform probability,
//     interpolated geometrically between neighbouring quantiles (linearly
//     from 0). Its mean and CV follow exactly (traces.Empirical).
//
// trace (mapping): tasks read from a file:
//
//   - path (string, required): the trace file; a relative path is resolved
//     against the scenario file's folder. Load checks that it exists.
//   - format (string): one of the keys of TraceFormats: csv, jsonl (native
//     traces), openb (an Alibaba GPU trace 2023 pod list), swf (the Standard
//     Workload Format of the Parallel Workloads Archive), azure-llm (the
//     Azure LLM inference trace 2023: arrivals with prompt and output
//     tokens; work from the tokens by traces.DefaultTokenModel), fsc (the
//     binary trace cache that fleetsim trace convert IN OUT.fsc writes;
//     it replays to the same tasks as the trace it came from). When left
//     out it is taken from the path's extension (.csv; .jsonl or .ndjson;
//     .swf; .fsc; the one before .gz for a gzip'd file, jobs.csv.gz; a
//     file of another name that starts with the trace cache's magic bytes
//     is fsc), and it is an error if the extension does not tell; openb
//     and azure-llm are never guessed.
//
// With queueing central, a task whose gpu_spec names no GPU model of the
// cluster is an error naming the trace's file and line.
//
// shapes (list, optional): task shapes drawn by weight for every task (with
// arrivals and service, or with inflation); not with a trace. Each shape:
//
//   - cpu (cores or milli-cores as for nodes, default 0)
//   - memory (size >= 0, default 0): the memory request, which is also the
//     task's memory limit (see memory_use)
//   - gpus (integer >= 0, default 0): whole GPUs, or 1 with gpu_milli
//   - gpu_milli (integer in [1, 1000], optional): a share of one GPU, in
//     thousandths; needs gpus: 1
//   - gpu_spec (string, optional): allowed GPU models, separated by '|'
//   - weight (number > 0, required): the shape's share (normalised)
//
// `fleetsim trace shapes FILE --format openb` fits shapes from a trace.
// The shapes are also the target workload of fragmentation-aware placement
// (fgd) and of the fragmentation metric; with a trace, the trace's shapes
// covering 95 % of its tasks are counted and used instead.
//
// origins (mapping, optional): the regions tasks come from, {REGION:
// weight}, weights numbers >= 0 with at least one > 0. A task without a
// region (every synthetic task; a trace row without one) gets one drawn by
// weight, from the stream (seed, "workload/origins"). With a network, every
// REGION must be one of its regions; the task's latency then includes the
// round trip between its region and its node's.
//
// sessions (integer in [1, 16777216], optional): a task without a tenant
// gets one of N session keys, s0 … s(N-1), uniformly, from the stream
// (seed, "workload/sessions"): what consistent hashing keeps together.
//
// tokens (mapping, optional): synthetic LLM requests, {prompt: {mean: M,
// cv: C}, output: {mean: M, cv: C}}, both required, each mean a number >= 1
// and cv a number >= 0. A task without tokens gets lognormal prompt and
// output token counts of these means and coefficients of variation,
// rounded, at least 1 (stream (seed, "workload/tokens")); its work at speed
// 1 becomes p·0.2ms + o·20ms (traces.DefaultTokenModel) instead of the
// service time, and inference replicas serve it by their own per-token
// times (see cluster.inference).
//
//	workload:
//	  arrivals: {process: poisson, rate: 73}
//	  service: {dist: deterministic, mean: 1s}
//	  origins: {us-east: 0.45, eu-west: 0.35, ap-south: 0.2}
//	  sessions: 5000
//	  tokens:
//	    prompt: {mean: 2048, cv: 0.9}
//	    output: {mean: 28, cv: 2.5}
//
// memory_use (mapping, optional; queueing central): what tasks really use
// of memory, beside what they request. A task's memory request is its
// memory limit (a real run gives its container that limit); a task without
// one is not affected. Each task draws, from the stream (seed,
// "workload/memory_use"), whether it is one of the share over (number in
// [0, 1], required) that use factor (number > 1, default 2) times their
// limit, or one of the others, which use under (number in (0, 1], default
// 0.5) times it. The use grows from nothing as the task works, rate (size,
// default 0) bytes per second of work at speed 1, until it reaches its
// peak; rate 0 takes it all at once as the work starts. A task whose use
// crosses its limit is OOM-killed at that instant: after
// limit / rate seconds of its work (at its node's speed, after its
// start-up), so a task whose work ends first is never killed. It ends
// failed (reason oom; run --json counts tasks.oom_killed), its resources
// are freed and it is not run again. A real run's workload touches the
// same memory at the same pace, and the kernel's OOM killer does the rest.
// Not with inflation or procs_per_node.
//
//	workload:
//	  arrivals: {process: poisson, rate: 2}
//	  service: {dist: lognormal, mean: 250ms, cv: 0.5}
//	  shapes: [{cpu: 250m, memory: 64Mi, weight: 1}]
//	  memory_use: {over: 0.2, factor: 2, rate: 512Mi}
//
// procs_per_node (integer in [1, 1048576], optional; queueing central):
// tasks become gangs. A task asking for c cores runs on ceil(c / N) nodes at
// once, each holding min(c, N) cores, all starting and ending together: an
// SWF job of 64 processors on a cluster of one-processor nodes is a gang of
// 64 nodes. Gangs are placed first-fit on the lowest-indexed nodes they fit;
// EASY backfilling reserves their nodes (docs/workflows.md).
//
// estimates (mapping, optional; generated tasks only, not with a trace,
// inflation or kubernetes): users' runtime estimates (requested times),
// what backfilling plans with, {factors: [F0, ..., Fk], max: D}. factors
// (required, at least two numbers >= 1 in increasing order) are the
// quantiles of the factor requested time / run time at the equally
// spaced probabilities 0, 1/k, ..., 1, as fitted to a log; each task draws
// a factor from them (geometric between neighbouring quantiles) from the
// stream (seed, "workload/estimates"), independently of its work, and its
// estimate is its work times the factor, at most max (duration > 0,
// optional) unless its work is longer. Without estimates, generated
// tasks' estimates are their work (exact).
//
//	workload:
//	  arrivals: {process: poisson, rate: 0.001}
//	  service: {dist: lognormal, mean: 2h, cv: 2}
//	  estimates: {factors: [1, 1.1, 1.6, 2.4, 8, 60, 450], max: 60h}
//
// inflation (mapping, optional; needs queueing central and a cluster with
// GPUs): {until_gpu_share: X}, X > 0. The tasks of the trace (in a seeded
// random order, then drawn from it with replacement) or drawn from shapes
// arrive one a second and never leave, until the arrived GPU request
// reaches X times the cluster's GPUs; a task that does not fit when it
// arrives is dropped as unschedulable. No stop is allowed: inflation stops
// itself. This is Weng et al.'s experiment (USENIX ATC '23, Sec. 6.1):
//
//	cluster:
//	  queueing: central
//	  nodes_from: {path: openb_node_list_gpu_node.csv, format: openb}
//	workload:
//	  trace: {path: openb_pod_list_default.csv, format: openb}
//	  inflation: {until_gpu_share: 1.3}
//	strategies: [random, dot-product, gpu-clustering, gpu-packing, best-fit, fgd]
//
// kubernetes (mapping; the whole workload, needs queueing central and a
// stop {time: D}): {path: P, job_duration: D, grace: G}. P is a manifest
// file or a folder of .yaml/.yml files (package scenario/manifest lists
// the kinds and fields read, refused and ignored). Every pod of the
// manifests is placed by kube-scheduler's default profile (package
// sim/kube): the queue orders pods by priority then creation (backfill
// greedy, whatever the cluster says), a pod that fits nowhere may preempt,
// evictions take the victim's terminationGracePeriodSeconds (default G,
// 30s; pods of a nodes_from snapshot too), and a preempted pod of a
// Deployment, ReplicaSet or Job is recreated (a snapshot's pods are not:
// their controllers are not part of the run). A Job past its
// activeDeadlineSeconds fails: its running pods are terminated after their
// grace period (pods.csv reason "Job failed: DeadlineExceeded") and it
// creates no more. Pods run for their object's fleetsim.io/duration
// annotation; Job pods without one for job_duration (default 10m), other
// pods until the stop time. fleetsim.io/arrival delays an object's
// creation. The strategies are the profile's NodeResourcesFit scorer:
// least-allocated (kube-scheduler's default), most-allocated, or any
// placement strategy that scores single nodes (best-fit, worst-fit,
// dot-product, gpu-packing, gpu-clustering, fgd, balanced-allocation,
// first-fit, topology-fit, random, and least-allocated or most-allocated
// with parameters), its scores normalised min-max over the feasible nodes;
// balancers, queue policies and the workflow list schedulers are refused,
// by kind. Results are labelled kube-default(NAME). The node groups' nodes join the cluster with a
// hostname label and their region as zone label.
//
// With controllers: true (default false) the manifests' Deployments and
// HorizontalPodAutoscalers run as control loops (package sim/kube,
// ControlPlane) instead of placing each Deployment's pods once: pods start
// startup (duration >= 0, default 0s) after they are bound, become Ready as
// their readiness probe says, are replaced when evicted, rolled on a
// template change, scaled by their HPA (cpu usage from the Deployment's
// fleetsim.io/cpu-usage annotation, steps "0s=400m,10m=1200m"). events
// (list, controllers only) schedules faults and changes, each {at: D,
// KIND: TARGET}: fail_node, recover_node, drain (a node's name), fail_zone
// (a zone label value), rollout (a Deployment: a new revision of its
// template), or {at: D, scale: DEPLOYMENT, replicas: N}. An HPA without
// controllers, a node, zone or Deployment that does not exist is an error.
// defaults (mapping, controllers only) overrides Kubernetes' defaults for
// the control loops: node_monitor_period (5s), node_monitor_grace_period
// (50s), node_heartbeat (10s), readiness_period (10s), drain_retry (5s),
// backoff_initial (10s), backoff_max (5m, >= backoff_initial),
// backoff_reset (10m), hpa_sync_period (15s), scan_interval (10s),
// scale_down_unneeded_time (10m), scale_down_delay_after_add (10m), all
// durations > 0; default_unreachable_toleration (300s) and
// hpa_downscale_stabilization (5m, for HPAs whose behavior sets no
// scale-down window), durations >= 0; hpa_tolerance (0.1, in (0, 1)) and
// scale_down_utilization_threshold (0.5, in (0, 1]). docs/kubernetes.md
// names each one's source.
// autoscaler (controllers only) runs the cluster autoscaler:
// {groups: [{group: G, min: N, max: N, provision: D}]}, G a group of
// cluster.nodes whose count (its size at the start) lies in [min, max]
// (min default 0), new nodes joining provision (default 0s) after they
// are requested and costing the group's cost_per_hour from then on.
//
//	stop: {time: 1h}
//	cluster:
//	  queueing: central
//	  nodes_from: {path: cluster.yaml, format: kubernetes}
//	workload:
//	  kubernetes: {path: manifests/}
//	strategies: [least-allocated, most-allocated, fgd]
//
// requests (list, beside kubernetes with controllers: true) sends request
// traffic to the manifests' Services, each entry {service: NAME, arrivals:
// A, service_time: S, slo: D, cpu_per_request: C, client: {retries,
// timeout, backoff, multiplier, backoff_max}}, or trace: {path, format}
// (a native trace of requests) instead of arrivals and service_time. A
// and S read as workload.arrivals and workload.service; S is the work of
// one request on one core. A Service's Ready pods serve its requests: a
// pod serves floor(cpu / C) at once (at least one; cpu its limit, else
// its request, else 1 core; C default 1), each at speed min(C, cpu) in
// cores times its node's speed; requests queue at the pod (FIFO). A
// request finding no Ready pod fails; one on a pod that dies (its machine
// failed, its container crashed) or stops being Ready with it queued is
// lost, and the client retries it as client says (default: no retry).
// slo (a duration > 0) is the latency target of the SLO attainment. An
// HPA of a Deployment without fleetsim.io/cpu-usage reads the cpu its
// pods use serving requests. Each Service at most once; a Service the
// manifests do not have is an error. With requests every strategy entry
// names both levels, {placement: P, balancer: B}: P is kube-default (the
// profile with LeastAllocated) or a placement strategy as above, B a load
// balancer (a name or a mapping with name and parameters) spreading each
// Service's requests over its Ready pods; results are labelled
// kube-default(P)/B:
//
//	workload:
//	  kubernetes: {path: manifests.yaml, controllers: true}
//	  requests:
//	    - {service: web, arrivals: {process: poisson, rate: 40}, service_time: {dist: exponential, mean: 50ms}, slo: 300ms}
//	strategies:
//	  - {placement: kube-default, balancer: p2c}
//	  - {placement: most-allocated, balancer: round-robin}
//
// # strategies
//
// Each entry is a registered strategy's name (`fleetsim strategies` lists
// them with their parameters), or a mapping with name and the strategy's
// parameters:
//
//	strategies:
//	  - random
//	  - {name: power-of-d, d: 3}
//
// Parameters are checked when the file is loaded, by building the strategy
// once: an unknown strategy is an error listing the known ones, and a bad
// or unknown parameter is an error at that parameter's line. A parameter
// the strategy documents as a duration takes a duration. The same strategy
// may appear more than once with different parameters, but not twice with
// the same ones.
//
// With queueing central, an entry may also set queue and backfill (as in
// cluster) for itself; its name in results then carries them, e.g.
// "first-fit+sjf-oracle+easy":
//
//	strategies:
//	  - {name: first-fit, queue: fifo}
//	  - {name: first-fit, queue: sjf-oracle}
//	  - {name: first-fit, backfill: easy}
//
// An entry may instead be an external strategy: a process fleetsim starts
// for each run and asks for every decision over its stdin and stdout
// (docs/external.md). command is the program and its arguments, run in the
// scenario's folder; name labels it in results (default: the base name of
// the command's last argument); timeout bounds the wait for each answer
// (default 10s, at most 1h); params are passed to it as JSON:
//
//	strategies:
//	  - external:
//	      command: [python3, least_loaded.py]
//	      name: py-least-loaded
//	      timeout: 10s
//	      params: {alpha: 0.5}
//
// # Dynamics
//
// These top-level fields model what changes during a run under queueing:
// node. Each is optional; with queueing central each is an error, except
// network, which then carries workflow data (below).
//
//	network:
//	  rtt:
//	    us-east: {us-east: 2ms, eu-west: 80ms, ap-south: 200ms}
//	    eu-west: {eu-west: 2ms, ap-south: 130ms}
//	    ap-south: {ap-south: 2ms}
//	  spikes:
//	    - {region: eu-west, at: 18m, for: 4m, add: 250ms}
//	faults:
//	  - {node: us-large-2, at: 10m, for: 5m}
//	  - {node: eu-0, at: 20m, for: 10m, drain: true}
//	  - {group: us-small, mtbf: 2h, mttr: 5m, dist: weibull, shape: 1.5}
//	client: {retries: 2, timeout: 2s, backoff: 50ms, multiplier: 2, backoff_max: 1s}
//	health: {interval: 5s, threshold: 3, rise: 1}
//
// network (mapping): the delay between a task's origin region (see
// workload.origins) and the node that serves it; half the round trip is
// spent before the task reaches the node, half after it ends, so its
// latency includes the whole round trip. A task without a region, or a
// node without one, has no delay.
//
//   - rtt (mapping, required, not empty): round-trip times,
//     {REGION: {REGION: D}} with D a duration >= 0. The network's regions
//     are every name in it; each group's region must be one of them. Every
//     pair of different regions needs a time in one direction at least: a
//     direction left out takes the other's (the matrix is symmetric where
//     one is missing). A region's time to itself defaults to 0.
//   - spikes (list, optional, not empty when given): latency spikes,
//     {region: R, at: D, for: D, add: D}, R a region of rtt, at >= 0,
//     for > 0, add > 0: during [at, at+for) every path with R at one end
//     (once, also within R) takes add more. Queueing node only.
//   - bandwidth (mapping, optional, queueing central only): bandwidths of
//     workflow transfers, {REGION: {REGION: B}} with B a size per second
//     > 0 (100Mi, 1G) and REGION a region of rtt; a region to itself is
//     the bandwidth within it. A direction left out takes the other's; a
//     pair left out both ways takes workflows.transfer.bandwidth.
//
// Under queueing central the network is the model of workflow transfers
// (docs/workflows.md): data moved between nodes of regions A and B takes
// half the round trip rtt[A][B] plus the bytes over bandwidth[A][B]
// (narrowed by the nodes' links); within a region, rtt[A][A] and
// bandwidth[A][A]; on the same node nothing. Where either node has no
// region, workflows.transfer's latency and bandwidth apply.
//
// faults (list, not empty): scheduled or random node failures, each entry
// either of:
//
//   - {node: N, at: D, for: D, drain: B}: a scheduled failure of node N, a
//     node's name (group-i, i up to max-1 in an autoscaled group, or a
//     nodes_from row's sn). At time at (duration >= 0, required) the node
//     stops, losing the tasks it serves and queues, and it comes back empty
//     after for (duration > 0, required). With drain: true (default false)
//     it is maintenance instead: the node leaves the pool at at (strategies
//     see that at once), finishes what it holds, and rejoins after for.
//     mtbf, mttr, dist and shape are errors here.
//   - {group: G, mtbf: D, mttr: D, dist: X, shape: K}: every node of group
//     G fails independently, again and again: up for a time of mean mtbf
//     (> 0, required), then down for a time of mean mttr (> 0, required),
//     losing its work as above. dist is "exponential" (default) or
//     "weibull", which needs shape K (number > 0; < 1: early failures,
//     > 1: wear-out), scaled to the same means; shape is an error with
//     exponential. Each node draws from its own stream (seed,
//     "faults/"+node name). at, for and drain are errors here.
//
// faults apply to queueing: node, and to a Kubernetes workload with
// controllers: true, where they drive the node lifecycle controller
// instead (the machine stops; its pods are lost, NotReady and evicted as
// after a fail_node event; a random fault draws the same times); drain is
// an error there (drain a node with a workload.kubernetes event), and the
// health checker is not used.
//
// client (mapping): how clients give up on and retry a task. A task whose
// attempts are all lost ends as failed.
//
//   - retries (integer in [0, 65535], default 0): retries after the first
//     attempt.
//   - timeout (duration > 0, default none): an attempt not answered by then
//     is given up (and retried). Without a timeout an attempt is never
//     given up, and one lost to a failing node is noticed at once, as a
//     reset connection is.
//   - backoff (duration >= 0, default 0): the wait before the first retry.
//   - multiplier (number >= 1, default 2): each further retry waits this
//     many times longer: backoff × multiplier^k before retry k+1.
//   - backoff_max (duration > 0, default none): the longest wait.
//
// health (mapping): an active health checker. It probes each node every
// interval, each node at its own phase (stream (seed, "health")), reports a
// node down after threshold failed probes in a row and up again after rise
// passed ones; strategies see only what it reports. A scenario with faults
// and no health field gets the default checker, DefaultHealth (the
// defaults below).
//
//   - interval (duration > 0, default 5s)
//   - threshold (integer in [1, 1000], default 3)
//   - rise (integer in [1, 1000], default 1)
//
// # Workflows
//
// The workflows section makes the workload a stream of DAGs: a task starts
// once its parents have finished and their data has reached its node
// (latency + bytes / bandwidth between distinct nodes; free on the same
// node). Its fields:
//
//   - generate (mapping): random DAGs: shape (layered or fork-join, required),
//     tasks (default 20) and layers (4) and edge_prob (0.3) for layered,
//     width (4) and stages (2) for fork-join, mean_work (duration > 0,
//     default 1s; each task uniform on [0.5, 1.5] x it), ccr (>= 0, the
//     communication-to-computation ratio at transfer.bandwidth), count
//     (workflows, default 1), interarrival (mean gap, exponential; default 0)
//   - instances (list of paths): WfCommons WfFormat files (1.4, 1.5), each a
//     workflow; instance k arrives at k x every (duration, default 0).
//     Exactly one of generate and instances.
//   - transfer (mapping): latency (duration >= 0) and bandwidth (bytes per
//     second, size suffixes allowed; 0 or absent: unlimited); serial (bool,
//     default false): links contend, each node's link carrying one
//     transfer at a time in the order children are placed. With a network
//     section, transfers between nodes that both have a region take the
//     network's figures for their regions instead (Dynamics, above)
//   - runtimes (mapping, optional): task class -> {node group: runtime}; an
//     entry replaces the task's work at the node's speed (the HEFT paper's
//     computation-cost table)
//   - dispatch (duration >= 0, optional): the per-machine dispatch model of
//     a workflow system's overhead: a node starts one task at a time, each
//     start taking this long, and a task placed there waits, holding its
//     share, for the starts before its own (`fleetsim trace workflows
//     --fit` fits it from WfCommons instances)
//
// The workflow strategies (heft, cpop, critical-path, ready-fifo, min-min,
// max-min) are placement strategies; docs/workflows.md has the model.
//
//	workflows:
//	  generate: {shape: layered, tasks: 50, layers: 6, mean_work: 20s, ccr: 1, count: 40, interarrival: 120s}
//	  transfer: {latency: 5ms, bandwidth: 100M}
//
// # Real clusters
//
// The real section says how to run the scenario on live containerd
// daemons, one per cluster node (the executor is not part of this
// package, which reads and checks the section only). It is allowed with
// either queueing model.
//
//	real:
//	  namespace: fleetsim
//	  snapshotter: overlayfs
//	  nodes:
//	    - address: unix:///tmp/fleetsim-real/node-0/containerd.sock
//	    - {address: /tmp/fleetsim-real/node-1/containerd.sock, cpu: 2, memory: 1Gi}
//	    - {address: unix:///run/containerd/containerd.sock, namespace: other, slots: 4}
//
// Its fields:
//
//   - namespace (string, default "fleetsim"): the containerd namespace
//     fleetsim works in on every node: letters and digits in runs
//     separated by one '.', '_' or '-', at most 76 characters.
//   - snapshotter (string, default ""): overlayfs, native, or "" for
//     overlayfs with native as the fallback where overlayfs is not
//     available.
//   - nodes (list, optional): the daemons, exactly one entry per cluster
//     node, in node order (groups in file order, then nodes_from; an
//     autoscaled group counts max).
//
// Each entry of nodes is a mapping:
//
//   - address (string, required): the daemon's socket, a unix:// URL
//     (unix:///run/containerd/containerd.sock) or an absolute path
//     (/run/containerd/containerd.sock, read as the unix:// URL).
//   - namespace (string, optional): overrides the section's for this node.
//   - cpu, memory, gpus, slots (optional, as for node groups): what
//     fleetsim may use on this node, overriding the cluster node's: cpu in
//     cores or milli-cores (0: not overridden), memory a size (0: not
//     overridden), gpus an integer >= 0 (0 overrides too), slots an
//     integer >= 1.
//
// # Overrides
//
// ParseWith, LoadWith and ResolveWith take Sets: scalars to replace before
// the file is checked, named by the field paths errors print
// (workload.arrivals.rate, cluster.nodes[0].count, strategies[1]). A sweep
// parses a scenario once per value (ParseSetFlag reads
// workload.arrivals.rate=40,45,50). A set value is checked like one in the
// file, and an error at it names the set:
//
//	web.yaml:8:38: workload.arrivals.rate: expected a finite number > 0, got -1 (set by --set workload.arrivals.rate=-1)
package scenario
