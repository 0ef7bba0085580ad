#!/usr/bin/env bash
# Starts bin/sciswift serve on a scratch data directory and a free port,
# runs `sciswift bench` against it, and stops the server it started (by PID).
set -euo pipefail
bin=${SCISWIFT_BIN:-bin/sciswift}
data=$(mktemp -d "${TMPDIR:-/tmp}/sciswift-bench.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:$port" --data "$data" 2>"$data/server.log" &
pid=$!
cleanup() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 100); do
	curl -fsS "http://127.0.0.1:$port/healthcheck" >/dev/null 2>&1 && break
	sleep 0.1
done
"$bin" bench -auth "http://127.0.0.1:$port/auth/v1.0" "$@"
