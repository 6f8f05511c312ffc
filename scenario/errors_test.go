package scenario

import (
	"errors"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/strategies"
)

// lines joins its arguments into a YAML file, one line each.
func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }

// The sections of a valid scenario, for cases that break one of them.
const (
	okStop     = "stop: {tasks: 10}"
	okCluster  = "cluster:\n  nodes:\n    - group: web"
	okWorkload = "workload:\n  arrivals: {process: poisson, rate: 1}\n  service: {dist: exponential, mean: 1s}"
	okStrats   = "strategies: [test-plain]"
	// okNetwork is a network of two regions, us and eu: four lines.
	okNetwork = "network:\n  rtt:\n    us: {us: 1ms, eu: 80ms}\n    eu: {eu: 1ms}"
)

// valid is a minimal valid scenario: lines 1-8.
var valid = lines(okStop, okCluster, okWorkload, okStrats)

// errorCases hold one case per kind of error message, each with the full
// error line. "{known}" stands for the registered strategy names.
var errorCases = []struct {
	name string
	yaml string
	want string
}{
	// The file as a whole.
	{"empty file", "", "t.yaml: expected a scenario (a mapping with cluster, workload and strategies), got an empty file"},
	{"only comments", "# nothing here\n", "t.yaml: expected a scenario (a mapping with cluster, workload and strategies), got an empty file"},
	{"syntax: unclosed flow", "stop: {tasks: 10\ncluster: x\n",
		"t.yaml:2: invalid YAML: did not find expected ',' or '}'"},
	{"syntax: unclosed flow on line 2", "seed: 1\nstop: {tasks: 10\ncluster: x\n",
		"t.yaml:2: invalid YAML: did not find expected ',' or '}'"},
	{"syntax: sequence in a mapping", "seed: 1\nstop: 2\n- x\n", "t.yaml:3: invalid YAML: did not find expected key"},
	{"syntax: unclosed quote", "seed: 1\nname: \"x\n", "t.yaml:2: invalid YAML: found unexpected end of stream"},
	{"syntax: invalid UTF-8", "name: \xff\n", "t.yaml: invalid YAML: invalid leading UTF-8 octet"},
	{"syntax: mapping in a scalar", "stop: a: b\n", "t.yaml:1: invalid YAML: mapping values are not allowed in this context"},
	{"syntax: tab indent", "cluster:\n\tnodes: []\n", "t.yaml:2: invalid YAML: found character that cannot start any token"},
	{"not a mapping", "- a\n- b\n", "t.yaml:1:1: expected a mapping of scenario fields (name, description, seed, stop, warmup, cluster, workload, strategies, network, faults, client, health, real, workflows), got a list"},
	{"null document", "~\n", "t.yaml:1:1: expected a mapping of scenario fields (name, description, seed, stop, warmup, cluster, workload, strategies, network, faults, client, health, real, workflows), got ~"},
	{"two documents", valid + "---\nname: x\n", "t.yaml:9:1: expected one YAML document, got a second one here"},
	{"too large", "# " + strings.Repeat("x", MaxFileSize) + "\n", "t.yaml: expected a file of at most 1048576 bytes, got 1048579 bytes"},
	{"anchor", lines("stop: &s {tasks: 10}", okCluster, okWorkload, okStrats), "t.yaml:1:7: anchors (&s) are not supported; write the value out"},
	{"alias", lines("a: &x 1", "b: *x"), "t.yaml:1:4: anchors (&x) are not supported; write the value out"},
	{"alias to nothing", lines("a: 1", "b: *a"), "t.yaml: invalid YAML: unknown anchor 'a' referenced"},
	{"syntax: second document", valid + "---\nname: [x\n", "t.yaml:10: invalid YAML: did not find expected ',' or ']'"},

	// Keys.
	{"unknown top field", lines(okStop, "stpo: {tasks: 10}"),
		"t.yaml:2:1: stpo: unknown field (allowed: name, description, seed, stop, warmup, cluster, workload, strategies, network, faults, client, health, real, workflows)"},
	{"duplicate field", lines(okStop, okCluster, okWorkload, okStrats, "stop: {tasks: 20}"),
		"t.yaml:9:1: stop: duplicate field (first set on line 1)"},
	{"non-scalar key", "? [a, b]\n: 1\n", "t.yaml:1:3: expected a field name, got a list"},
	{"unknown group field", lines(okStop, "cluster:", "  nodes:", "    - group: web", "    - group: db", "      sped: 2"),
		"t.yaml:6:7: cluster.nodes[1].sped: unknown field (allowed: group, count, region, slots, speed, cpu, memory, gpus, gpu_model, cost_per_hour, background, power, autoscale, rack, labels, taints)"},

	// Required fields, reported at the parent mapping.
	{"missing cluster", lines(okStop, okWorkload, okStrats), "t.yaml:1:1: cluster: required field missing; expected a mapping with nodes"},
	{"missing stop", lines(okCluster, okWorkload, okStrats),
		"t.yaml:1:1: stop: required field missing; expected a limit like {tasks: 100000} or {time: 1h} (required unless the workload is a trace)"},
	{"missing strategies", lines(okStop, okCluster, okWorkload), "t.yaml:1:1: strategies: required field missing; expected a list of strategies, like [random, p2c]"},
	{"missing nodes", lines(okStop, "cluster:", "  queueing: node", okWorkload, okStrats), "t.yaml:3:3: cluster.nodes: required field missing; expected a list of node groups (or nodes_from, a node list file)"},
	{"missing group name", lines(okStop, "cluster:", "  nodes:", "    - count: 2", okWorkload, okStrats),
		"t.yaml:4:7: cluster.nodes[0].group: required field missing; expected a group name"},
	{"missing workload parts", lines(okStop, okCluster, "workload: {}", okStrats),
		"t.yaml:5:11: workload.arrivals: required field missing; expected an arrival process like {process: poisson, rate: 45} (or a trace)"},
	{"missing service", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson, rate: 1}", okStrats),
		"t.yaml:6:3: workload.service: required field missing; expected a service-time distribution like {dist: exponential, mean: 1s}"},
	{"missing rate", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson}", "  service: {dist: exponential, mean: 1s}", okStrats),
		"t.yaml:6:13: workload.arrivals.rate: required field missing; expected tasks per second"},
	{"missing cv", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson, rate: 1}", "  service: {dist: lognormal, mean: 1s}", okStrats),
		"t.yaml:7:12: workload.service.cv: required field missing; expected the coefficient of variation, like 2"},
	{"missing trace path", lines(okCluster, "workload:", "  trace: {format: csv}", okStrats),
		"t.yaml:5:10: workload.trace.path: required field missing; expected the trace file's path"},
	{"missing strategy name", lines(okStop, okCluster, okWorkload, "strategies:", "  - {n: 2}"),
		"t.yaml:9:5: strategies[0].name: required field missing; expected the strategy's name"},

	// Wrong types and values.
	{"seed not a number", lines("seed: abc"), `t.yaml:1:7: seed: expected an integer in [0, 18446744073709551615], got "abc"`},
	{"seed negative", lines("seed: -1"), "t.yaml:1:7: seed: expected an integer in [0, 18446744073709551615], got -1"},
	{"seed too big", lines("seed: 18446744073709551616"), "t.yaml:1:7: seed: expected an integer in [0, 18446744073709551615], got 18446744073709551616"},
	{"name empty", lines(`name: ""`), `t.yaml:1:7: name: expected a name, got ""`},
	{"description a mapping", lines("description: {a: 1}"), "t.yaml:1:14: description: expected a one-line description, got a mapping"},
	{"stop not a mapping", lines("stop: 100", okCluster, okWorkload, okStrats),
		"t.yaml:1:7: stop: expected a mapping like {tasks: 100000} or {time: 1h}, got 100"},
	{"stop both", lines("stop: {tasks: 10, time: 1h}", okCluster, okWorkload, okStrats), "t.yaml:1:19: stop.time: expected tasks or time, got both"},
	{"stop empty", lines("stop: {}", okCluster, okWorkload, okStrats), "t.yaml:1:7: stop: expected a mapping like {tasks: 100000} or {time: 1h}, got an empty mapping"},
	{"stop zero tasks", lines("stop: {tasks: 0}", okCluster, okWorkload, okStrats), "t.yaml:1:15: stop.tasks: expected an integer >= 1, got 0"},
	{"stop fractional tasks", lines("stop: {tasks: 2.5}", okCluster, okWorkload, okStrats), "t.yaml:1:15: stop.tasks: expected an integer >= 1, got 2.5"},
	{"stop quoted tasks", lines(`stop: {tasks: "10"}`, okCluster, okWorkload, okStrats), `t.yaml:1:15: stop.tasks: expected an integer >= 1, got "10"`},
	{"stop negative time", lines("stop: {time: -1s}", okCluster, okWorkload, okStrats), `t.yaml:1:14: stop.time: expected a duration > 0, got "-1s"`},
	{"stop bad duration", lines("stop: {time: 10 sec}", okCluster, okWorkload, okStrats),
		`t.yaml:1:14: stop.time: expected a duration > 0 (like 250ms, 1h30m, or a number of seconds), got "10 sec"`},
	{"stop duration overflow", lines("stop: {time: 300y}", okCluster, okWorkload, okStrats),
		`t.yaml:1:14: stop.time: expected a duration > 0 (like 250ms, 1h30m, or a number of seconds), got "300y"`},
	{"stop duration too long", lines("stop: {time: 3000000h}", okCluster, okWorkload, okStrats),
		`t.yaml:1:14: stop.time: expected a duration of at most 2562047h47m16.854775807s, got "3000000h"`},
	{"stop seconds too long", lines("stop: {time: 1e10}", okCluster, okWorkload, okStrats),
		"t.yaml:1:14: stop.time: expected a duration of at most 2562047h47m16.854775807s, got 1e10"},
	{"stop infinite time", lines("stop: {time: .inf}", okCluster, okWorkload, okStrats),
		"t.yaml:1:14: stop.time: expected a duration > 0 (like 250ms, 1h30m, or a number of seconds), got .inf"},
	{"warmup as long as stop", lines(okStop, "warmup: {tasks: 10}", okCluster, okWorkload, okStrats),
		"t.yaml:2:17: warmup.tasks: expected fewer tasks than stop.tasks (10), got 10"},
	{"warmup longer than stop", lines("stop: {time: 1m}", "warmup: {time: 90}", okCluster, okWorkload, okStrats),
		"t.yaml:2:16: warmup.time: expected less time than stop.time (1m0s), got 90"},
	{"queueing", lines(okStop, "cluster:", "  queueing: central-ish", "  nodes: [{group: web}]", okWorkload, okStrats),
		`t.yaml:3:13: cluster.queueing: expected one of node, central, got "central-ish"`},
	{"nodes empty", lines(okStop, "cluster:", "  nodes: []", okWorkload, okStrats), "t.yaml:3:10: cluster.nodes: expected a list of node groups, got an empty list"},
	{"nodes a mapping", lines(okStop, "cluster:", "  nodes: {group: web}", okWorkload, okStrats), "t.yaml:3:10: cluster.nodes: expected a list of node groups, got a mapping"},
	{"group not a mapping", lines(okStop, "cluster:", "  nodes: [web]", okWorkload, okStrats),
		`t.yaml:3:11: cluster.nodes[0]: expected a node group (a mapping with group, count, ...), got "web"`},
	{"group name", lines(okStop, "cluster:", "  nodes: [{group: web 1}]", okWorkload, okStrats),
		`t.yaml:3:19: cluster.nodes[0].group: expected a group name (up to 64 letters, digits, '.', '_' or '-', not starting with a symbol), got "web 1"`},
	{"duplicate group", lines(okStop, "cluster:", "  nodes:", "    - group: web", "    - group: web", okWorkload, okStrats),
		`t.yaml:5:7: cluster.nodes[1].group: expected a group name not used before, got "web" (also cluster.nodes[0])`},
	{"count zero", lines(okStop, "cluster:", "  nodes: [{group: web, count: 0}]", okWorkload, okStrats),
		"t.yaml:3:31: cluster.nodes[0].count: expected an integer in [1, 1000000], got 0"},
	{"too many nodes", lines(okStop, "cluster:", "  nodes:", "    - {group: a, count: 600000}", "    - {group: b, count: 600000}", okWorkload, okStrats),
		"t.yaml:5:7: cluster.nodes[1].count: expected at most 1000000 nodes in all groups, got 1200000"},
	{"slots negative", lines(okStop, "cluster:", "  nodes:", "    - group: web", "    - group: db", "      slots: -1", okWorkload, okStrats),
		"t.yaml:6:14: cluster.nodes[1].slots: expected an integer >= 1, got -1"},
	{"slots null", lines(okStop, "cluster:", "  nodes:", "    - group: web", "      slots:", okWorkload, okStrats),
		"t.yaml:5:13: cluster.nodes[0].slots: expected an integer >= 1, got nothing"},
	{"speed zero", lines(okStop, "cluster:", "  nodes: [{group: web, speed: 0}]", okWorkload, okStrats),
		"t.yaml:3:31: cluster.nodes[0].speed: expected a finite number > 0, got 0"},
	{"speed nan", lines(okStop, "cluster:", "  nodes: [{group: web, speed: .nan}]", okWorkload, okStrats),
		"t.yaml:3:31: cluster.nodes[0].speed: expected a finite number > 0, got .nan"},
	{"speed list", lines(okStop, "cluster:", "  nodes: [{group: web, speed: [1]}]", okWorkload, okStrats),
		"t.yaml:3:31: cluster.nodes[0].speed: expected a finite number > 0, got a list"},
	{"cpu negative", lines(okStop, "cluster:", "  nodes: [{group: web, cpu: -2}]", okWorkload, okStrats),
		"t.yaml:3:29: cluster.nodes[0].cpu: expected a number of cores >= 0, got -2"},
	{"cpu bad", lines(okStop, "cluster:", "  nodes: [{group: web, cpu: 2 cores}]", okWorkload, okStrats),
		`t.yaml:3:29: cluster.nodes[0].cpu: expected a number of cores >= 0 (cores like 16 or 0.5, or milli-cores like 250m), got "2 cores"`},
	{"memory bad suffix", lines(okStop, "cluster:", "  nodes: [{group: web, memory: 12Qi}]", okWorkload, okStrats),
		`t.yaml:3:32: cluster.nodes[0].memory: expected a size >= 0 (bytes, or a number with a suffix K, M, G, T, P (powers of 1000) or Ki, Mi, Gi, Ti, Pi (powers of 1024)), got "12Qi"`},
	{"memory overflow", lines(okStop, "cluster:", "  nodes: [{group: web, memory: 9000000Ti}]", okWorkload, okStrats),
		`t.yaml:3:32: cluster.nodes[0].memory: expected a size that fits in 64 bits, got "9000000Ti"`},
	{"gpus fractional", lines(okStop, "cluster:", "  nodes: [{group: web, gpus: 1.5}]", okWorkload, okStrats),
		"t.yaml:3:30: cluster.nodes[0].gpus: expected an integer >= 0, got 1.5"},
	{"cost infinite", lines(okStop, "cluster:", "  nodes: [{group: web, cost_per_hour: .inf}]", okWorkload, okStrats),
		"t.yaml:3:39: cluster.nodes[0].cost_per_hour: expected a finite number >= 0, got .inf"},
	{"trace and arrivals", lines(okCluster, "workload:", "  trace: {path: a.csv}", "  arrivals: {process: poisson, rate: 1}", okStrats),
		"t.yaml:6:3: workload.arrivals: expected either a trace or arrivals and service (or shapes), got both"},
	{"process", lines(okStop, okCluster, "workload:", "  arrivals: {process: poison, rate: 1}", "  service: {dist: exponential, mean: 1s}", okStrats),
		`t.yaml:6:23: workload.arrivals.process: expected one of poisson, deterministic, bursty, diurnal, got "poison"`},
	{"field of another process", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson, rate: 1, hold: [1s, 1s]}", "  service: {dist: exponential, mean: 1s}", okStrats),
		"t.yaml:6:41: workload.arrivals.hold: unknown field (allowed: process, rate)"},
	{"rate zero", lines(okStop, okCluster, "workload:", "  arrivals: {process: deterministic, rate: 0}", "  service: {dist: exponential, mean: 1s}", okStrats),
		"t.yaml:6:44: workload.arrivals.rate: expected a finite number > 0, got 0"},
	{"rates not a pair", lines(okStop, okCluster, "workload:", "  arrivals: {process: bursty, rates: [1, 2, 3], hold: [1s, 1s]}", "  service: {dist: exponential, mean: 1s}", okStrats),
		"t.yaml:6:38: workload.arrivals.rates: expected a list of two values, the rate in each state, like [30, 90], got a list of 3"},
	{"rates both zero", lines(okStop, okCluster, "workload:", "  arrivals: {process: bursty, rates: [0, 0], hold: [1s, 1s]}", "  service: {dist: exponential, mean: 1s}", okStrats),
		"t.yaml:6:38: workload.arrivals.rates: expected a rate > 0 in at least one state, got [0, 0]"},
	{"rate negative", lines(okStop, okCluster, "workload:", "  arrivals: {process: bursty, rates: [-1, 2], hold: [1s, 1s]}", "  service: {dist: exponential, mean: 1s}", okStrats),
		"t.yaml:6:39: workload.arrivals.rates[0]: expected a finite number >= 0, got -1"},
	{"hold zero", lines(okStop, okCluster, "workload:", "  arrivals: {process: bursty, rates: [1, 2], hold: [1s, 0]}", "  service: {dist: exponential, mean: 1s}", okStrats),
		"t.yaml:6:57: workload.arrivals.hold[1]: expected a duration > 0, got 0"},
	{"dist", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson, rate: 1}", "  service: {dist: normal, mean: 1s}", okStrats),
		`t.yaml:7:19: workload.service.dist: expected one of exponential, deterministic, lognormal, bounded-pareto, hyperexponential, empirical, got "normal"`},
	{"mean overflow", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson, rate: 1}", "  service: {dist: exponential, mean: 1e300}", okStrats),
		"t.yaml:7:38: workload.service.mean: expected a duration of at most 2562047h47m16.854775807s, got 1e300"},
	{"hyperexponential cv", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson, rate: 1}", "  service: {dist: hyperexponential, mean: 1s, cv: 0.5}", okStrats),
		"t.yaml:7:51: workload.service.cv: expected a finite number >= 1, got 0.5"},
	{"pareto max below min", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson, rate: 1}", "  service: {dist: bounded-pareto, alpha: 1.1, min: 1s, max: 500ms}", okStrats),
		`t.yaml:7:61: workload.service.max: expected a duration > min ("1s"), got "500ms"`},
	{"trace format", lines(okCluster, "workload:", "  trace: {path: a.csv, format: xls}", okStrats),
		`t.yaml:5:32: workload.trace.format: expected one of azure-llm, csv, fsc, jsonl, openb, swf, got "xls"`},
	{"empirical quantiles decreasing", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson, rate: 1}", "  service: {dist: empirical, quantiles: [1s, 5s, 2s]}", okStrats),
		`t.yaml:7:50: workload.service.quantiles[2]: expected quantiles in increasing order, got "2s" after "5s"`},
	{"empirical quantiles all zero", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson, rate: 1}", "  service: {dist: empirical, quantiles: [0, 0]}", okStrats),
		"t.yaml:7:41: workload.service.quantiles: expected the last quantile > 0"},
	{"empirical quantiles not a list", lines(okStop, okCluster, "workload:", "  arrivals: {process: poisson, rate: 1}", "  service: {dist: empirical, quantiles: 5s}", okStrats),
		`t.yaml:7:41: workload.service.quantiles: expected a list of durations >= 0 in increasing order, got "5s"`},
	{"estimates with a trace", lines(okCluster, "workload:", "  trace: {path: a.csv}", "  estimates: {factors: [1, 2]}", okStrats),
		"t.yaml:6:3: workload.estimates: expected no estimates with trace (estimates are drawn for generated tasks; a trace carries its users' own)"},
	{"estimates factor below 1", lines(okStop, okCluster, okWorkload, "  estimates: {factors: [0.5, 2]}", okStrats),
		"t.yaml:8:25: workload.estimates.factors[0]: expected a factor >= 1 (an estimate below the run time is not drawn), got 0.5"},
	{"estimates factors decreasing", lines(okStop, okCluster, okWorkload, "  estimates: {factors: [1, 3, 2], max: 1h}", okStrats),
		"t.yaml:8:31: workload.estimates.factors[2]: expected quantiles in increasing order, got 2 after 3"},
	{"estimates one factor", lines(okStop, okCluster, okWorkload, "  estimates: {factors: [2]}", okStrats),
		"t.yaml:8:24: workload.estimates.factors: expected at least two factors (the quantiles at probabilities 0 and 1), got 1"},
	{"trace format unknown", lines(okCluster, "workload:", "  trace: {path: a.txt}", okStrats),
		"t.yaml:5:10: workload.trace.format: required field missing (the path's extension does not tell); expected one of azure-llm, csv, fsc, jsonl, openb, swf"},

	// Dynamics (queueing: node): network, faults, client, health; group
	// background, power and autoscale; inference; diurnal arrivals,
	// origins, sessions and tokens.
	{"rtt pair missing", lines(okStop, "network:", "  rtt:", "    us: {us: 1ms}", "    eu: {eu: 1ms}", okCluster, okWorkload, okStrats),
		"t.yaml:4:5: network.rtt: expected a round-trip time between us and eu (either way), got none"},
	{"rtt empty", lines(okStop, "network: {rtt: {}}", okCluster, okWorkload, okStrats),
		"t.yaml:2:16: network.rtt: expected a mapping of regions to mappings of regions to round-trip times, got an empty mapping"},
	{"rtt negative", lines(okStop, "network: {rtt: {us: {eu: -1ms}}}", okCluster, okWorkload, okStrats),
		`t.yaml:2:26: network.rtt.us.eu: expected a duration >= 0, got "-1ms"`},
	{"spike unknown region", lines(okStop, okNetwork, "  spikes: [{region: ap, at: 1m, for: 1m, add: 10ms}]", okCluster, okWorkload, okStrats),
		`t.yaml:6:21: network.spikes[0].region: expected a region of network.rtt (us, eu), got "ap"`},
	{"group region not in the network", lines(okStop, okNetwork, "cluster:", "  nodes:", "    - {group: web, region: us}", "    - {group: db, region: ap}", okWorkload, okStrats),
		`t.yaml:9:27: cluster.nodes[1].region: expected a region of network.rtt (us, eu), got "ap"`},
	{"network spikes with queueing central", lines(okStop, "cluster:", "  queueing: central", "  nodes: [{group: web}]", okWorkload, "strategies: [first-fit]", okNetwork, "  spikes: [{region: us, at: 1m, for: 1m, add: 10ms}]"),
		"t.yaml:13:3: network.spikes: expected no spikes with queueing central (they apply to queueing: node; under central queueing the network carries workflow data)"},
	{"network bandwidth with queueing node", lines(okStop, okNetwork, "  bandwidth: {us: {eu: 100Mi}}", okCluster, okWorkload, okStrats),
		"t.yaml:6:3: network.bandwidth: expected no bandwidth with queueing node (it is the bandwidth of workflow transfers, under queueing: central)"},
	{"network bandwidth unknown region", lines(okStop, "cluster:", "  queueing: central", "  nodes: [{group: web}]", okWorkload, "strategies: [first-fit]", okNetwork, "  bandwidth: {us: {ap: 1Gi}}"),
		`t.yaml:13:20: network.bandwidth.us.ap: expected a region of network.rtt (us, eu), got "ap"`},
	{"network bandwidth zero", lines(okStop, "cluster:", "  queueing: central", "  nodes: [{group: web}]", okWorkload, "strategies: [first-fit]", okNetwork, "  bandwidth:", "    eu: {us: 0}"),
		"t.yaml:14:14: network.bandwidth.eu.us: expected a bandwidth > 0, got 0"},
	{"fault with node and group", lines(okStop, okCluster, okWorkload, okStrats, "faults:", "  - {node: web-0, group: web, at: 1m, for: 1m}"),
		"t.yaml:10:19: faults[0].group: expected node (a scheduled fault) or group (random faults), got both"},
	{"fault on an unknown node", lines(okStop, okCluster, okWorkload, okStrats, "faults:", "  - {node: web-3, at: 1m, for: 1m}"),
		`t.yaml:10:12: faults[0].node: expected a node of the cluster (like web-0), got "web-3"`},
	{"fault on an unknown group", lines(okStop, okCluster, okWorkload, okStrats, "faults:", "  - {group: db, mtbf: 1h, mttr: 5m}"),
		`t.yaml:10:13: faults[0].group: expected a node group of the cluster, got "db"`},
	{"scheduled fault with mtbf", lines(okStop, okCluster, okWorkload, okStrats, "faults:", "  - {node: web-0, at: 1m, for: 1m, mtbf: 1h}"),
		"t.yaml:10:36: faults[0].mtbf: expected no mtbf for a scheduled fault of one node (random faults take a group)"},
	{"random fault with shape and dist exponential", lines(okStop, okCluster, okWorkload, okStrats, "faults:", "  - {group: web, mtbf: 1h, mttr: 5m, dist: exponential, shape: 2}"),
		"t.yaml:10:57: faults[0].shape: expected no shape with dist exponential (the default; a shape needs dist: weibull)"},
	{"weibull fault without shape", lines(okStop, okCluster, okWorkload, okStrats, "faults:", "  - {group: web, mtbf: 1h, mttr: 5m, dist: weibull}"),
		"t.yaml:10:5: faults[0].shape: required field missing; expected the Weibull shape (< 1: early failures, > 1: wear-out)"},
	{"client multiplier below 1", lines(okStop, okCluster, okWorkload, okStrats, "client: {retries: 2, multiplier: 0.5}"),
		"t.yaml:9:34: client.multiplier: expected a finite number >= 1, got 0.5"},
	{"health threshold 0", lines(okStop, okCluster, okWorkload, okStrats, "health: {threshold: 0}"),
		"t.yaml:9:21: health.threshold: expected an integer in [1, 1000], got 0"},
	{"autoscale max below count", lines(okStop, "cluster:", "  nodes:", "    - group: web", "      count: 5", "      autoscale: {max: 3}", okWorkload, okStrats),
		"t.yaml:6:18: cluster.nodes[0].autoscale: expected the group's count (5, its initial size) within [min, max] = [1, 3]"},
	{"autoscale min above max", lines(okStop, "cluster:", "  nodes:", "    - group: web", "      autoscale: {min: 4, max: 3}", okWorkload, okStrats),
		"t.yaml:5:24: cluster.nodes[0].autoscale.min: expected at most max (3), got 4"},
	{"autoscale target above 1", lines(okStop, "cluster:", "  nodes:", "    - group: web", "      autoscale: {max: 3, target: 1.5}", okWorkload, okStrats),
		"t.yaml:5:35: cluster.nodes[0].autoscale.target: expected a utilization in (0, 1], got 1.5"},
	{"autoscale with queueing central", lines(okStop, "cluster:", "  queueing: central", "  nodes:", "    - group: web", "      autoscale: {max: 3}", okWorkload, "strategies: [first-fit]"),
		"t.yaml:6:7: cluster.nodes[0].autoscale: expected no autoscale with queueing central (it applies to queueing: node)"},
	{"background 1", lines(okStop, "cluster:", "  nodes:", "    - {group: web, background: 1.0}", okWorkload, okStrats),
		"t.yaml:4:32: cluster.nodes[0].background: expected a share of capacity in [0, 1), got 1"},
	{"power peak below idle", lines(okStop, "cluster:", "  nodes:", "    - {group: web, power: {idle: 200, peak: 100}}", okWorkload, okStrats),
		"t.yaml:4:45: cluster.nodes[0].power.peak: expected at least idle (200), got 100"},
	{"inference decode 0", lines(okStop, "cluster:", "  inference:", "    H100: {prefill_per_token: 0.1ms, decode_per_token: 0}", "  nodes: [{group: web, gpu_model: H100}]", okWorkload, okStrats),
		"t.yaml:4:56: cluster.inference.H100.decode_per_token: expected a duration > 0, got 0"},
	{"diurnal amplitude 2", lines(okStop, okCluster, "workload:", "  arrivals: {process: diurnal, rate: 10, amplitude: 2}", "  service: {dist: exponential, mean: 1s}", okStrats),
		"t.yaml:6:53: workload.arrivals.amplitude: expected a number in [0, 1], got 2"},
	{"origins with zero weights", lines(okStop, okCluster, okWorkload, "  origins: {us: 0, eu: 0}", okStrats),
		"t.yaml:8:12: workload.origins: expected at least one positive weight"},
	{"origin not in the network", lines(okStop, okNetwork, okCluster, okWorkload, "  origins: {us: 1, ap: 1}", okStrats),
		`t.yaml:12:20: workload.origins: expected regions of network.rtt (us, eu), got "ap"`},
	{"sessions 0", lines(okStop, okCluster, okWorkload, "  sessions: 0", okStrats),
		"t.yaml:8:13: workload.sessions: expected an integer in [1, 16777216], got 0"},
	{"tokens mean 0", lines(okStop, okCluster, okWorkload, "  tokens: {prompt: {mean: 0, cv: 1}, output: {mean: 2, cv: 1}}", okStrats),
		"t.yaml:8:27: workload.tokens.prompt.mean: expected a finite number >= 1, got 0"},

	// cluster.startup.
	{"startup negative", lines(okStop, "cluster:", "  startup: -1s", "  nodes: [{group: web}]", okWorkload, okStrats),
		`t.yaml:3:12: cluster.startup: expected a duration >= 0, got "-1s"`},
	{"startup not a duration", lines(okStop, "cluster:", "  startup: soon", "  nodes: [{group: web}]", okWorkload, okStrats),
		`t.yaml:3:12: cluster.startup: expected a duration >= 0 (like 250ms, 1h30m, or a number of seconds), got "soon"`},
	{"startup a list", lines(okStop, "cluster:", "  startup: [80ms, 0.3]", "  nodes: [{group: web}]", okWorkload, okStrats),
		"t.yaml:3:12: cluster.startup: expected a duration >= 0 like 80ms, or a mapping like {mean: 80ms, cv: 0.3}, got a list"},
	{"startup null", lines(okStop, "cluster:", "  startup:", "  nodes: [{group: web}]", okWorkload, okStrats),
		"t.yaml:3:11: cluster.startup: expected a duration >= 0 like 80ms, or a mapping like {mean: 80ms, cv: 0.3}, got nothing"},
	{"startup without mean", lines(okStop, "cluster:", "  startup: {cv: 0.3}", "  nodes: [{group: web}]", okWorkload, okStrats),
		"t.yaml:3:12: cluster.startup.mean: required field missing; expected the mean start-up delay, like 80ms"},
	{"startup cv negative", lines(okStop, "cluster:", "  startup: {mean: 80ms, cv: -0.3}", "  nodes: [{group: web}]", okWorkload, okStrats),
		"t.yaml:3:29: cluster.startup.cv: expected a finite number >= 0, got -0.3"},
	{"startup unknown field", lines(okStop, "cluster:", "  startup: {mean: 80ms, sd: 1ms}", "  nodes: [{group: web}]", okWorkload, okStrats),
		"t.yaml:3:25: cluster.startup.sd: unknown field (allowed: mean, cv)"},

	// real.
	{"real unknown field", lines(okStop, okCluster, okWorkload, okStrats, "real: {namespce: x}"),
		"t.yaml:9:8: real.namespce: unknown field (allowed: namespace, snapshotter, nodes)"},
	{"real a list", lines(okStop, okCluster, okWorkload, okStrats, "real: [a]"),
		"t.yaml:9:7: real: expected a mapping with namespace, snapshotter and nodes, got a list"},
	{"real namespace", lines(okStop, okCluster, okWorkload, okStrats, "real: {namespace: a b}"),
		`t.yaml:9:19: real.namespace: expected a containerd namespace (letters and digits in runs separated by one '.', '_' or '-', at most 76 characters), got "a b"`},
	{"real snapshotter", lines(okStop, okCluster, okWorkload, okStrats, "real: {snapshotter: zfs}"),
		`t.yaml:9:21: real.snapshotter: expected overlayfs, native, or "" (overlayfs, else native), got "zfs"`},
	{"real nodes a mapping", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes: {address: /run/c.sock}"),
		"t.yaml:10:10: real.nodes: expected a list of node daemons like [{address: unix:///run/containerd/containerd.sock}], got a mapping"},
	{"real node without address", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes:", "    - {cpu: 2}"),
		"t.yaml:11:7: real.nodes[0].address: required field missing; expected the daemon's socket, a unix:// URL or an absolute path"},
	{"real node relative path", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes:", "    - address: run/c.sock"),
		`t.yaml:11:16: real.nodes[0].address: expected an absolute socket path, got "run/c.sock"`},
	{"real node relative unix URL", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes:", "    - address: unix://run/c.sock"),
		`t.yaml:11:16: real.nodes[0].address: expected unix:// followed by an absolute socket path, like unix:///run/containerd/containerd.sock, got "unix://run/c.sock"`},
	{"real node tcp", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes:", "    - address: tcp://10.0.0.1:2375"),
		`t.yaml:11:16: real.nodes[0].address: expected a unix:// URL (only unix sockets are supported) or an absolute socket path, got "tcp://10.0.0.1:2375"`},
	{"real node empty address", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes:", `    - address: ""`),
		`t.yaml:11:16: real.nodes[0].address: expected a unix:// URL or an absolute socket path, got ""`},
	{"real node unknown field", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes:", "    - {address: /c.sock, cores: 2}"),
		"t.yaml:11:26: real.nodes[0].cores: unknown field (allowed: address, namespace, cpu, memory, gpus, slots)"},
	{"real node slots 0", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes:", "    - {address: /c.sock, slots: 0}"),
		"t.yaml:11:33: real.nodes[0].slots: expected an integer >= 1, got 0"},
	{"real node cpu bad", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes:", "    - {address: /c.sock, cpu: two}"),
		`t.yaml:11:31: real.nodes[0].cpu: expected a number of cores >= 0 (cores like 16 or 0.5, or milli-cores like 250m), got "two"`},
	{"real node memory negative", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes:", "    - {address: /c.sock, memory: -1Gi}"),
		`t.yaml:11:34: real.nodes[0].memory: expected a size >= 0, got "-1Gi"`},
	{"real node gpus negative", lines(okStop, okCluster, okWorkload, okStrats, "real:", "  nodes:", "    - {address: /c.sock, gpus: -1}"),
		"t.yaml:11:32: real.nodes[0].gpus: expected an integer >= 0, got -1"},
	{"real nodes fewer than the cluster's", lines(okStop, "cluster:", "  nodes: [{group: web, count: 3}]", okWorkload, okStrats, "real:", "  namespace: x", "  nodes:", "    - address: /a.sock", "    - address: /b.sock"),
		"t.yaml:10:3: real.nodes: expected one entry per cluster node, in node order (3), got 2"},
	{"real nodes empty", lines(okStop, okCluster, okWorkload, okStrats, "real: {nodes: []}"),
		"t.yaml:9:8: real.nodes: expected one entry per cluster node, in node order (1), got 0"},

	// Strategies.
	{"strategies empty", lines(okStop, okCluster, okWorkload, "strategies: []"), "t.yaml:8:13: strategies: expected a list of strategies, like [random, p2c], got an empty list"},
	{"strategies a string", lines(okStop, okCluster, okWorkload, "strategies: random"), `t.yaml:8:13: strategies: expected a list of strategies, like [random, p2c], got "random"`},
	{"strategy a list", lines(okStop, okCluster, okWorkload, "strategies:", "  - [a, b]"),
		"t.yaml:9:5: strategies[0]: expected a strategy name or a mapping with name and parameters, got a list"},
	{"strategy null", lines(okStop, okCluster, okWorkload, "strategies:", "  - test-plain", "  -"),
		"t.yaml:10:4: strategies[1]: expected a strategy name, got nothing"},
	{"unknown strategy", lines(okStop, okCluster, okWorkload, "strategies:", "  - test-plain", "  - rnd"),
		`t.yaml:10:5: strategies[1]: unknown strategy "rnd" (known: {known})`},
	{"unknown strategy in a mapping", lines(okStop, okCluster, okWorkload, "strategies:", "  - {name: rnd, d: 2}"),
		`t.yaml:9:12: strategies[0]: unknown strategy "rnd" (known: {known})`},
	{"parameter error", lines(okStop, okCluster, okWorkload, "strategies:", "  - name: test-fixed", "    n: 11"),
		"t.yaml:10:5: strategies[0].n: expected an integer in [1, 10], got 11"},
	{"unknown parameter", lines(okStop, okCluster, okWorkload, "strategies:", "  - {name: test-fixed, m: 2}"),
		"t.yaml:9:24: strategies[0].m: unknown parameter (allowed: n)"},
	{"parameter not given", lines(okStop, okCluster, okWorkload, "strategies:", "  - {name: test-picky, mode: b}"),
		"t.yaml:9:5: strategies[0]: parameter other: expected other to be set with mode b"},
	{"strategy plain error", lines(okStop, okCluster, okWorkload, "strategies:", "  - {name: test-picky, mode: c}"),
		"t.yaml:9:5: strategies[0]: mode c is not implemented"},
	{"duration parameter", lines(okStop, okCluster, okWorkload, "strategies:", "  - {name: test-timed, timeout: soon}"),
		`t.yaml:9:33: strategies[0].timeout: expected a duration (like 250ms, 1h30m, or a number of seconds), got "soon"`},
	{"duration parameter checked by the strategy", lines(okStop, okCluster, okWorkload, "strategies:", "  - {name: test-timed, timeout: -1s}"),
		"t.yaml:9:24: strategies[0].timeout: expected a duration > 0"},
	{"list parameter", lines(okStop, okCluster, okWorkload, "strategies:", "  - {name: test-timed, weights: [1, x]}"),
		"t.yaml:9:24: strategies[0].weights: element 1: expected a number, got x"},
	{"huge parameter", lines(okStop, okCluster, okWorkload, "strategies:", "  - {name: test-timed, extra: 18446744073709551615}"),
		"t.yaml:9:31: strategies[0].extra: expected a number that fits in 64 bits, got 18446744073709551615"},
	{"duplicate parameter", lines(okStop, okCluster, okWorkload, "strategies:", "  - {name: test-fixed, n: 1, n: 2}"),
		"t.yaml:9:30: strategies[0].n: duplicate field (first set on line 9)"},
	{"duplicate strategy", lines(okStop, okCluster, okWorkload, "strategies:", "  - {name: test-fixed, n: 2}", "  - test-plain", "  - name: test-fixed", "    n: 2"),
		"t.yaml:11:5: strategies[2]: expected each strategy once, got a repeat of strategies[0] (line 9: same name and parameters)"},
	{"duplicate strategy by name", lines(okStop, okCluster, okWorkload, "strategies: [test-plain, {name: test-plain}]"),
		"t.yaml:8:26: strategies[1]: expected each strategy once, got a repeat of strategies[0] (line 8: same name and parameters)"},
	{"panicking strategy", lines(okStop, okCluster, okWorkload, "strategies: [test-panic]"),
		"t.yaml:8:14: strategies[0]: strategy test-panic failed to build: boom"},
}

func TestErrors(t *testing.T) {
	known := strings.Join(strategies.Names(), ", ")
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tc.yaml), "")
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want error\n%s", s, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not an *Error: %v", err, err)
			}
			want := strings.ReplaceAll(tc.want, "{known}", known)
			if got := err.Error(); got != want {
				t.Errorf("error\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

func TestValidMinimal(t *testing.T) {
	if _, err := Parse("t.yaml", []byte(valid), ""); err != nil {
		t.Fatal(err)
	}
}
