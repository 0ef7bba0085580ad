#!/usr/bin/env bash
# Run every Fuzz* target in the module, each for $FUZZTIME (default 20s).
#
# Usage: scripts/fuzz-all.sh [package patterns...]   (default: ./...)
# Env:   GO (default go), FUZZTIME (default 20s; e.g. 1m, or 5000x).
# Targets are discovered per package with `go test -list '^Fuzz'`; `go test
# -fuzz` takes one package and one target at a time. Every target is run even
# if an earlier one fails; the exit status is non-zero if any failed. A failing
# input is saved by Go under the package's testdata/fuzz/ for reproduction.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-20s}
[ "$#" -gt 0 ] || set -- ./...

pkgs=$("$GO" list -e -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' "$@")

failed=()
ran=0
for pkg in $pkgs; do
	if ! out=$("$GO" test -list '^Fuzz' -run '^$' "$pkg" 2>&1); then
		printf '%s\n' "$out" >&2
		failed+=("$pkg (does not compile)")
		continue
	fi
	for target in $(printf '%s\n' "$out" | grep -E '^Fuzz[[:alnum:]_]*$' || true); do
		printf '=== fuzz %s %s (%s)\n' "$pkg" "$target" "$FUZZTIME"
		ran=$((ran + 1))
		# Minimising by count, not the default minute: a new input the size of a
		# FITS file would otherwise stall a short run in minimisation.
		if ! "$GO" test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 200x "$pkg"; then
			failed+=("$pkg $target")
		fi
	done
done

printf 'fuzz-all: ran %d target(s)\n' "$ran"
if [ "${#failed[@]}" -gt 0 ]; then
	printf 'fuzz-all: FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
