#!/bin/sh
# nofma.sh: fails, naming each line, where the Go compiler fuses a float
# multiply and an add into one instruction (FMA) in the packages that
# compute results. Go may fuse x*y + z on arm64, ppc64le, s390x, riscv64
# and on amd64 built with GOAMD64=v3, rounding once where a default amd64
# build rounds twice: the last bit then differs, and with it, sometimes,
# a task's duration in nanoseconds and every result after it. An explicit
# float64(x*y) rounds the product and forbids the fusion (the Go spec,
# "Arithmetic operators"), so results are the same on every machine.
# (reports' plots are left out: drawing, not results; so are lines of
# other modules inlined here, gonum/plot's canvas.) Run by make lint from
# the repository's root.
set -e
pkgs="./sim/... ./traces/... ./strategies/... ./scenario/... ./cmd/... ./reports/"
found=$( { GOARCH=arm64 go build -gcflags=-S $pkgs 2>&1 | grep -E '[[:space:]](FMADDD|FMSUBD|FNMADDD|FNMSUBD|FMADDS|FMSUBS|FNMADDS|FNMSUBS)[[:space:]]' || true;
	GOAMD64=v3 go build -gcflags=-S $pkgs 2>&1 | grep -E '[[:space:]]VF(N)?M(ADD|SUB)[0-9]+S[DS][[:space:]]' || true; } |
	grep -o '([^)]*\.go:[0-9]*)' | tr -d '()' | grep -F "$(pwd)/" |
	grep -v -E '/reports/(heatmap|style|plots|gantt|timeline)\.go:' | sort -u)
if [ -n "$found" ]; then
	echo "a float multiply fused with an add (round the product with float64(x*y)):"
	echo "$found"
	exit 1
fi
