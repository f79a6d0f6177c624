# Every target runs from a clean clone: tools are installed into .tools/ by
# the targets that need them, never by hand.

GO       ?= go
MODULES  := core gin echo echov5 fiber fiberv3 otel examples benchmarks interop/gocli redis
TOOLS    := $(CURDIR)/.tools

GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)/golangci-lint

BENCHSTAT_VERSION := v0.0.0-20260908200009-22c9c6c9d4da
BENCHSTAT := $(TOOLS)/benchstat-$(BENCHSTAT_VERSION)/benchstat

# The example servers load-ci drives, one after the other.
LOAD_EXAMPLES ?= gin echo echov5 fiber fiberv3

# Rounds of the comparison suite (`make bench ROUNDS=10`).
ROUNDS ?= 6

# How long each fuzz target runs: a few seconds in `make test`, longer with
# `make fuzz FUZZTIME=5m`.
FUZZTIME ?= 3s

.PHONY: test vet race redis-test fuzz-smoke fuzz fmt-check lint bench bench-core interop load load-ci wrk

## test: every test: vet, every module's tests under the race detector, a
## short run of every fuzz target, and the interoperability checks against
## Clerk's JavaScript SDK.
test: vet race fuzz-smoke interop

vet:
	$(GO) vet work

race:
	scripts/with-redis.sh $(GO) test -race -count=1 work

## redis-test: only the Redis token cache, against a throwaway redis-server
## (scripts/with-redis.sh installs and starts it, and stops it afterwards).
redis-test:
	scripts/with-redis.sh $(GO) test -race -count=1 ./redis/...

fuzz-smoke:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

lint: $(GOLANGCI_LINT)
	@for m in $(MODULES); do \
		echo "golangci-lint: $$m"; \
		(cd $$m && $(GOLANGCI_LINT) run ./...) || exit 1; \
	done

$(GOLANGCI_LINT):
	GOBIN=$(dir $@) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

## bench-core: the core's hot-path benchmarks with allocation counts.
bench-core:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./core/... | tee bench.out

## bench: clerkkit against Clerk's Go SDK and the floors, in
## interleaved rounds; prints a benchstat table, the goal ratios and the
## upstream call counts (about 3 minutes).
bench: $(BENCHSTAT)
	GO=$(GO) BENCHSTAT=$(BENCHSTAT) ROUNDS=$(ROUNDS) benchmarks/compare.sh

$(BENCHSTAT):
	GOBIN=$(dir $@) $(GO) install golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION)

## interop: Clerk's official JavaScript SDK (@clerk/backend, pinned in
## interop/package.json) against the emulator and our client. Needs
## Node.js >= 20; the tests build and stop the Go commands themselves.
interop:
	cd interop && npm ci --no-audit --no-fund && npm test

## load: an example server (offline) under wrk over loopback, 60 s for each
## of get-token with the cache off, with it on, and authentication only;
## prints requests/s, p50/p99 latency, non-2xx answers and the server's
## RSS at 10 s and at the end (about 3.5 minutes). See scripts/load.sh for
## the settings.
load: wrk
	LOAD_SECONDS=60 LOAD_RSS_AT=10 scripts/load.sh

## load-ci: the same for 5 s each, for every example server in turn
## (LOAD_EXAMPLES); fails on any non-2xx answer or socket error, or if a
## server's RSS grows by more than 16 MiB between 2 s and the end of a run.
load-ci: wrk
	@for e in $(LOAD_EXAMPLES); do \
		LOAD_EXAMPLE=$$e LOAD_SECONDS=5 LOAD_RSS_AT=2 LOAD_CHECK=1 LOAD_MAX_RSS_GROWTH_KB=16384 scripts/load.sh || exit 1; \
	done

## wrk: installs the HTTP benchmarking tool from Debian's packages if it is
## missing.
wrk:
	@command -v wrk >/dev/null || { \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq wrk; }
