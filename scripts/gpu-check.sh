#!/usr/bin/env bash
# gpu-check.sh: check fleetsim's GPU path on a Linux machine with NVIDIA GPUs.
#
#   sudo scripts/gpu-check.sh [OUT]        # or: sudo make gpu-check
#
# From the repository root, as root. It
#   1. looks for the NVIDIA driver (kernel module and libnvidia-ml.so.1);
#      without one it says so and exits 0: there is nothing to check;
#   2. installs containerd and runc with apt-get where missing;
#   3. runs the GPU tests on private containerd daemons they start
#      (go test -run 'GPU.*Real$' ./realexec ./cmd/fleetsim, FLEETSIM_REAL=1);
#   4. runs the GPU validation through the CLI: fleetsim real up 1, then
#      real run testdata/scenarios/gpu-check.yaml (two tasks of one GPU
#      each; on a one-GPU machine the node gets that one GPU), real down;
#      and checks records.csv (each task completed on its own GPU, or on
#      the one GPU after the other) and gpu.csv (NVML telemetry of each GPU);
#   5. prints one summary, also written to OUT/summary.txt (OUT defaults to
#      gpu-check-out), with the go test log and the run's files beside it.
# Exit status: 0 when every check passed (or there is no driver), 1 when one
# failed, 2 when the machine cannot run the checks (not root, no go and no
# prebuilt bin/fleetsim, no apt-get to install containerd).
#
# Go is not downloaded: the go command (PATH or /usr/local/go/bin) and the
# module cache must be there; without go, step 3 is skipped and step 4 uses
# a prebuilt bin/fleetsim and bin/fleetsim-work (make build).
#
# --force runs every step even without a driver, to try the script itself on
# a machine without GPUs; the GPU checks then fail.
set -uo pipefail

force=0
if [ "${1:-}" = --force ]; then force=1; shift; fi
out=${1:-gpu-check-out}
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)

say() { printf 'gpu-check: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

# 1. The driver.
if [ "$(uname -s)" != Linux ]; then
	say "not Linux ($(uname -s)): the GPU path needs Linux, containerd and the NVIDIA driver; nothing checked"
	exit 0
fi
module=""; [ -r /proc/driver/nvidia/version ] && module=$(sed -n 's/^NVRM version: *//p' /proc/driver/nvidia/version | head -1)
libnvml=$(ldconfig -p 2>/dev/null | awk '/libnvidia-ml\.so\.1 /{print $NF; exit}')
if [ -z "$module" ] && [ -z "$libnvml" ] && [ $force = 0 ]; then
	say "no NVIDIA driver found (no /proc/driver/nvidia/version, no libnvidia-ml.so.1 known to ldconfig): nothing to check on this machine"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "run as root: containerd and the GPU device nodes need it (sudo make gpu-check)"

# 2. containerd and runc.
if ! { command -v containerd && command -v runc; } >/dev/null 2>&1; then
	command -v apt-get >/dev/null 2>&1 || die "containerd or runc missing and no apt-get to install them: install containerd and runc"
	say "installing containerd and runc with apt-get"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq containerd runc; } >/dev/null ||
		die "apt-get install containerd runc failed"
fi

rm -rf "$out" && mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d /tmp/fleetsim-gpu-check.XXXXXX) || die "mktemp failed"
bin=""
cleanup() {
	if [ -n "$bin" ] && [ -d "$tmp/daemons" ]; then "$bin" real down --dir "$tmp/daemons" >/dev/null 2>&1; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gobin=$(command -v go || { [ -x /usr/local/go/bin/go ] && echo /usr/local/go/bin/go; })
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g -Wno-deprecated-declarations}"

declare -a lines=()   # the summary's check lines
failed=0
check() { # check NAME ok|FAIL|skip DETAIL
	lines+=("$(printf '  %-36s %-4s %s' "$1" "$2" "$3")")
	[ "$2" = FAIL ] && failed=1
	return 0
}
verdict() { # verdict NAME "ok DETAIL" or "FAIL DETAIL" (empty: FAIL)
	case "$2" in
	ok*) check "$1" ok "${2#ok }" ;;
	*) check "$1" FAIL "${2#FAIL }" ;;
	esac
}

