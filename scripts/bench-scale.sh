#!/usr/bin/env bash
# Balancers as the cluster grows (issue 22): every balancer of the node
# queueing model on SIZES nodes (single-slot, speed 1) at 90 % load,
# TASKS Poisson requests of exponential 1 s work each, one process per run
# on one core (GOMAXPROCS=1), and the O(n) oracles (scan: true) at the
# sizes in SCAN_SIZES with SCAN_TASKS requests. geo runs with the nodes spread over four regions
# 20-80 ms apart and tasks from every region; the others on one region.
# Prints a markdown table: requests per second of the engine (tasks /
# engine.wall_s), the whole process's wall time and its peak RSS (GNU
# time's maximum resident set size), with the machine's load average.
#
#   SIZES="1000 10000 100000" TASKS=2000000 scripts/bench-scale.sh
set -euo pipefail
bin=${FLEETSIM:-bin/fleetsim}
sizes=${SIZES:-1000 10000 100000}
scan_sizes=${SCAN_SIZES:-1000 10000}
tasks=${TASKS:-2000000}
scan_tasks=${SCAN_TASKS:-200000}
balancers=${BALANCERS:-random round-robin weighted-round-robin least-connections least-connections\{weighted=true\} jsq p2c power-of-d\{d=3\} geo resource-based adaptive least-request consistent-hash\{key=id,table=TABLE\} queue}
oracles=${ORACLES:-weighted-round-robin\{scan=true\} least-connections\{scan=true\} jsq\{scan=true\} geo\{scan=true\} least-request\{scan=true\}}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# scenario N REGIONS TASKS: the cluster and workload as a scenario file.
scenario() {
	local n=$1 regions=$2 tasks=$3 f=$dir/scale-$1-$2-$3.yaml
	{
		echo "name: scale-$n"
		echo "seed: 1"
		echo "stop: {tasks: $tasks}"
		echo "warmup: {tasks: $((tasks / 10))}"
		if [ "$regions" = 4 ]; then
			echo "network:"
			echo "  rtt:"
			echo "    r0: {r0: 0ms, r1: 20ms, r2: 40ms, r3: 80ms}"
			echo "    r1: {r1: 0ms, r2: 20ms, r3: 40ms}"
			echo "    r2: {r2: 0ms, r3: 20ms}"
			echo "    r3: {r3: 0ms}"
		fi
		echo "cluster:"
		echo "  queueing: node"
		echo "  nodes:"
		for r in $(seq 0 $((regions - 1))); do
			echo "    - {group: g$r, count: $((n / regions)), region: r$r, slots: 1, speed: 1}"
		done
		echo "workload:"
		echo "  arrivals: {process: poisson, rate: $((n * 9 / 10))}"
		echo "  service: {dist: exponential, mean: 1s}"
		if [ "$regions" = 4 ]; then
			echo "  origins: {r0: 0.25, r1: 0.25, r2: 0.25, r3: 0.25}"
		fi
		echo "strategies: [random]"
	} >"$f"
	echo "$f"
}

# the smallest prime above n, for consistent-hash's Maglev table.
prime_above() {
	local p=$(($1 + 1)) d
	while :; do
		for ((d = 2; d * d <= p; d++)); do ((p % d == 0)) && break; done
		((d * d > p)) && { echo $p; return; }
		p=$((p + 1))
	done
}

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; GOMAXPROCS=1; $tasks requests per run ($scan_tasks for the scans)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| balancer | nodes | requests/s | process wall (s) | peak RSS (MiB) |"
echo "| --- | ---: | ---: | ---: | ---: |"
run() { # STRATEGY N TASKS
	local s=$1 n=$2 tasks=$3 regions=1 out=$dir/out.json rss=$dir/rss
	case $s in geo*) regions=4 ;; esac
	s=${s//TABLE/$(prime_above $((n > 65536 ? n : 65536)))}
	local f
	f=$(scenario "$n" "$regions" "$tasks")
	GOMAXPROCS=1 /usr/bin/time -f '%M %e' -o "$rss" "$bin" run "$f" -s "$s" --json >"$out"
	local wall rate
	wall=$(grep -o '"wall_s": [0-9.e+-]*' "$out" | head -1 | awk '{print $2}')
	rate=$(awk -v t="$tasks" -v w="$wall" 'BEGIN { printf "%.0f", t / w }')
	read -r kb secs <"$rss"
	printf '| %s | %d | %s | %s | %.0f |\n' "${s//|/\\|}" "$n" "$rate" "$secs" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')"
}
for n in $sizes; do
	for s in $balancers; do run "$s" "$n" "$tasks"; done
done
for n in $scan_sizes; do
	for s in $oracles; do run "$s" "$n" "$scan_tasks"; done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
