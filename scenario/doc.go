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
//	web.yaml:14:7: cluster.nodes[1].sped: unknown field (allowed: group, count, region, slots, speed, cpu, memory, gpus, gpu_model, cost_per_hour)
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
//     digit. The group's nodes are named group-0 … group-(count-1).
//   - count (integer in [1, 1000000], default 1): the number of nodes. All
//     groups together may hold at most MaxNodes (1000000) nodes.
//   - region (string, optional): where the nodes are, for geographic
//     strategies and network delay.
//   - slots (integer >= 1, default 1): tasks a node serves at once; the rest
//     wait in its queue.
//   - speed (number > 0, default 1): work per second relative to speed 1; a
//     task of work 1s takes 0.5 s on a node of speed 2.
//   - cpu (default 0): cores, as a number (16, 0.5), or milli-cores as a
//     string ("250m"); >= 0. Held in milli-cores.
//   - memory (size >= 0, default 0): bytes.
//   - gpus (integer >= 0, default 0): whole GPUs per node.
//   - gpu_model (string, optional): e.g. V100 or A100; empty when unknown.
//   - cost_per_hour (number >= 0, default 0): money per node-hour, for cost
//     reports.
//
// nodes_from (mapping, optional): nodes read from a node list file, after
// the groups' nodes: {path: P, format: openb}, P relative to the scenario's
// folder. The openb format is the Alibaba GPU trace 2023 node list
// (sn,cpu_milli,memory_mib,gpu,model); each row is a node named sn. The file
// is read when the scenario is loaded; its errors name the file and line.
// `fleetsim trace nodes FILE` prints the same cluster as groups.
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
//
// trace (mapping): tasks read from a file:
//
//   - path (string, required): the trace file; a relative path is resolved
//     against the scenario file's folder. Load checks that it exists.
//   - format (string): one of the keys of TraceFormats: csv, jsonl (native
//     traces), openb (an Alibaba GPU trace 2023 pod list), swf (the Standard
//     Workload Format of the Parallel Workloads Archive). When left out it
//     is taken from the path's extension (.csv; .jsonl or .ndjson; .swf), and
//     it is an error if the extension does not tell.
//
// With queueing central, a task whose gpu_spec names no GPU model of the
// cluster is an error naming the trace's file and line.
//
// shapes (list, optional): task shapes drawn by weight for every task (with
// arrivals and service, or with inflation); not with a trace. Each shape:
//
//   - cpu (cores or milli-cores as for nodes, default 0)
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
