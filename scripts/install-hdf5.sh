#!/usr/bin/env bash
# Ensure an HDF5 >= 1.14 installation (library, headers incl. H5VLconnector.h,
# h5cc, h5dump/h5ls) for the VOL connector and the end-to-end tests.
#
# Usage:
#   scripts/install-hdf5.sh                 build/install if needed, verify;
#                                           the LAST stdout line is the prefix
#   scripts/install-hdf5.sh --print-prefix  only print where HDF5 is / would be
#                                           (never builds, never touches the net)
#   In a Makefile:  HDF5_PREFIX := $(shell scripts/install-hdf5.sh --print-prefix)
#
# Which HDF5:
#   1. $SCISWIFT_HDF5_PREFIX, if set: that prefix is used (built there if it
#      holds no HDF5 yet; an existing HDF5 < 1.14 there is an error).
#   2. else, if `pkg-config --modversion hdf5` (or hdf5-serial) is >= 1.14, the
#      system one (prefix = pkg-config's prefix variable).
#   3. else HDF5 1.14.5 built from Debian trixie's *source* package into
#      ${XDG_CACHE_HOME:-$HOME/.cache}/sciswift/hdf5-1.14.5, reused by every
#      clone on the machine.
#   Debian 12's libhdf5 (1.10) is never accepted: anything < 1.14 fails loudly.
#   A built prefix has bin/ (h5cc, h5dump, h5ls, ...), include/ (hdf5.h,
#   H5VLconnector.h, ...) and lib/ (libhdf5.so and .a). HDF5's autotools install
#   no pkg-config file, so this script adds lib/pkgconfig/hdf5.pc (Libs carry
#   -Wl,-rpath), and consumers can use, for a built or a system HDF5 alike:
#     PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig pkg-config --cflags --libs hdf5
#   (e.g. `#cgo pkg-config: hdf5`). Note h5cc links libhdf5.a by default;
#   programs that load a VOL connector plugin must use `h5cc -shlib`.
#
# Source: Debian trixie carries hdf5 1.14.5+repack-3 (checked 2025; the
# "+repack" orig tarball is upstream 1.14.5 minus PDFs and other non-source
# files, and still ships a generated ./configure). It is fetched with
# `apt-get source --download-only` through an isolated apt configuration
# (own sources.list, lists and cache dirs in a temp dir; the system's apt
# configuration and state are not modified), so no Debian build-deps and no
# Debian patches are involved. The orig tarball's sha256 below is pinned; it
# was checked against the Checksums-Sha256 of hdf5_1.14.5+repack-3.dsc. If
# trixie ever moves to another upstream version, this script fails loudly:
# update HDF5_VERSION and ORIG_SHA256 together.
set -euo pipefail

readonly HDF5_VERSION=1.14.5
readonly HDF5_MIN=1.14
readonly DEB_SUITE=trixie
readonly DEB_MIRROR=http://deb.debian.org/debian
readonly DEB_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
readonly ORIG_TARBALL="hdf5_${HDF5_VERSION}+repack.orig.tar.gz"
readonly ORIG_SHA256=71cdb04c151ef4e8a7f88907adfc4f3b75afd44e96fbd55775e1c9d7c4e7c112
readonly ORIG_TOPDIR="hdf5-${HDF5_VERSION}+repack"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/sciswift"
default_prefix="$cache_root/hdf5-$HDF5_VERSION"

log() { printf 'install-hdf5: %s\n' "$*" >&2; }
die() {
	printf 'install-hdf5: ERROR: %s\n' "$*" >&2
	exit 1
}

