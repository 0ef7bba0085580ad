#!/usr/bin/env bash
# make docker-test: the README's docker quickstart, run as written, then
# every example inside the image, then what the image promises (a non-root
# server, a healthcheck, data that outlives the container, a clean SIGTERM).
#
# The quickstart is the first ```sh block under README.md's "## Docker
# quickstart", so the two cannot drift. Its names are swapped for ones unique
# to this run (image, container, volume, host port), and those, with the
# stage images of this build, are all that is removed afterwards. The base
# images made by docker/bootstrap-bases.sh are kept: they are a cache.
#
# No Docker engine: prints SKIP and exits 0, unless DOCKER_TEST_REQUIRED=1.
# DOCKER_TEST_KEEP=1 keeps everything it made, for a look after a failure.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

say() { printf 'docker-test: %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
skip() {
	if [ "${DOCKER_TEST_REQUIRED:-}" = 1 ]; then fail "$* (DOCKER_TEST_REQUIRED=1)"; fi
	say "SKIP: $*"
	exit 0
}

command -v docker >/dev/null || skip "no docker command on this machine"
docker info >/dev/null 2>&1 || skip "no Docker engine answers (docker info failed)"
command -v swift >/dev/null || fail "the swift CLI is missing (make deps installs python3-swiftclient)"

run_id=sciswift-test-$(date +%s)-$$
image=$run_id container=$run_id volume=$run_id-data
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
logdir=$(mktemp -d /tmp/sciswift-docker-test.XXXXXX)
stage_images_before=$(docker images -q --filter label=org.sciswift.stage=build | sort -u)

cleanup() {
	local code=$?
	if [ "${DOCKER_TEST_KEEP:-}" = 1 ]; then
		say "kept: container $container, volume $volume, image $image, logs $logdir"
		return
	fi
	[ $code -ne 0 ] && docker logs "$container" >"$logdir/server.log" 2>&1 || true
	docker rm -f "$container" >/dev/null 2>&1 || true
	docker volume rm "$volume" >/dev/null 2>&1 || true
	docker rmi "$image" >/dev/null 2>&1 || true
	local stage
	for stage in $(docker images -q --filter label=org.sciswift.stage=build --filter dangling=true | sort -u); do
		grep -qx "$stage" <<<"$stage_images_before" || docker rmi "$stage" >/dev/null 2>&1 || true
	done
	if [ $code -eq 0 ]; then rm -rf "$logdir"; else say "logs kept in $logdir"; fi
}
trap cleanup EXIT

# quickstart prints the README's docker block.
quickstart() {
	awk '/^## Docker quickstart/ {in_section=1; next}
	     in_section && /^## / {exit}
	     in_section && /^```sh$/ {in_block=1; next}
	     in_block && /^```$/ {exit}
	     in_block {print}' README.md
}

# localise swaps the README's names for this run's, and checks that each
# swap happened: a README that no longer says them is a test to update.
localise() {
	local block=$1 out
	out=$(sed -e "s/-t sciswift /-t $image /" \
		-e "s/--name sciswift /--name $container /" \
		-e "s/sciswift-data:/$volume:/" \
		-e "s/12345:8080/$port:8080/" \
		-e "s#127\.0\.0\.1:12345#127.0.0.1:$port#g" \
		-e "s/ sciswift\$/ $image/" \
		-e "s/^docker exec -it sciswift bash\$/docker exec -it $container bash/" \
		-e "s/^docker stop sciswift\( \|\$\)/docker stop $container\1/" <<<"$block")
	local want
	for want in "docker build -t $image " "--name $container " "$volume:/srv/sciswift" "-p $port:8080" \
		"127.0.0.1:$port/auth/v1.0" "/srv/sciswift $image" "docker exec -it $container bash"; do
		grep -qF -- "$want" <<<"$out" || fail "README's docker block no longer has the command that became '$want':"$'\n'"$block"
	done
	if grep -qE '(^| )sciswift( |$)' <<<"$out"; then
		fail "README's docker block names 'sciswift' where this test cannot swap it:"$'\n'"$out"
	fi
	printf '%s\n' "$out"
}

wait_healthy() {
	local i status
	for i in $(seq 1 120); do
		status=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$container")
		case $status in
		healthy) return 0 ;;
		unhealthy | none) fail "container health is $status" ;;
		esac
		sleep 0.5
	done
	fail "container not healthy after 60s: $(docker inspect -f '{{json .State.Health}}' "$container")"
}

wait_answering() {
	local i
	for i in $(seq 1 120); do
		curl -fsS "http://127.0.0.1:$port/healthcheck" >/dev/null 2>&1 && return 0
		docker inspect -f '{{.State.Running}}' "$container" | grep -q true || fail "the container exited: $(docker logs --tail 20 "$container" 2>&1)"
		sleep 0.5
	done
	fail "nothing answers on 127.0.0.1:$port after 60s"
}

# expect FILE TEXT...: each TEXT (a fixed string) is in FILE.
expect() {
	local file=$1 want
	shift
	for want in "$@"; do
		grep -qF -- "$want" "$file" || fail "$(basename "$file") lacks '$want':"$'\n'"$(cat "$file")"
	done
}

