# sciswift — build, run and test. GNU make.
#
#   make deps    install the Debian packages the tests need (fast no-op when present)
#   make build   bin/sciswift
#   make run     build, then `bin/sciswift serve` (single-node store on defaults)
#   make test    deps + build, then go vet and all tests (unit and e2e under test/)
#   make fuzz    every Fuzz* target for FUZZTIME (default 20s) each
#   make bench   build, then `bin/sciswift bench`
#   make hdf5    ensure HDF5 >= 1.14 (built once per machine into ~/.cache/sciswift)
#   make clean

GO ?= go
BIN := bin
FUZZTIME ?= 20s

# A fresh machine may have Go in /usr/local/go without it on PATH.
export PATH := $(PATH):/usr/local/go/bin
# End-to-end tests under test/ run this binary.
export SCISWIFT_BIN := $(CURDIR)/$(BIN)/sciswift

.DEFAULT_GOAL := build
.PHONY: deps build run test fuzz bench hdf5 clean

deps:
	@bash scripts/install-deps.sh

build:
	$(GO) build -o $(BIN)/sciswift ./cmd/sciswift

run: build
	exec ./$(BIN)/sciswift serve

test: deps build
	$(GO) vet ./...
	$(GO) test -count=1 ./...

fuzz:
	@GO='$(GO)' FUZZTIME='$(FUZZTIME)' bash scripts/fuzz-all.sh

bench: build
	bash scripts/bench.sh $(BENCHFLAGS)

hdf5:
	@bash scripts/install-hdf5.sh

clean:
	rm -rf $(BIN)
