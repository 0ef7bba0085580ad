#!/usr/bin/env bash
# Makes, from Debian's packages and the host's Go, the base images that
# docker/Dockerfile names, for a Docker engine that cannot pull from a
# registry:
#
#   debian:trixie        debootstrap --variant=minbase trixie, then docker import
#   golang:1.26-trixie   debian:trixie + the host's Go toolchain (GOROOT) at
#                        /usr/local/go + every module go.mod needs, in /go/pkg/mod
#
# so that `docker build -f docker/Dockerfile .` needs no network beyond
# Debian's mirror. On a machine that can pull, skip this script: the same
# Dockerfile pulls the real images of the same names.
#
# Idempotent: an image that exists is kept. The golang image is remade when
# go.sum changes (its label records the go.sum it was made from), because a
# module missing from its cache would send the build to the network.
#
# Environment:
#   DEBIAN_MIRROR  default: the host's apt mirror, else http://deb.debian.org/debian
#   GO             default: go (on PATH, else /usr/local/go/bin/go)
#   FORCE=1        remake both images
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
debian_image=debian:trixie
golang_image=golang:1.26-trixie
label=org.sciswift.bootstrap

log() { printf 'bootstrap-bases: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Temporary trees, removed however the script ends; debootstrap's is root's.
scratch=() root_scratch=()
cleanup() {
	local d
	for d in "${scratch[@]}"; do chmod -R u+w "$d" 2>/dev/null; rm -rf "$d"; done
	for d in "${root_scratch[@]}"; do as_root rm -rf "$d"; done
}
trap cleanup EXIT

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

host_mirror() {
	local uri
	uri=$(grep -hoE '^(URIs:|deb) +https?://[^ ]*/debian/?( |$)' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
		grep -oE 'https?://[^ ]*' | head -1 || true)
	echo "${uri:-http://deb.debian.org/debian}"
}

find_go() {
	if [ -n "${GO:-}" ]; then echo "$GO"; return; fi
	command -v go 2>/dev/null || { [ -x /usr/local/go/bin/go ] && echo /usr/local/go/bin/go; } ||
		die "no Go toolchain: set GO or put go on PATH"
}

make_debian() {
	if [ "${FORCE:-}" != 1 ] && image_exists "$debian_image"; then
		log "$debian_image exists, kept"
		return
	fi
	command -v debootstrap >/dev/null || as_root apt-get install -y debootstrap >&2
	local mirror rootfs
	mirror=${DEBIAN_MIRROR:-$(host_mirror)}
	rootfs=$(mktemp -d /tmp/sciswift-rootfs.XXXXXX)
	root_scratch+=("$rootfs")
	log "debootstrap trixie from $mirror (a few minutes)"
	as_root debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		trixie "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || { tail -30 "$rootfs.log" >&2; die "debootstrap failed (log: $rootfs.log)"; }
	rm -f "$rootfs.log"
	configure_rootfs "$rootfs" "$mirror"
	log "docker import $debian_image"
	as_root tar --numeric-owner -C "$rootfs" -c . |
		docker import --change 'CMD ["bash"]' --change "LABEL $label=debootstrap" - "$debian_image" >/dev/null
}

# What the official debian image does too: one deb822 source with updates and
# security, no recommends, no caches kept in layers.
configure_rootfs() {
	local rootfs=$1 mirror=$2 security
	security=${mirror%/debian}/debian-security
	[ "$security" = "$mirror/debian-security" ] && security=http://deb.debian.org/debian-security
	as_root rm -f "$rootfs/etc/apt/sources.list"
	as_root tee "$rootfs/etc/apt/sources.list.d/debian.sources" >/dev/null <<-EOF
		Types: deb
		URIs: $mirror
		Suites: trixie trixie-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: $security
		Suites: trixie-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	as_root tee "$rootfs/etc/apt/apt.conf.d/docker-no-recommends" >/dev/null <<-'EOF'
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
	EOF
	as_root tee "$rootfs/etc/apt/apt.conf.d/docker-clean" >/dev/null <<-'EOF'
		DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
		Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
	EOF
	as_root rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
}

make_golang() {
	local gosum stale=""
	gosum=$(sha256sum "$repo/go.sum" | cut -c1-16)
	if [ "${FORCE:-}" != 1 ] && image_exists "$golang_image"; then
		local have
		have=$(docker image inspect -f "{{ index .Config.Labels \"$label.gosum\" }}" "$golang_image" 2>/dev/null || true)
		if [ "$have" = "$gosum" ] || [ "$have" = "<no value>" ] || [ -z "$have" ]; then
			# An image without our label is a real golang image (pulled): its
			# build downloads modules itself.
			log "$golang_image exists, kept"
			return
		fi
		log "$golang_image was made for another go.sum: remaking"
		stale=$(docker image inspect -f '{{.Id}}' "$golang_image")
	fi
	local go goroot ctx
	go=$(find_go)
	goroot=$("$go" env GOROOT)
	case "$("$go" env GOVERSION)" in go1.26*) ;; *) die "$go is $("$go" env GOVERSION); go.mod needs 1.26" ;; esac
	ctx=$(mktemp -d /tmp/sciswift-golang.XXXXXX)
	scratch+=("$ctx")
	log "staging $goroot and the modules of go.mod"
	cp -a "$goroot" "$ctx/go"
	rm -rf "$ctx/go/pkg/obj" "$ctx/go/.git"
	mkdir -p "$ctx/mod"
	# The host reaches the module proxy; the image gets the result.
	(cd "$repo" && GOFLAGS=-modcacherw GOMODCACHE="$ctx/mod" "$go" mod download -x 2>/dev/null)
	rm -rf "$ctx/mod/cache/vcs"
	cat >"$ctx/Dockerfile" <<-EOF
		FROM $debian_image
		RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev pkg-config \
		 && rm -rf /var/lib/apt/lists/*
		COPY go /usr/local/go
		COPY mod /go/pkg/mod
		ENV GOPATH=/go PATH=/go/bin:/usr/local/go/bin:\$PATH GOTOOLCHAIN=local
		LABEL $label=golang $label.gosum=$gosum
		WORKDIR /go
	EOF
	log "docker build $golang_image"
	docker build -q -t "$golang_image" "$ctx" >/dev/null
	# The image it replaces was ours (labelled); it goes unless something
	# still uses it.
	if [ -n "$stale" ]; then docker rmi "$stale" >/dev/null 2>&1 || true; fi
}

command -v docker >/dev/null || die "docker not found"
docker info >/dev/null 2>&1 || die "no Docker engine answers (docker info)"
make_debian
make_golang
log "ready: $(docker image inspect -f '{{.RepoTags}} {{.Size}}' "$debian_image") $(docker image inspect -f '{{.RepoTags}} {{.Size}}' "$golang_image")"