# records_verdict FILE WANT: "ok …" when records.csv holds two completed
# tasks with one GPU each, on different GPUs (WANT 2) or one after the
# other (WANT 1); else "FAIL why". Columns: strategy,seed,id,arrival,start,
# finish,node,wait,latency,status,warmup,gpus.
records_verdict() {
	awk -F, -v want="$2" 'NR > 1 { n++; if ($10 != "completed") bad = bad " task " $3 " " $10;
			id[n] = $3; s[n] = $5; f[n] = $6; g[n] = $12 }
		END {
			if (n != 2) { print "FAIL " n+0 " records, want 2"; exit }
			if (bad != "") { print "FAIL" bad; exit }
			if (g[1] == "" || g[2] == "" || g[1] ~ /;/ || g[2] ~ /;/) { print "FAIL GPUs " g[1] " and " g[2] ", want one each"; exit }
			if (want == 2 && g[1] == g[2]) { print "FAIL both tasks on GPU " g[1]; exit }
			if (want == 1 && !(s[2] + 0 >= f[1] + 0 || s[1] + 0 >= f[2] + 0)) { print "FAIL both tasks held the one GPU at once"; exit }
			printf "ok task %s on GPU %s (%s-%s s), task %s on GPU %s (%s-%s s)\n", id[1], g[1], s[1], f[1], id[2], g[2], s[2], f[2] }' "$1" 2>&1
}

# telemetry_verdict FILE WANT: "ok …" when gpu.csv has samples of GPUs 0 to
# WANT-1; else "FAIL why". Columns: strategy,time_s,gpu,utilization_pct,
# memory_utilization_pct,memory_used,power_w,processes.
telemetry_verdict() {
	awk -F, -v want="$2" 'NR > 1 { c[$3]++; if ($7 + 0 > p[$3]) p[$3] = $7 + 0 }
		END { for (i = 0; i < want; i++) if (!c[i]) { print "FAIL no sample of GPU " i; exit }
			printf "ok"; for (i = 0; i < want; i++) printf " GPU %d: %d samples, max %.0f W;", i, c[i], p[i]; print "" }' "$1" 2>&1
}

# fleetsim for step 4: built from this tree, else the prebuilt one.
if [ -n "$gobin" ]; then
	mkdir -p "$tmp/bin"
	if "$gobin" build -o "$tmp/bin/fleetsim" ./cmd/fleetsim >"$tmp/build.log" 2>&1 &&
		CGO_ENABLED=0 "$gobin" build -trimpath -ldflags='-s -w -buildid=' -o "$tmp/bin/fleetsim-work" ./cmd/fleetsim-work >>"$tmp/build.log" 2>&1; then
		bin=$tmp/bin/fleetsim
	else
		cp "$tmp/build.log" "$out/build.log"
		check "build fleetsim" FAIL "go build failed: $out/build.log"
	fi
elif [ -x bin/fleetsim ] && [ -x bin/fleetsim-work ]; then
	bin=$root/bin/fleetsim
else
	die "no go command (PATH, /usr/local/go/bin) and no prebuilt bin/fleetsim and bin/fleetsim-work (make build on a machine with go)"
fi

