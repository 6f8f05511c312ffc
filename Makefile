# fleetsim — see README.md.
SHELL    := /bin/bash
GO       ?= go
PKGS     := ./...
BENCHTIME ?= 1x
# go-nvml's cgo header marks many NVML calls deprecated; without this the
# build floods the terminal with warnings.
CGO_CFLAGS ?= -O2 -g -Wno-deprecated-declarations
export CGO_CFLAGS

.PHONY: all build real-deps slurm-deps py-deps gpu-check test test-kill validate lint fmt vet staticcheck nofma bench bench-queue bench-e2e bench-loop bench-sweep bench-scale bench-external gym-episodes fuzz run clean docs

all: build test

# fleetsim, and beside it the static workload binary that real runs pack
# into their container image.
# The version: git describe (tag, commits since, commit, -dirty), also
# when the Go toolchain is set not to stamp VCS information.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

build:
	$(GO) build -buildvcs=true -ldflags='-X main.version=$(VERSION)' -o bin/fleetsim ./cmd/fleetsim
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w -buildid=' -o bin/fleetsim-work ./cmd/fleetsim-work

# containerd and runc for the real-execution tests: installed with apt-get
# when running as root and missing (Debian 12: containerd 1.6.20, runc 1.1.5).
real-deps:
	@if [ "$$(id -u)" = 0 ] && ! { command -v containerd && command -v runc; } >/dev/null 2>&1; then \
		echo "installing containerd and runc with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq containerd runc >/dev/null; \
	fi

# Slurm and munge for TestSlurmSweepReal, likewise (Debian 12: Slurm
# 22.05.8, munge 0.5.15). The test starts its own private daemons; see
# docs/slurm.md.
slurm-deps:
	@if [ "$$(id -u)" = 0 ]; then for b in munged slurmctld slurmd sbatch; do \
		command -v $$b >/dev/null 2>&1 || [ -x /usr/sbin/$$b ] || missing=1; done; \
		if [ -n "$$missing" ]; then echo "installing slurm-wlm and munge with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; fi; \
	fi

# Debian's python3 with venv, pip and wheel, for TestPipInstall (pip install
# ./python with no package index). As root, apt-get installs what is missing.
py-deps:
	@if [ "$$(id -u)" = 0 ] && ! /usr/bin/python3 -c 'import venv, ensurepip, wheel, setuptools' 2>/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv python3-pip python3-wheel python3-setuptools >/dev/null; fi

# The README's test command: unit, golden, theory and CLI tests, then the
# real-execution tests (names ending in Real) on private containerd
# daemons, one package at a time and alone, since they time real
# containers on a machine that the other tests would share. As root they
# must run (FLEETSIM_REAL=1 turns a missing part into a failure); as
# another user they skip, saying why.
test: real-deps slurm-deps py-deps
	FLEETSIM_PY_INSTALL=$$([ "$$(id -u)" = 0 ] && echo 1 || echo 0) $(GO) test -count=1 -skip 'Real$$' $(PKGS)
	$(MAKE) --no-print-directory gym-episodes
	FLEETSIM_REAL=$$([ "$$(id -u)" = 0 ] && echo 1 || echo 0) $(GO) test -count=1 -p 1 -run 'Real$$' -v $(PKGS)