# version_ge A B: true when version A >= version B.
version_ge() {
	[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

# h5cc_version PREFIX: the "HDF5 Version" that PREFIX/bin/h5cc reports, or "".
h5cc_version() {
	[ -x "$1/bin/h5cc" ] || return 0
	"$1/bin/h5cc" -showconfig 2>/dev/null |
		sed -n 's/^[[:space:]]*HDF5 Version:[[:space:]]*\([^[:space:]]*\).*/\1/p' | head -n 1
}

# complete PREFIX: everything we need is there (not just h5cc).
complete() {
	local p=$1 f
	for f in bin/h5cc bin/h5dump bin/h5ls; do [ -x "$p/$f" ] || return 1; done
	for f in include/hdf5.h include/H5VLconnector.h include/H5VLconnector_passthru.h \
		include/H5PLextern.h lib/libhdf5.so; do
		[ -e "$p/$f" ] || return 1
	done
}

# system_hdf5: print "VERSION PREFIX" of a pkg-config HDF5 >= 1.14, if any.
system_hdf5() {
	command -v pkg-config >/dev/null 2>&1 || return 0
	local m v
	for m in hdf5 hdf5-serial; do
		v=$(pkg-config --modversion "$m" 2>/dev/null) || continue
		if version_ge "$v" "$HDF5_MIN"; then
			printf '%s %s\n' "$v" "$(pkg-config --variable=prefix "$m")"
			return 0
		fi
	done
}

# Decide mode and prefix: sets MODE (explicit|system|cache), PREFIX, SYS_VERSION.
resolve() {
	SYS_VERSION=
	if [ -n "${SCISWIFT_HDF5_PREFIX:-}" ]; then
		MODE=explicit
		PREFIX=$SCISWIFT_HDF5_PREFIX
		return
	fi
	local sys
	sys=$(system_hdf5)
	if [ -n "$sys" ]; then
		MODE=system
		SYS_VERSION=${sys%% *}
		PREFIX=${sys#* }
		return
	fi
	MODE=cache
	PREFIX=$default_prefix
}

# ok_prefix: true when PREFIX holds a usable HDF5 we may reuse.
ok_prefix() {
	local v
	v=$(h5cc_version "$PREFIX")
	[ -n "$v" ] || return 1
	if [ "$MODE" = cache ]; then
		[ "$v" = "$HDF5_VERSION" ] || return 1
	else
		version_ge "$v" "$HDF5_MIN" ||
			die "$PREFIX holds HDF5 $v, but >= $HDF5_MIN is required (refusing to use or overwrite it)"
	fi
	complete "$PREFIX"
}

ensure_prereqs() {
	local missing=() t
	for t in cc make tar gzip sha256sum apt-get flock sort sed; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	if [ "${#missing[@]}" -eq 0 ] && ! printf '#include <zlib.h>\n' | cc -E - >/dev/null 2>&1; then
		missing+=(zlib.h)
	fi
	if [ "${#missing[@]}" -gt 0 ]; then
		log "missing ${missing[*]}; running scripts/install-deps.sh"
		"$here/install-deps.sh" >&2 || die "scripts/install-deps.sh failed"
	fi
	[ -r "$DEB_KEYRING" ] || die "$DEB_KEYRING missing (apt-get install debian-archive-keyring)"
}

# fetch WORKDIR: download and verify the orig tarball; prints its path.
fetch() {
	local work=$1 apt=$1/apt src=$1/src
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$src"
	printf 'deb-src [signed-by=%s] %s %s main\n' "$DEB_KEYRING" "$DEB_MIRROR" "$DEB_SUITE" >"$apt/sources.list"
	# Don't run the host's apt hooks (docker-clean, appstream, ...) for our private update.
	printf '#clear APT::Update::Post-Invoke;\n#clear APT::Update::Post-Invoke-Success;\n' >"$apt/apt.conf"
	local opts=(
		-c "$apt/apt.conf"
		-o "Dir::Etc::sourcelist=$apt/sources.list"
		-o "Dir::Etc::sourceparts=-"
		-o "Dir::State::Lists=$apt/lists"
		-o "Dir::Cache=$apt/cache"
		-o "Dir::Cache::pkgcache="
		-o "Dir::Cache::srcpkgcache="
		-o "APT::Sandbox::User=$(id -un)"
		-o "APT::Get::Only-Source=true"
	)
	log "fetching hdf5 source package from Debian $DEB_SUITE (isolated apt config in $apt)"
	apt-get "${opts[@]}" -q update >>"$LOG" 2>&1 ||
		die "apt-get update for $DEB_SUITE sources failed (see $LOG)"
	(cd "$src" && apt-get "${opts[@]}" -q --download-only source hdf5) >>"$LOG" 2>&1 ||
		die "apt-get source --download-only hdf5 failed (see $LOG)"
	local tarball=$src/$ORIG_TARBALL
	if [ ! -f "$tarball" ]; then
		die "$DEB_SUITE no longer has $ORIG_TARBALL (downloaded: $(cd "$src" && echo *)); update HDF5_VERSION/ORIG_SHA256 in $0"
	fi
	printf '%s  %s\n' "$ORIG_SHA256" "$tarball" | sha256sum -c --quiet - >>"$LOG" 2>&1 ||
		die "sha256 mismatch for $ORIG_TARBALL: got $(sha256sum "$tarball" | cut -d' ' -f1), pinned $ORIG_SHA256"
	printf '%s\n' "$tarball"
}

# smoke PREFIX: compile a tiny program with h5cc, write a file, h5dump it.
smoke() {
	local p=$1 d
	d=$(mktemp -d "${TMPDIR:-/tmp}/sciswift-hdf5-smoke.XXXXXX")
	cat >"$d/smoke.c" <<'CEOF'
#include <hdf5.h>
int main(void) {
    int data[4] = {1, 2, 3, 4};
    hsize_t dims[1] = {4};
    hid_t f = H5Fcreate("smoke.h5", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t s = H5Screate_simple(1, dims, NULL);
    hid_t ds = H5Dcreate2(f, "d", H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0 || s < 0 || ds < 0) return 1;
    if (H5Dwrite(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) return 1;
    H5Dclose(ds); H5Sclose(s); H5Fclose(f);
    return 0;
}
CEOF
	(
		cd "$d" &&
			"$p/bin/h5cc" -o smoke smoke.c &&
			LD_LIBRARY_PATH="$p/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ./smoke &&
			"$p/bin/h5dump" smoke.h5 >dump.txt &&
			grep -q 'DATASET "d"' dump.txt && grep -q '1, 2, 3, 4' dump.txt
	) >>"$LOG" 2>&1 || {
		rm -rf "$d"
		die "smoke test (h5cc compile, write, h5dump) failed for $p (see $LOG)"
	}
	rm -rf "$d"
}

build() {
	local parent work stage tarball old
	parent=$(dirname "$PREFIX")
	mkdir -p "$parent"
	work=$(mktemp -d "${TMPDIR:-/tmp}/sciswift-hdf5-build.XXXXXX")
	stage=$(mktemp -d "$parent/.hdf5-stage.XXXXXX") # same filesystem as PREFIX: atomic rename
	# shellcheck disable=SC2064 # expand now: the paths are local
	trap "rm -rf '$work' '$stage'" EXIT

	ensure_prereqs
	local start=$SECONDS
	tarball=$(fetch "$work")
	log "building HDF5 $HDF5_VERSION into $PREFIX (log: $LOG; takes a few minutes)"
	tar -xzf "$tarball" -C "$work" >>"$LOG" 2>&1 || die "cannot extract $tarball"
	local srcdir=$work/$ORIG_TOPDIR
	[ -x "$srcdir/configure" ] || die "$ORIG_TARBALL has no ./configure in $ORIG_TOPDIR"
	(
		cd "$srcdir" &&
			./configure --prefix="$PREFIX" --enable-shared --enable-tools \
				--disable-fortran --disable-cxx --with-zlib &&
			make -j"$(nproc)" &&
			make install DESTDIR="$stage"
	) >>"$LOG" 2>&1 || {
		tail -n 40 "$LOG" >&2
		die "HDF5 build failed (full log: $LOG)"
	}
	[ -d "$stage$PREFIX" ] || die "make install produced nothing under $stage$PREFIX"
	if [ -e "$PREFIX" ]; then
		if [ "$MODE" = cache ]; then
			old=$(mktemp -d "$parent/.hdf5-old.XXXXXX")
			mv "$PREFIX" "$old/"
			rm -rf "$old"
		elif [ -d "$PREFIX" ] && [ -z "$(ls -A "$PREFIX")" ]; then
			rmdir "$PREFIX"
		else
			die "$PREFIX exists and is not an HDF5 install; refusing to overwrite it"
		fi
	fi
	mv "$stage$PREFIX" "$PREFIX"
	log "built HDF5 $HDF5_VERSION in $((SECONDS - start))s"
	smoke "$PREFIX"
	rm -rf "$work" "$stage"
	trap - EXIT
}

# write_pc PREFIX VERSION: add PREFIX/lib/pkgconfig/hdf5.pc if it is missing.
write_pc() {
	local p=$1 v=$2 dir=$1/lib/pkgconfig
	[ -f "$dir/hdf5.pc" ] && return 0
	mkdir -p "$dir"
	cat >"$dir/hdf5.pc.tmp.$$" <<PCEOF
prefix=$p
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: hdf5
Description: HDF5 $v (built by sciswift scripts/install-hdf5.sh)
Version: $v
Cflags: -I\${includedir}
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lhdf5
Libs.private: -lz -ldl -lm
PCEOF
	mv "$dir/hdf5.pc.tmp.$$" "$dir/hdf5.pc"
}

main() {
	case "${1:-}" in
	--print-prefix)
		resolve
		printf '%s\n' "$PREFIX"
		return 0
		;;
	"") ;;
	-h | --help)
		sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
		return 0
		;;
	*) die "unknown argument: $1 (use --print-prefix or no argument)" ;;
	esac

	resolve
	local v
	if [ "$MODE" = system ]; then
		v=$SYS_VERSION
		log "using system HDF5 $v (pkg-config), prefix $PREFIX"
	else
		mkdir -p "$cache_root"
		LOG="$cache_root/hdf5-$HDF5_VERSION-build.log"
		if ! ok_prefix; then
			command -v flock >/dev/null 2>&1 || ensure_prereqs
			exec 9>"$cache_root/hdf5.lock"
			flock 9 # another clone may be building the same prefix
			if ! ok_prefix; then
				: >"$LOG"
				build
			fi
			exec 9>&-
		fi
		v=$(h5cc_version "$PREFIX")
		complete "$PREFIX" || die "$PREFIX is incomplete (missing h5dump, headers or libhdf5.so)"
		[ -z "$v" ] || write_pc "$PREFIX" "$v"
	fi
	if [ -z "$v" ] || ! version_ge "$v" "$HDF5_MIN"; then
		die "HDF5 at $PREFIX is version '${v:-unknown}', need >= $HDF5_MIN (Debian 12's 1.10 is not enough)"
	fi
	printf '%s\n' "$PREFIX"
}

LOG=/dev/null
main "$@"
