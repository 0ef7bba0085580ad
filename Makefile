# sciswift — build, run and test. GNU make.
#
#   make deps       install the Debian packages the tests need (fast no-op when present)
#   make build      bin/sciswift
#   make run        build + h5worker, then `bin/sciswift serve` (single-node store on defaults)
#   make hdf5       ensure HDF5 >= 1.14 (built once per machine into ~/.cache/sciswift, ~6 min)
#   make vol        hdf5, then the HDF5 VOL connector bin/plugins/libsciswift.so
#   make h5worker   hdf5, then bin/sciswift-h5worker, the child process that indexes uploaded
#                   HDF5 files with libhdf5 (the server finds it next to bin/sciswift)
#   make test       deps + hdf5 + build + vol + h5worker, then go vet and all tests (unit, e2e,
#                   test/vol, test/formats), then docker-test (skipped without a Docker engine)
#   make fuzz       every Fuzz* target for FUZZTIME (default 20s) each
#   make bench      build, then `bin/sciswift bench`
#   make bench-vol  build + vol, then the connector vs a native HDF5 file, write
#                   and read, in MB/s (BENCH_VOL_MB, default 1024 MiB)
#   make bench-formats  a small slice of a 1 GiB HDF5, FITS and Parquet object
#                   against downloading it whole (BENCH_FORMATS_MB)
#   make docker-test    build the image, run it, drive it as the README's quickstart does
#   make clean
#
# Using the connector from any HDF5 1.14 program (built with `h5cc -shlib`):
#   export HDF5_PLUGIN_PATH=$PWD/bin/plugins HDF5_VOL_CONNECTOR=sciswift
#   export ST_AUTH=http://127.0.0.1:8080/auth/v1.0 ST_USER=test:tester ST_KEY=testing
#   ./my_simulation results/run1.h5    # container "results", file "run1.h5"

GO ?= go
BIN := bin
FUZZTIME ?= 20s
# HDF5 dlopens every lib*.so in a plugin directory: this one holds the
# connector and nothing else.
PLUGIN_DIR := $(BIN)/plugins

# A fresh machine may have Go in /usr/local/go without it on PATH.
export PATH := $(PATH):/usr/local/go/bin
# End-to-end tests under test/ run this binary.
export SCISWIFT_BIN := $(CURDIR)/$(BIN)/sciswift
# Where HDF5 is or will be (--print-prefix never builds and never touches
# the network). cabi's `#cgo pkg-config: hdf5` finds it through
# PKG_CONFIG_PATH, for `make vol` and for `go vet ./...` / `go test ./...`,
# which compile cabi and formats/hdf5/h5lib too. `make build` alone needs
# no HDF5.
HDF5_PREFIX := $(shell bash scripts/install-hdf5.sh --print-prefix 2>/dev/null)
# install-hdf5.sh itself runs with the caller's PKG_CONFIG_PATH, so that it
# tells a system HDF5 from its own build as it would when run by hand.
CALLER_PKG_CONFIG_PATH := $(PKG_CONFIG_PATH)
export PKG_CONFIG_PATH := $(HDF5_PREFIX)/lib/pkgconfig$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
# The HDF5 worker's cgo (formats/hdf5/h5lib) is compiled against this
# prefix, for `make h5worker` and for `go vet ./...` / `go test ./...`.
export CGO_CFLAGS := -I$(HDF5_PREFIX)/include
export CGO_LDFLAGS := -L$(HDF5_PREFIX)/lib -Wl,-rpath,$(HDF5_PREFIX)/lib
# What test/vol is told (it would find both on its own, too).
VOL_TEST_ENV := SCISWIFT_HDF5_PREFIX='$(HDF5_PREFIX)' SCISWIFT_PLUGIN_DIR='$(CURDIR)/$(PLUGIN_DIR)'

.DEFAULT_GOAL := build
.PHONY: deps build run test docker-test fuzz bench bench-vol bench-formats hdf5 vol h5worker clean

deps:
	@bash scripts/install-deps.sh

build:
	$(GO) build -o $(BIN)/sciswift ./cmd/sciswift

run: build h5worker
	exec ./$(BIN)/sciswift serve

hdf5:
	@PKG_CONFIG_PATH='$(CALLER_PKG_CONFIG_PATH)' bash scripts/install-hdf5.sh >/dev/null

# -buildmode=c-shared also writes libsciswift.h beside its output, and a
# stray file in the plugin directory is one HDF5 tries to load: build in a
# scratch directory, move only the library in, and clear out anything else.
vol: hdf5
	@rm -rf $(BIN)/.vol-build && mkdir -p $(BIN)/.vol-build $(PLUGIN_DIR)
	$(GO) build -buildmode=c-shared -o $(BIN)/.vol-build/libsciswift.so ./cabi
	mv -f $(BIN)/.vol-build/libsciswift.so $(PLUGIN_DIR)/libsciswift.so
	@rm -rf $(BIN)/.vol-build
	@find $(PLUGIN_DIR) -mindepth 1 -maxdepth 1 ! -name libsciswift.so -print -exec rm -rf {} + | sed 's/^/removed stray /'

# The child process that indexes and reads uploaded HDF5 files with libhdf5.
h5worker: hdf5
	$(GO) build -o $(BIN)/sciswift-h5worker ./cmd/sciswift-h5worker

test: deps hdf5 build vol h5worker
	$(GO) vet ./...
	$(VOL_TEST_ENV) $(GO) test -count=1 ./...
	@bash scripts/docker-test.sh

# Base images (made locally when no registry answers), the image, the
# README's docker block run as written, every example inside the image.
# Without a Docker engine it prints SKIP and succeeds; DOCKER_TEST_REQUIRED=1
# makes that a failure.
docker-test:
	@bash scripts/docker-test.sh

fuzz:
	@GO='$(GO)' FUZZTIME='$(FUZZTIME)' bash scripts/fuzz-all.sh

bench: build
	bash scripts/bench.sh $(BENCHFLAGS)

bench-vol: build vol
	BENCH_VOL_MB='$(BENCH_VOL_MB)' SCISWIFT_HDF5_PREFIX='$(HDF5_PREFIX)' SCISWIFT_PLUGIN_DIR='$(PLUGIN_DIR)' \
		bash scripts/bench-vol.sh

# The dataset API: a small slice of a 1 GiB HDF5, FITS and Parquet object
# against downloading it whole (BENCH_FORMATS_MB, default 1024 MiB).
bench-formats: build h5worker
	BENCH_FORMATS_MB='$(BENCH_FORMATS_MB)' SCISWIFT_BIN='$(CURDIR)/$(BIN)/sciswift' bash scripts/bench-formats.sh

clean:
	rm -rf $(BIN)
