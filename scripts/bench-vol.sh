#!/usr/bin/env bash
# Measure the HDF5 VOL connector against a native local HDF5 file on the same
# machine: write and read a float64 dataset (chunked 4 MiB, and contiguous)
# through the connector and natively, and print MB/s and their ratio.
#
# Usage: scripts/bench-vol.sh            (make bench-vol runs it)
# Env:   BENCH_VOL_MB          dataset size in MiB (default 1024)
#        BENCH_VOL_RUNS        runs per figure, the median is shown (default 3)
#        SCISWIFT_BIN          the server binary (default bin/sciswift)
#        SCISWIFT_PLUGIN_DIR   dir holding libsciswift.so (default bin/plugins)
#        SCISWIFT_HDF5_PREFIX  HDF5 >= 1.14 (default: scripts/install-hdf5.sh --print-prefix)
#        TMPDIR                where the server's data and the native file go
#                              (one scratch directory: the same disk for both)
#
# It starts its own `sciswift serve` on a free port with a scratch data
# directory and stops it (by PID) at the end. The bench program is
# test/vol/bench/bench_vol.c, compiled here with `h5cc -shlib`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
mb=${BENCH_VOL_MB:-1024}
runs=${BENCH_VOL_RUNS:-3}
bin=${SCISWIFT_BIN:-bin/sciswift}
plugins=${SCISWIFT_PLUGIN_DIR:-bin/plugins}
prefix=${SCISWIFT_HDF5_PREFIX:-$(scripts/install-hdf5.sh --print-prefix)}

die() {
	printf 'bench-vol: %s\n' "$*" >&2
	exit 1
}
[[ $mb =~ ^[0-9]+$ ]] && [ "$mb" -ge 1 ] || die "BENCH_VOL_MB must be a whole number of MiB >= 1 (got '$mb')"
[[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || die "BENCH_VOL_RUNS must be a whole number >= 1 (got '$runs')"
[ -x "$bin" ] || die "$bin not found (make build)"
[ -f "$plugins/libsciswift.so" ] || die "$plugins/libsciswift.so not found (make vol)"
[ -x "$prefix/bin/h5cc" ] || die "no HDF5 at $prefix (make hdf5)"
plugins=$(cd "$plugins" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/sciswift-bench-vol.XXXXXX")
mkdir -p "$work/data" "$work/native"
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# In the scratch directory: h5cc leaves its .o in the working directory.
(cd "$work" && "$prefix/bin/h5cc" -shlib -O2 -o bench_vol "$OLDPWD/test/vol/bench/bench_vol.c") ||
	die "compiling test/vol/bench/bench_vol.c with $prefix/bin/h5cc failed"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:$port" --data "$work/data" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	curl -fsS "http://127.0.0.1:$port/healthcheck" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthcheck" >/dev/null || die "the server did not start; its log:
$(cat "$work/server.log")"

# run TARGET LAYOUT: prints "write_seconds=… read_seconds=… bytes=…".
run() {
	local target=$1 layout=$2
	case $target in
	native) "$work/bench_vol" "$work/native/bench.h5" "$mb" "$layout" ;;
	native+fsync) "$work/bench_vol" "$work/native/bench.h5" "$mb" "$layout" fsync ;;
	sciswift)
		HDF5_PLUGIN_PATH=$plugins HDF5_VOL_CONNECTOR=sciswift SCISWIFT_EXPECT_VOL=1 \
			ST_AUTH="http://127.0.0.1:$port/auth/v1.0" ST_USER=test:tester ST_KEY=testing \
			"$work/bench_vol" "bench/$layout.h5" "$mb" "$layout"
		;;
	esac
}

# field NAME LINE: the value of NAME=… in LINE.
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / 1048576 / s : 0) }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

printf 'bench-vol: %s MiB float64 dataset, HDF5 %s, sciswift serve on 127.0.0.1:%s\n' "$mb" \
	"$("$prefix/bin/h5cc" -showconfig | sed -n 's/^[[:space:]]*HDF5 Version:[[:space:]]*//p')" "$port"
printf 'bench-vol: scratch (server data and native file, same disk): %s\n' "$work"
printf 'bench-vol: median of %s run(s) per figure, each after a sync\n\n' "$runs"
printf '%-16s %-14s %12s %12s\n' layout target "write MB/s" "read MB/s"
declare -A W R
for layout in chunked contiguous; do
	label=$([ "$layout" = chunked ] && echo "chunked 4 MiB" || echo contiguous)
	for target in native native+fsync sciswift; do
		ws=() rs=()
		for _ in $(seq "$runs"); do
			# Start each run with no dirty pages from the one before.
			sync
			out=$(run "$target" "$layout") || die "$target $layout failed"
			rm -f "$work/native/bench.h5"
			b=$(field bytes "$out")
			ws+=("$(rate "$b" "$(field write_seconds "$out")")")
			rs+=("$(rate "$b" "$(field read_seconds "$out")")")
		done
		W[$layout/$target]=$(median "${ws[@]}")
		R[$layout/$target]=$(median "${rs[@]}")
		printf '%-16s %-14s %12s %12s\n' "$label" "$target" "${W[$layout/$target]}" "${R[$layout/$target]}"
	done
	# Drop the store's copy before the next layout: keeps the disk use at one dataset.
	HDF5_PLUGIN_PATH=$plugins HDF5_VOL_CONNECTOR=sciswift ST_AUTH="http://127.0.0.1:$port/auth/v1.0" \
		ST_USER=test:tester ST_KEY=testing "$prefix/bin/h5delete" "bench/$layout.h5" >/dev/null 2>&1 || true
	printf '%-16s %-14s %12s %12s\n' "$label" "ratio s/native" \
		"$(ratio "${W[$layout/sciswift]}" "${W[$layout/native]}")" "$(ratio "${R[$layout/sciswift]}" "${R[$layout/native]}")"
	printf '%-16s %-14s %12s %12s\n\n' "$label" "ratio s/fsync" \
		"$(ratio "${W[$layout/sciswift]}" "${W[$layout/native+fsync]}")" "$(ratio "${R[$layout/sciswift]}" "${R[$layout/native+fsync]}")"
done
cat <<'EOF'
Notes:
- The page cache is not dropped (that takes root and a writable /proc/sys, which
  containers and CI do not give): native reads come from the page cache right
  after the write, and so do the store's object files; read figures compare
  cached paths, i.e. the software overhead, not the disk.
- "native" writes end at H5Fclose with the data possibly still in the page cache;
  "native+fsync" fsyncs before closing. The store fsyncs every object before
  acknowledging it, so "ratio s/fsync" is the like-for-like write comparison.
- Times cover H5Fcreate/H5Fopen through H5Fclose; filling and checking the
  buffers is not timed. The store runs on the same machine (loopback HTTP).
EOF
