# fleetsim — see README.md.
GO       ?= go
PKGS     := ./...
BENCHTIME ?= 1x

.PHONY: all build test lint fmt vet staticcheck bench bench-queue bench-e2e fuzz run clean

all: build test

build:
	$(GO) build -o bin/fleetsim ./cmd/fleetsim

# The README's test command: unit, golden, theory and CLI tests.
test:
	$(GO) test -count=1 $(PKGS)

lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	@command -v staticcheck >/dev/null 2>&1 || $(GO) install honnef.co/go/tools/cmd/staticcheck@latest
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" staticcheck $(PKGS)

# Benchmarks (GOMAXPROCS=1, as the README's figures). Compare runs with benchstat.
bench: bench-queue bench-e2e

bench-queue:
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench 'Hold' -benchmem -count 3 ./sim/queue/

bench-e2e:
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench 'EndToEnd' -benchmem -benchtime $(BENCHTIME) -count 3 ./sim/

# Long fuzzing of every parser (FUZZTIME per target).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzCSVReader$$' -fuzztime $(FUZZTIME) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzJSONLReader$$' -fuzztime $(FUZZTIME) ./traces/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./scenario/

# The main job on the embedded default scenario.
run:
	$(GO) run ./cmd/fleetsim compare

clean:
	rm -rf bin
