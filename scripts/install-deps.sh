#!/usr/bin/env bash
# Install the Debian (bookworm) packages that sciswift's tests need.
#
# Only packages that are not installed yet are installed: the check is
# dpkg-query, so when everything is present this script makes no network
# access, runs no apt-get at all and finishes in well under a second.
# `apt-get update` is run only when something actually has to be installed.
#
# Usage: scripts/install-deps.sh        (run as root, or with sudo available)
#
# Python/Parquet note: Debian 12 (bookworm) has NO python3-pyarrow package
# (`apt-cache policy python3-pyarrow` shows no candidate; neither is
# python3-fastparquet packaged), so Parquet test fixtures cannot be written
# from Debian's Python; write them from Go instead (a Parquet module via the
# Go module proxy). Note too that tests should run /usr/bin/python3 (Debian's
# interpreter, which sees these python3-* packages), not whatever python3 is
# first on PATH.
set -euo pipefail

PACKAGES=(
	python3-swiftclient # the `swift` CLI
	python3-h5py        # HDF5 fixtures (h5py links Debian's own libhdf5, fine for writing files)
	python3-numpy
	python3-astropy     # FITS fixtures
	curl                # the README's dataset API example (test/vol runs it)
	pkg-config
	zlib1g-dev          # HDF5 is built --with-zlib (scripts/install-hdf5.sh)
	build-essential     # cc/make for HDF5 and cgo
	dpkg-dev            # apt-get source
)

die() {
	printf 'install-deps: ERROR: %s\n' "$*" >&2
	exit 1
}

is_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian/Ubuntu only"

missing=()
for pkg in "${PACKAGES[@]}"; do
	is_installed "$pkg" || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 ||
		die "need root to install: ${missing[*]} (re-run as root, or install sudo)"
	sudo=(sudo)
fi

printf 'install-deps: installing: %s\n' "${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=300 update ||
	die "apt-get update failed (is deb.debian.org reachable?)"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 \
	--no-install-recommends install "${missing[@]}" ||
	die "apt-get install failed for: ${missing[*]}"

still=()
for pkg in "${missing[@]}"; do
	is_installed "$pkg" || still+=("$pkg")
done
[ "${#still[@]}" -eq 0 ] || die "still not installed after apt-get install: ${still[*]}"
command -v swift >/dev/null 2>&1 || die "python3-swiftclient is installed but the \`swift\` command is not on PATH"
printf 'install-deps: done\n' >&2
