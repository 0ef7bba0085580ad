#!/usr/bin/env bash
# The dataset API against a plain download: for an object of each format
# (HDF5 chunked, written by h5py; FITS, by astropy; Parquet, by arrow-go),
# the time and the bytes read from the store (X-Sciswift-Source-Bytes) to
# fetch a small slice, against downloading the whole object. Prints a
# Markdown table (docs/PERFORMANCE.md, "Dataset API", records it).
#
# Usage: scripts/bench-formats.sh          (make bench-formats runs it)
# Env:   BENCH_FORMATS_MB   object size in MiB (default 1024)
#        BENCH_FORMATS_DIR  keep the generated files here and reuse them
#                           on the next run (default: a temporary directory)
#        SCISWIFT_BIN       the server binary (default bin/sciswift; its HDF5
#                           worker bin/sciswift-h5worker beside it)
#        TMPDIR             where the server's data and the files go
#
# The benchmark is BenchmarkFormats in test/formats (kept out of `make
# test`: go test runs no benchmark unless asked). It starts its own `sciswift
# serve` on a free port with a scratch data directory and stops it by PID.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
mb=${BENCH_FORMATS_MB:-1024}
[[ $mb =~ ^[0-9]+$ ]] && [ "$mb" -ge 1 ] || {
	echo "bench-formats: BENCH_FORMATS_MB must be a whole number of MiB >= 1 (got '$mb')" >&2
	exit 1
}
bin=$(realpath "${SCISWIFT_BIN:-bin/sciswift}")
[ -x "$bin" ] || { echo "bench-formats: $bin missing (make build)" >&2; exit 1; }
[ -x "$(dirname "$bin")/sciswift-h5worker" ] || { echo "bench-formats: $(dirname "$bin")/sciswift-h5worker missing (make h5worker)" >&2; exit 1; }
if [ -n "${BENCH_FORMATS_DIR:-}" ]; then
	mkdir -p "$BENCH_FORMATS_DIR"
	export BENCH_FORMATS_DIR=$(realpath "$BENCH_FORMATS_DIR")
fi

echo "bench-formats: ${mb} MiB per object; generating the files takes a few minutes" >&2
BENCH_FORMATS_MB=$mb SCISWIFT_BIN=$bin ${GO:-go} test -count=1 -run '^$' -bench '^BenchmarkFormats$' -benchtime 1x -timeout 2h -v ./test/formats/
