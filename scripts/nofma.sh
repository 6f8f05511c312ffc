#!/bin/sh
# nofma.sh: fails, naming each line, where the Go compiler fuses a float
# multiply and an add into one instruction (FMA) in the packages that
# compute results. Go may fuse x*y + z on arm64, ppc64le, s390x, riscv64
# and on amd64 built with GOAMD64=v3, rounding once where a default amd64
# build rounds twice: the last bit then differs, and with it, sometimes,
# a task's duration in nanoseconds and every result after it. An explicit
# float64(x*y) rounds the product and forbids the fusion (the Go spec,
# "Arithmetic operators"), so results are the same on every machine.
# Compiled for arm64 (without cgo: cmd/fleetsim, which needs go-nvml, is
# checked by the GOAMD64=v3 build only) and for GOAMD64=v3. reports'
# plots are left out (drawing, not results), and so are lines of other
# modules inlined here (gonum/plot's canvas). Run by make lint from the
# repository's root.
set -e
pkgs="./sim/... ./traces/... ./strategies/... ./scenario/... ./reports/ ./cmd/fleetsim-work"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! CGO_ENABLED=0 GOARCH=arm64 go build -gcflags=-S $pkgs >"$out" 2>&1; then
	grep -v '^	' "$out" | head -20
	echo "nofma: the arm64 build failed"
	exit 1
fi
found=$(grep -E '[[:space:]](FMADDD|FMSUBD|FNMADDD|FNMSUBD|FMADDS|FMSUBS|FNMADDS|FNMSUBS)[[:space:]]' "$out" || true)
if ! GOAMD64=v3 go build -gcflags=-S $pkgs ./cmd/fleetsim >"$out" 2>&1; then
	grep -v '^	' "$out" | head -20
	echo "nofma: the GOAMD64=v3 build failed"
	exit 1
fi
found="$found
$(grep -E '[[:space:]]VF(N)?M(ADD|SUB)[0-9]+S[DS][[:space:]]' "$out" || true)"
sites=$(echo "$found" | grep -o '([^)]*\.go:[0-9]*)' | tr -d '()' | grep -F "$(pwd)/" |
	grep -v -E '/reports/(heatmap|style|plots|gantt|timeline)\.go:' | sort -u || true)
if [ -n "$sites" ]; then
	echo "a float multiply fused with an add (round the product with float64(x*y)):"
	echo "$sites"
	exit 1
fi
