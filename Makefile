# Every target runs from a clean clone: tools are installed into .tools/ by
# the targets that need them, never by hand.

GO       ?= go
MODULES  := core gin echo fiber examples benchmarks
TOOLS    := $(CURDIR)/.tools

GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)/golangci-lint

# How long each fuzz target runs: a few seconds in `make test`, longer with
# `make fuzz FUZZTIME=5m`.
FUZZTIME ?= 3s

.PHONY: test vet race fuzz-smoke fuzz fmt-check lint bench

## test: everything the README promises: vet, every module's tests under the
## race detector, and a short run of every fuzz target.
test: vet race fuzz-smoke

vet:
	$(GO) vet work

race:
	$(GO) test -race -count=1 work

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

## bench: the hot-path benchmarks with allocation counts.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./core/... | tee bench.out
