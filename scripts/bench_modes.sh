#!/usr/bin/env bash
# Every mode against the std control on three workloads (uniform, Zipf 1.1,
# adversarial), run by `adhash batch` itself: one suite per workload with
# the five modes as jobs, `repeat` rounds after a warmup run, `interleave`
# so the rounds go round-robin across modes (machine drift hits every mode
# alike). Each replay should last a second or more: 10M ops by default.
#
# Prints, per mode: median ops/s, the spread (min–max and the coefficient
# of variation), and the ratio to std as the median of the per-round ratios
# (each round's mode run against the std run next to it).
#
# Usage: scripts/bench_modes.sh [ROUNDS=7] [OPS=10000000] [WORKDIR]
set -euo pipefail
ROUNDS=${1:-7}
OPS=${2:-10000000}
WORK=${3:-$(mktemp -d)}
cd "$(dirname "$0")/.."
cargo build --release -q
B=$PWD/target/release/adhash
mkdir -p "$WORK"
KEYS=$((OPS / 5))
gen() {
  local name=$1
  shift
  [ -s "$WORK/$name.csv" ] || "$B" generate-csv --outfile "$WORK/$name.csv" --ops "$OPS" \
    --read-ratio 0.8 --key-space "$KEYS" --seed 42 "$@" >/dev/null 2>&1
}
gen uniform
gen zipf --key-skew 1.1
gen adversarial --adversarial-ratio 0.3 --adversarial-lowbits 8
echo "adhash $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for w in uniform zipf adversarial; do
  spec=$WORK/$w.toml
  {
    echo "[batch]"
    echo "description = \"Every mode on $w, $ROUNDS interleaved rounds\""
    echo "report = \"$w.md\""
    echo "html_report = \"$w.html\""
    echo "json_report = \"$w.json\""
    echo "interleave = true"
    for m in std fast-insert fast-lookup memory-tight adaptive; do
      echo
      echo "[[batch.jobs]]"
      echo "name = \"$m\""
      echo "command = \"run-csv\""
      echo "mode = \"$m\""
      echo "csv = \"$w.csv\""
      echo "repeat = $ROUNDS"
      echo "warmup = 1"
    done
  } > "$spec"
  "$B" batch --spec "$spec" --quiet >"$WORK/$w.log" 2>&1 || { cat "$WORK/$w.log"; exit 1; }
  python3 - "$WORK/$w.json" "$w" "$OPS" "$KEYS" <<'PY'
import json, statistics, sys
path, w, ops, keys = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
jobs = {j["name"]: j for j in json.load(open(path))["jobs"]}
std = [r["ops_per_second"] for r in jobs["std"]["runs"]]
print(f"\nworkload {w} ({ops:,} ops, read 0.8, key space {keys:,}): median of {len(std)} interleaved rounds")
print(f"{'mode':<13} {'ops/s':>12} {'min':>12} {'max':>12} {'cv':>6} {'vs std':>7}  backend")
for name, j in jobs.items():
    runs = [r["ops_per_second"] for r in j["runs"]]
    if j["status"] != "ok" or len(runs) != len(std):
        print(f"{name:<13} {j['status']}: {j.get('reason')}")
        continue
    ratio = statistics.median(a / b for a, b in zip(runs, std))
    s = j["stats"]
    print(f"{name:<13} {s['median']:>12,.0f} {s['min']:>12,.0f} {s['max']:>12,.0f} "
          f"{100 * s['cv']:>5.1f}% {ratio:>6.2f}x  {j.get('final_backend') or ''}")
PY
done
echo
echo "reports: $WORK/{uniform,zipf,adversarial}.{md,html,json}"