# run_block runs the localised quickstart in order: host lines here, the
# indented lines after `docker exec -it NAME bash` inside the container
# (without -t: no terminal here), as one bash script ending at `exit`.
run_block() {
	local line inside="" in_exec=0 n=0
	while IFS= read -r line || [ -n "$line" ]; do
		if [ $in_exec = 1 ]; then
			if [[ $line =~ ^[[:space:]]+ ]]; then
				inside+="${line#"${BASH_REMATCH[0]}"}"$'\n'
				continue
			fi
			in_exec=0
			say "inside the container:"$'\n'"$inside"
			docker exec -i "$container" bash -euo pipefail -c "$inside" </dev/null >"$logdir/inside.out" 2>&1 ||
				fail "the quickstart failed inside the container:"$'\n'"$(cat "$logdir/inside.out")"
		fi
		[ -z "$line" ] && continue
		if [ "$line" = "docker exec -it $container bash" ]; then
			in_exec=1
			continue
		fi
		n=$((n + 1))
		say "host: $line"
		bash -euo pipefail -c "$line" </dev/null >"$logdir/host$n.out" 2>&1 || fail "'$line' failed:"$'\n'"$(tail -30 "$logdir/host$n.out")"
		case $line in
		"docker run "*) wait_answering ;;
		esac
	done <<<"$1"
	[ $in_exec = 0 ] || fail "the docker exec part of the README block has no line after it (end it with exit)"
}

start=$(date +%s)
say "bases"
bash docker/bootstrap-bases.sh
block=$(quickstart)
[ -n "$block" ] || fail "README.md has no \`\`\`sh block under '## Docker quickstart'"
script=$(localise "$block")

say "the README's docker quickstart, with image/container $run_id, volume $volume, port $port"
run_block "$script"
built=$(date +%s)

# What the quickstart printed.
host_files=("$logdir"/host*.out)
grep -l "Account: AUTH_test" "${host_files[@]}" >/dev/null || fail "no swift stat output shows Account: AUTH_test"
expect "$logdir/inside.out" \
	"uploaded sky/wind.h5: /wind 100x100 float64" \
	"wrote sky/vol.h5: /temperature 12x90x180 float32" \
	'HDF5 "sky/vol.h5"' 'DATASET "temperature"' 'DATASET "lat"' \
	"checked: ok"
# The image has the HDF5 worker, so the store itself describes the upload.
grep -qE '^wind\.h5 +[0-9]+ +hdf5 +describe +0 +/wind 100x100 float64' "$logdir/inside.out" ||
	fail "list.py shows no row for wind.h5 described by the store (hdf5, /wind 100x100 float64):"$'\n'"$(cat "$logdir/inside.out")"

# The quickstart ends with docker stop: SIGTERM, answered by a clean exit
# (137 would be docker's SIGKILL after its timeout).
state=$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}}' "$container")
[ "$state" = "exited 0 false" ] || fail "after docker stop the container is '$state', want 'exited 0 false'"
docker logs "$container" >"$logdir/stopped.log" 2>&1

say "restart on the same volume: the data is still there"
docker start "$container" >/dev/null
wait_answering
wait_healthy
[ "$(docker inspect -f '{{.Config.User}}' "$container")" = sciswift ] || fail "the image does not run as user sciswift"
[ "$(docker exec "$container" id -u)" != 0 ] || fail "docker exec runs as root"
ST=(-A "http://127.0.0.1:$port/auth/v1.0" -U test:tester -K testing)
swift "${ST[@]}" list sky >"$logdir/list.out"
expect "$logdir/list.out" wind.h5 vol.h5
swift "${ST[@]}" download sky wind.h5 -o "$logdir/wind.h5" >/dev/null
h5dump_host=$(bash scripts/install-hdf5.sh --print-prefix 2>/dev/null)/bin/h5dump
if [ -x "$h5dump_host" ]; then
	"$h5dump_host" -d /wind -s 37,42 -c 1,1 "$logdir/wind.h5" >"$logdir/wind.dump"
	expect "$logdir/wind.dump" "DATASPACE  SIMPLE { ( 100, 100 ) / ( 100, 100 ) }" "(37,42): 37.042"
else
	say "no HDF5 1.14 h5dump on the host: the downloaded wind.h5 is not dumped here"
fi

say "the other examples, inside the image"
docker exec -i "$container" bash -euo pipefail >"$logdir/examples.out" 2>&1 <<'EOF' || fail "examples inside the image:"$'\n'"$(cat "$logdir/examples.out")"
cd /opt/sciswift/examples
for s in upload.py list.py vol_write.py vol_read.py; do python3 $s --help >/tmp/help.txt; head -1 /tmp/help.txt; done
bin/simulation sky/run1.h5 5
bin/summarize sky/run1.h5 > /tmp/store.txt
env -u HDF5_VOL_CONNECTOR bin/simulation /tmp/native.h5 5
env -u HDF5_VOL_CONNECTOR bin/summarize /tmp/native.h5 > /tmp/native.txt
cat /tmp/store.txt
cmp /tmp/store.txt /tmp/native.txt && echo "summarize: store = native"
h5ls -r sky/run1.h5
python3 vol_read.py sky/run1.h5 fields/temperature
mkdir -p /tmp/results/run1 && echo "dt=0.5" > /tmp/results/run1/params.txt && cp /tmp/native.h5 /tmp/results/run1/
bin/archive /tmp/results archived
python3 list.py sky
EOF
expect "$logdir/examples.out" "usage: upload.py" "usage: list.py" "usage: vol_write.py" "usage: vol_read.py" \
	"/fields/temperature float 5x64x128 min=" "summarize: store = native" \
	"/fields/temperature      Dataset {5/Inf, 64, 128}" \
	"2 objects in archived match their files"
grep -qE '^run1\.h5 +[0-9]+ +hdf5-vol +describe +[1-9][0-9]* +/fields/temperature 5x64x128 float32' "$logdir/examples.out" || fail "list.py shows no hdf5-vol row for run1.h5:"$'\n'"$(cat "$logdir/examples.out")"

size=$(docker image inspect -f '{{.Size}}' "$image")
say "PASS: quickstart + examples in $(($(date +%s) - start))s (bases and build $((built - start))s); image $((size / 1000000)) MB"