# 3. The GPU tests.
if [ -n "$gobin" ]; then
	FLEETSIM_REAL=1 "$gobin" test -count=1 -p 1 -timeout 15m -v -run 'GPU.*Real$' ./realexec ./cmd/fleetsim >"$out/go-test.log" 2>&1
	rc=$?
	for t in TestGPUReal TestGPUValidationReal TestGPURefusedWithoutNVMLReal; do
		r=$(sed -n "s/^--- \([A-Z]*\): $t .*/\1/p" "$out/go-test.log" | head -1)
		why=$(grep -A1 -- "^=== RUN   $t\$" "$out/go-test.log" | sed -n '2s/^ *//p' | cut -c1-90)
		case "$t:$r" in
		*:PASS) check "$t" ok "" ;;
		TestGPURefusedWithoutNVMLReal:SKIP) check "$t" ok "skipped: the machine has GPUs (the refusal is for machines without)" ;;
		*:SKIP) check "$t" FAIL "skipped: $why" ;;
		*:FAIL) check "$t" FAIL "see $out/go-test.log" ;;
		*) check "$t" FAIL "did not run (go test exit $rc): see $out/go-test.log" ;;
		esac
	done
	[ $rc = 0 ] || [ $failed = 1 ] || check "go test" FAIL "exit $rc: see $out/go-test.log"
else
	check "GPU tests (go test)" skip "no go command; only the CLI validation ran"
fi

# 4. The GPU validation through the CLI.
ngpu=0
if command -v nvidia-smi >/dev/null 2>&1; then
	ngpu=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
fi
if [ -n "$bin" ]; then
	scen=$root/testdata/scenarios/gpu-check.yaml
	want=2
	if [ "$ngpu" = 1 ]; then # one GPU: the node gets it, the tasks take turns
		want=1
		cp testdata/scenarios/gpu-check.csv "$tmp/"
		sed 's/gpus: 2}/gpus: 1}/' "$scen" >"$tmp/gpu-check.yaml"
		scen=$tmp/gpu-check.yaml
	fi
	run="$out/real-run"
	if "$bin" real up 1 --dir "$tmp/daemons" >"$out/real-up.log" 2>&1 &&
		timeout 600 "$bin" real run "$scen" --dir "$tmp/daemons" -o "$run" >"$out/real-run.log" 2>&1; then
		verdict "real run: one GPU per task" "$(records_verdict "$run/records.csv" $want)"
		verdict "real run: NVML telemetry (gpu.csv)" "$(telemetry_verdict "$run/gpu.csv" $want)"
		grep -q "GPU tasks refused" "$out/real-run.log" && check "real run: GPU tasks accepted" FAIL "$(grep -m1 'GPU tasks refused' "$out/real-run.log")"
	else
		check "real run" FAIL "see $out/real-up.log and $out/real-run.log"
	fi
	if "$bin" real down --dir "$tmp/daemons" >"$out/real-down.log" 2>&1; then
		check "real down" ok "$(head -1 "$out/real-down.log")"
	else
		check "real down" FAIL "see $out/real-down.log"
	fi
	rm -rf "$tmp/daemons"
	left=$(pgrep -f "containerd.*$tmp" || true)
	[ -z "$left" ] || check "nothing left" FAIL "containerd processes of $tmp: $left"
fi

# 5. The summary.
{
	echo "fleetsim GPU check, $(date -u '+%Y-%m-%d %H:%M UTC'), $(hostname)"
	echo "  commit      $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
	echo "  kernel      $(uname -r), cgroup $(case "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" in cgroup2fs) echo v2 ;; tmpfs) [ -d /sys/fs/cgroup/unified ] && echo 'v1 (hybrid)' || echo v1 ;; *) echo unknown ;; esac)"
	echo "  driver      ${module:-no kernel module} ; NVML ${libnvml:-not found}"
	if command -v nvidia-smi >/dev/null 2>&1; then
		nvidia-smi --query-gpu=index,name,uuid,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/  GPU         /'
	else
		echo "  GPUs        nvidia-smi not found"
	fi
	echo "  containerd  $(containerd --version 2>/dev/null | awk '{print $3}'), runc $(runc --version 2>/dev/null | awk 'NR==1{print $3}')"
	echo "  go          $([ -n "$gobin" ] && "$gobin" version | awk '{print $3}' || echo "none (prebuilt $bin)")"
	printf '%s\n' "${lines[@]}"
	if [ $failed = 0 ]; then echo "RESULT: PASS"; else echo "RESULT: FAIL (logs in $out)"; fi
} | tee "$out/summary.txt"
exit $failed
