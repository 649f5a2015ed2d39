#!/usr/bin/env bash
# npm run test:contention: the jest suite twice at the same time, from two clean clones of the
# committed HEAD, the way two CI jobs on one 2-core machine run it. Every test that depends on timing
# must hold under that contention. Fails if either copy fails; prints each copy's summary.
#
# Not part of `npm test`: it takes about twice as long as the suite. Uncommitted changes are not
# tested (the copies are clones). Set CONTENTION_KEEP=1 to keep the copies and logs afterwards.
set -euo pipefail

repo="$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
head="$(git -C "$repo" rev-parse HEAD)"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "note: uncommitted changes are not part of this run; it tests HEAD ${head:0:7}" >&2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/palette-contention.XXXXXX")"
keep="${CONTENTION_KEEP:-0}"
cleanup() {
  if [ "$keep" = 1 ]; then echo "copies and logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

copies=(a b)
for copy in "${copies[@]}"; do
  dir="$work/$copy"
  echo "== copy $copy: clone ${head:0:7}, npm ci, build"
  git clone --quiet --no-checkout "$repo" "$dir"
  git -C "$dir" checkout --quiet --detach "$head"
  (cd "$dir" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error >"$work/$copy-setup.log" 2>&1 && npm run --silent build >>"$work/$copy-setup.log" 2>&1) || {
    keep=1
    echo "copy $copy: setup failed, see $work/$copy-setup.log" >&2
    exit 1
  }
done

echo "== both copies: npx jest --ci, at the same time"
declare -A pids started
for copy in "${copies[@]}"; do
  started[$copy]=$(date +%s)
  (cd "$work/$copy" && exec npx jest --ci) >"$work/$copy-jest.log" 2>&1 &
  pids[$copy]=$!
done

failed=0
for copy in "${copies[@]}"; do
  status=0
  wait "${pids[$copy]}" || status=$?
  wall=$(($(date +%s) - started[$copy]))
  echo "-- copy $copy: exit $status, wall ${wall} s"
  grep -E '^(Test Suites|Tests|Time):' "$work/$copy-jest.log" | sed 's/^/   /' || true
  if [ "$status" -ne 0 ]; then
    failed=1
    grep -E '^\s+● ' "$work/$copy-jest.log" | sed 's/^\s*/   FAILED /' || true
  fi
done

if [ "$failed" -ne 0 ]; then
  keep=1
  echo "test:contention FAILED" >&2
  exit 1
fi
echo "test:contention passed: both copies green"
