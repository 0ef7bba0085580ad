#!/usr/bin/env bash
# Measure the HDF5 VOL connector against a native local HDF5 file on the same
# machine: write and read a float64 dataset (chunked 4 MiB, and contiguous)
# through the connector and natively, and print MB/s and their ratios.
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
# Each run, per layout:
#   native    write (no fsync: H5Fclose leaves the data in the page cache)
#   native    write with fsync before H5Fclose  (durable, like a store's 201)
#             evict the file from the page cache, read it (cold), read again (warm)
#   sciswift  write (every chunk PUT is fdatasync'd before its 201)
#             evict the server's data files, read (cold), read again (warm)
# Eviction is fsync + posix_fadvise(POSIX_FADV_DONTNEED) on every file, which
# needs no root (unlike /proc/sys/vm/drop_caches) and drops clean pages only.
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

# vol ARGS…: bench_vol through the connector, against the scratch server.
vol() {
	HDF5_PLUGIN_PATH=$plugins HDF5_VOL_CONNECTOR=sciswift SCISWIFT_EXPECT_VOL=1 \
		ST_AUTH="http://127.0.0.1:$port/auth/v1.0" ST_USER=test:tester ST_KEY=testing "$@"
}

# evict PATH…: drop every regular file under the paths from the page cache,
# after an fsync so that no page is dirty (POSIX_FADV_DONTNEED leaves dirty
# pages alone). Prints the bytes still cached afterwards when fincore
# (util-linux) is there to tell, else "?".
evict() {
	python3 - "$@" <<-'EOF'
		import os, sys
		for top in sys.argv[1:]:
		    files = [top] if os.path.isfile(top) else [os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs]
		    for p in files:
		        try:
		            fd = os.open(p, os.O_RDONLY)
		        except OSError:
		            continue  # a temp file gone meanwhile
		        try:
		            os.fsync(fd)
		            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
		        finally:
		            os.close(fd)
	EOF
	if command -v fincore >/dev/null; then
		find "$@" -type f -exec fincore --bytes --noheadings --output RES {} + 2>/dev/null |
			awk '{ s += $1 } END { print s + 0 }'
	else
		echo "?"
	fi
}

# field NAME LINE: the value of NAME=… in LINE.
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }
# rate LINE: MB/s (MiB, as the size) of a bench_vol output line.
rate() {
	awk -v b="$(field bytes "$1")" -v s="$(field seconds "$1")" 'BEGIN { printf "%.0f", (s > 0 ? b / 1048576 / s : 0) }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
spread() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[1] "-" v[NR] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b > 0) printf "%.2f", a / b; else printf "-" }'; }

# step NAME COMMAND…: runs a bench_vol phase, appending its MB/s to the
# array NAME.
step() {
	local -n into=$1
	shift
	local out
	out=$("$@") || die "failed: ${*: -5}"
	into+=("$(rate "$out")")
}

printf 'bench-vol: %s MiB float64 dataset, HDF5 %s, sciswift serve on 127.0.0.1:%s\n' "$mb" \
	"$("$prefix/bin/h5cc" -showconfig | sed -n 's/^[[:space:]]*HDF5 Version:[[:space:]]*//p')" "$port"
printf 'bench-vol: scratch (server data and native file, same disk): %s\n' "$work"
printf 'bench-vol: median of %s run(s) per figure, MB/s (MiB/s)\n\n' "$runs"
fmt='%-14s %-16s %11s %11s %11s %11s\n'
printf "$fmt" layout target write "write" "read" "read"
printf "$fmt" "" "" "(cached)" "(durable)" "(cold)" "(warm)"
left=()
spreads=()
for layout in chunked contiguous; do
	label=$([ "$layout" = chunked ] && echo "chunked 4 MiB" || echo contiguous)
	nw=() nf=() nc=() nh=() sf=() sc=() sh=()
	native=$work/native/bench.h5
	for _ in $(seq "$runs"); do
		# Each write starts with no dirty pages from the step before.
		sync
		step nw "$work/bench_vol" "$native" "$mb" "$layout" write
		rm -f "$native"
		sync
		step nf "$work/bench_vol" "$native" "$mb" "$layout" write fsync
		left+=("$(evict "$native")")
		step nc "$work/bench_vol" "$native" "$mb" "$layout" read
		step nh "$work/bench_vol" "$native" "$mb" "$layout" read
		rm -f "$native"
		sync
		step sf vol "$work/bench_vol" "bench/$layout.h5" "$mb" "$layout" write
		left+=("$(evict "$work/data")")
		step sc vol "$work/bench_vol" "bench/$layout.h5" "$mb" "$layout" read
		step sh vol "$work/bench_vol" "bench/$layout.h5" "$mb" "$layout" read
		# Keeps the disk use at one dataset.
		vol "$prefix/bin/h5delete" "bench/$layout.h5" >/dev/null 2>&1 || true
	done
	n=("$(median "${nw[@]}")" "$(median "${nf[@]}")" "$(median "${nc[@]}")" "$(median "${nh[@]}")")
	s=(- "$(median "${sf[@]}")" "$(median "${sc[@]}")" "$(median "${sh[@]}")")
	printf "$fmt" "$label" native "${n[@]}"
	printf "$fmt" "$label" sciswift "${s[@]}"
	printf "$fmt" "$label" "sciswift/native" "$(ratio "${s[1]}" "${n[0]}")" "$(ratio "${s[1]}" "${n[1]}")" \
		"$(ratio "${s[2]}" "${n[2]}")" "$(ratio "${s[3]}" "${n[3]}")"
	echo
	spreads+=("$(printf "$fmt" "$label" native "$(spread "${nw[@]}")" "$(spread "${nf[@]}")" "$(spread "${nc[@]}")" "$(spread "${nh[@]}")")")
	spreads+=("$(printf "$fmt" "$label" sciswift - "$(spread "${sf[@]}")" "$(spread "${sc[@]}")" "$(spread "${sh[@]}")")")
done
if [ "$runs" -gt 1 ]; then
	printf 'bench-vol: lowest-highest of the %s runs, MB/s\n' "$runs"
	printf '%s\n' "${spreads[@]}"
	echo
fi
printf 'bench-vol: bytes still cached after each eviction: %s\n' "${left[*]}"
cat <<'EOF'
Notes:
- write (cached): native H5Fclose returns with the data in the page cache.
  write (durable): native fsyncs before H5Fclose; the store fdatasyncs every
  chunk object (and its directory) before its 201, so this is the fair write
  comparison, and the store has no "cached" figure. The ratio under
  "write (cached)" is the store's durable write against the native cached one.
- read (cold): after fsync + POSIX_FADV_DONTNEED on the native file, or on
  every file under the server's data directory. read (warm): the same read
  again right after, with whatever the cold read left in the page cache (the
  server keeps objects up to its keep_cache_size, 5 MiB, cached after a read;
  larger ones are dropped behind the reader, as Swift does).
- Times cover H5Fcreate/H5Fopen through H5Fclose; filling and checking the
  buffers is not timed. The store runs on the same machine (loopback HTTP),
  sharing its cores with the benchmark program.
EOF