# Timing against reality, which no unit test can bound on every machine:
# the full validation of the embedded scenario and of the four in
# testdata/validation/ (heavy-tailed, burst, node-failure and oom: central
# placement with memory limits, where validate also compares the share of
# tasks OOM-killed) (as root, on private daemons), each printing the
# machine's CPUs, cgroup kind and load average beside its figures. Exit 1
# when the embedded scenario's calibrated mean sojourn error exceeds 10 %
# (the bound docs/real.md states for a quiet machine). Output goes to
# validate-out/; docs/real.md and the README quote it.
VALIDATE_OUT ?= validate-out
validate: build real-deps
	@mkdir -p $(VALIDATE_OUT)
	@set -o pipefail; for f in testdata/validation/*.yaml; do n=$$(basename $$f .yaml); \
		echo "== $$f"; bin/fleetsim validate $$f -o $(VALIDATE_OUT)/$$n | tee $(VALIDATE_OUT)/$$n.txt || exit 1; done
	@echo "== the embedded validation scenario"
	@set -o pipefail; bin/fleetsim validate --max-error 0.10 -o $(VALIDATE_OUT)/validation | tee $(VALIDATE_OUT)/validation.txt

# The GPU path on a machine with an NVIDIA driver, as root: GPU tests and a
# two-task GPU validation on private containerd daemons, one summary.
# Without a driver it says so and exits 0. See docs/real.md.
gpu-check:
	bash scripts/gpu-check.sh

lint: fmt vet staticcheck nofma

# nofma: no float multiply fused with an add where results are computed
# (the same results on arm64 and GOAMD64=v3 as on a default amd64 build).
nofma:
	@sh scripts/nofma.sh

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	@command -v staticcheck >/dev/null 2>&1 || $(GO) install honnef.co/go/tools/cmd/staticcheck@latest
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" staticcheck $(PKGS)

# Benchmarks (GOMAXPROCS=1, as the README's figures). Compare runs with benchstat.
bench: bench-queue bench-e2e bench-sweep bench-scale bench-external

bench-queue:
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench 'Hold' -benchmem -count 3 -benchtime 1000000x ./sim/queue/

bench-e2e:
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench 'EndToEnd' -benchmem -benchtime $(BENCHTIME) -count 3 ./sim/

# The engine beside the limit loop (issue 22, docs/performance.md): p2c and
# random at 10^3 and 10^6 nodes; read req/cpu-s on a shared machine.
bench-loop:
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench 'EngineVsLoop' -benchmem -benchtime 1x -count 5 ./sim/

# A 100-point sweep of a 1M-task scenario on one core and on two: the
# speed-up of spreading runs over cores. Two invocations: with -cpu 1,2 in
# one, go1.26 ran the first on both cores (user time twice real time).
bench-sweep:
	$(GO) test -run '^$$' -bench 'Sweep100' -benchtime 1x -count 3 -cpu 1 ./cmd/fleetsim/
	$(GO) test -run '^$$' -bench 'Sweep100' -benchtime 1x -count 3 -cpu 2 ./cmd/fleetsim/

# Balancers as the cluster grows (issue 22): every registered balancer at
# 10^5 nodes as a Go benchmark (BenchmarkBalancers: runs of 500,000 and
# 5,000,000 requests, req/s and req/cpu-s, median of 5; the README's
# table); the indexed balancers against their O(n) oracles (scan: true),
# 10^3 to 10^5 nodes; then every balancer through the CLI, one process per run, with its peak
# RSS (scripts/bench-scale.sh; SIZES="1000 10000 100000 1000000" adds
# 10^6 nodes, TASKS sets the requests per run); then placement: the FGD
# inflation experiment on the openb node list replicated 1x, 10x and 50x
# for the indexed placement strategies and their scans (the scans and
# best-fit to 10x; the openb traces must be in ../shared/traces), and
# 100,000 VMs on 20,000 hosts by first fit.
bench-scale: build
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench 'Balancers/' -benchmem -benchtime 1x -count 5 ./strategies/
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench 'BalancerScale' -benchmem -benchtime 1x -count 3 ./strategies/
	scripts/bench-scale.sh
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench 'PlacementScale|CloudSimPlacement' -benchmem -benchtime 1x -count 1 ./strategies/

# External strategies (issue 21): decisions through the protocol on 1,000
# nodes, one per message and batched, fleetsim on one core (wall time and
# CPU time of each side), then the Python side alone on one core
# (python/bench/decisions.py). docs/external.md quotes them.
bench-external:
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench 'Decision/(go-helper|python-least_loaded.py)/nodes=1000|Batched' -benchmem -benchtime 50000x -count 3 ./strategies/external/
	python3 python/bench/decisions.py

# The gym environment at the scale of issue 21's acceptance: 1,000
# episodes (20 tasks of speeds each) of the example learning agent, timed.
gym-episodes: build
	set -o pipefail; FLEETSIM=bin/fleetsim python3 python/examples/learn_speeds.py 1000 20 --check | tail -4

# Long fuzzing of every parser (FUZZTIME per target).
FUZZTIME ?= 60s
FUZZFLAGS ?=
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzCSVReader$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzJSONLReader$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzCSVRows$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzCSVNative$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzCacheReader$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzOpenb$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzOpenbNodes$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzSWF$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzAzureLLM$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzWfFormat$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzRealSection$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./realexec/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./scenario/
	$(GO) test -run '^$$' -fuzz '^FuzzReadBytes$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./scenario/manifest/
	$(GO) test -run '^$$' -fuzz '^FuzzParseResults$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./reports/
	$(GO) test -run '^$$' -fuzz '^FuzzReadSeries$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./reports/
	$(GO) test -run '^$$' -fuzz '^FuzzReadGantt$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./reports/
	$(GO) test -run '^$$' -fuzz '^FuzzCheck$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./reports/
	$(GO) test -run '^$$' -fuzz '^FuzzStart$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./scenario/
	$(GO) test -run '^$$' -fuzz '^FuzzSet$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./scenario/
	$(GO) test -run '^$$' -fuzz '^FuzzShard$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./cmd/fleetsim/
	$(GO) test -run '^$$' -fuzz '^FuzzNumericFlags$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./cmd/fleetsim/
	$(GO) test -run '^$$' -fuzz '^FuzzMerge$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./cmd/fleetsim/

# kill -9 at 20 random moments of compare --out D --out-records, of
# sweep -o D and (as root, on private containerd daemons) of real run -o D
# (make test tries 3 of each): D must hold the previous complete result or
# the new one, never a mix, and no leftovers after the next run; a real run
# leaves no daemon, container, mount, cgroup or folder.
test-kill:
	FLEETSIM_KILLS=20 FLEETSIM_REAL=$$([ "$$(id -u)" = 0 ] && echo 1 || echo 0) $(GO) test -count=1 -p 1 -timeout 60m -run '^TestKill' -v ./cmd/fleetsim/

# The main job on the embedded default scenario.
run:
	$(GO) run ./cmd/fleetsim compare

clean:
	rm -rf bin

# docs/scenario.md and docs/traces.md are the package comments of scenario
# and traces, the reference of the file formats. The command outputs in
# README.md and docs/*.md marked <!-- docs: fleetsim ARGS --> are rerun
# (at 100 columns, timings masked); TestDocsCurrent fails when one is stale.
docs:
	$(GO) test -count=1 -run 'TestDocsCurrent' ./cmd/fleetsim -update-docs
	@for p in scenario:"Scenario file reference" traces:"Trace formats"; do \
		pkg=$${p%%:*}; title=$${p#*:}; \
		{ echo "# $$title"; echo; echo "Generated by \`make docs\` from \`$$pkg/doc.go\`, the package documentation."; echo; \
		  echo '```text'; sed -n '1,/^package/p' $$pkg/doc.go | awk '/^package/{exit} {sub(/^\/\/ ?/,""); print}'; echo '```'; } > docs/$$pkg.md; \
	done
