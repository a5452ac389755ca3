#!/usr/bin/env bash
# What do metrics ticks at 10 ms cost a replay? Runs the same replay with
# and without `--metrics-out-dir … --metrics-interval-ms 10` in ABBA blocks
# (without, with, with, without) so drift hits both alike, pinned to one
# core when `taskset` exists, and prints the median ops/s of each side and
# the median of the per-block ratios (the figure to quote: it pairs runs
# made seconds apart instead of comparing two noisy medians).
# Usage: scripts/tick_overhead.sh [BLOCKS] [OPS] [MODE] [WORKDIR]
set -euo pipefail
BLOCKS=${1:-25}
OPS=${2:-4000000}
MODE=${3:-adaptive}
WORK=${4:-$(mktemp -d)}
cd "$(dirname "$0")/.."
cargo build --release -q
B=$PWD/target/release/adhash
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c "$(($(nproc) - 1))")
mkdir -p "$WORK"
CSV=$WORK/overhead_$OPS.csv
[ -s "$CSV" ] || "$B" generate-csv --outfile "$CSV" --ops "$OPS" --read-ratio 0.8 \
  --key-space $((OPS / 10)) --seed 7 >/dev/null 2>&1
run() {
  local extra=()
  [ "$1" = with ] && extra=(--metrics-out-dir "$WORK/metrics" --metrics-interval-ms 10)
  "${PIN[@]}" "$B" --json --mode "$MODE" run-csv --csv "$CSV" "${extra[@]}" 2>/dev/null |
    python3 -c "import json,sys; print('$1', json.load(sys.stdin)['ops_per_second'])"
}
: > "$WORK/runs.txt"
for _ in $(seq "$BLOCKS"); do
  for side in without with with without; do run "$side" >> "$WORK/runs.txt"; done
done
python3 - "$WORK/runs.txt" "$BLOCKS" "$OPS" "$MODE" "$WORK/metrics/metrics.ndjson" <<'PY'
import statistics as st, sys
path, blocks, ops, mode, ticks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
runs = [l.split() for l in open(path)]
without = [float(v) for s, v in runs if s == "without"]
with_ = [float(v) for s, v in runs if s == "with"]
ratios = [
    (with_[2 * b] + with_[2 * b + 1]) / (without[2 * b] + without[2 * b + 1])
    for b in range(blocks)
]
q = st.quantiles(ratios, n=4) if blocks > 1 else [ratios[0]] * 3
print(f"{mode}, {ops:,} ops, {blocks} ABBA blocks ({4 * blocks} runs), "
      f"{sum(1 for _ in open(ticks))} ticks in the last run")
print(f"  without ticks: median {st.median(without):,.0f} ops/s")
print(f"  ticks at 10 ms: median {st.median(with_):,.0f} ops/s")
print(f"  with / without, per block: median {st.median(ratios):.4f} "
      f"(p25 {q[0]:.4f}, p75 {q[2]:.4f}) -> overhead {100 * (1 - st.median(ratios)):.2f}%")
PY
