#!/usr/bin/env bash
# The whole test suite N times (default 5) beside busy loops on every core
# (default 4), built in a target folder outside the clone: a test whose
# outcome depends on timing or load fails here, not some day in CI. Usage: scripts/stress_tests.sh [RUNS] ; LOOPS=8 for more load.
set -u
cd "$(dirname "$0")/.."
# An outside target folder, as many setups have (issue 26, item 22), and a
# data folder of its own for the examples a binary without a checkout writes.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${TMPDIR:-/tmp}/adhash-stress-target}
export XDG_DATA_HOME=${XDG_DATA_HOME:-$CARGO_TARGET_DIR/xdg-data}
runs=${1:-5}
loops=${LOOPS:-4}
cargo test --no-run -q || exit 1
pids=()
for _ in $(seq "$loops"); do
  ( while :; do :; done ) &
  pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
logs=${CARGO_TARGET_DIR:-target}/stress
mkdir -p "$logs"
pass=0
for i in $(seq "$runs"); do
  start=$(date +%s)
  if cargo test -q > "$logs/run-$i.log" 2>&1; then
    pass=$((pass + 1))
    echo "run $i: ok in $(( $(date +%s) - start )) s"
  else
    echo "run $i: FAILED in $(( $(date +%s) - start )) s (log: $logs/run-$i.log)"
    grep -E "^test .* FAILED|panicked at" "$logs/run-$i.log" | head -10
  fi
done
echo "$pass of $runs runs passed beside $loops busy loops"
[ "$pass" -eq "$runs" ]
