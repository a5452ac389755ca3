#!/usr/bin/env bash
# Benchmark every mode against the std control on three workloads
# (uniform, Zipf 1.1, adversarial), median of N runs, release build.
# Usage: scripts/bench_modes.sh [RUNS] [WORKDIR]
set -euo pipefail
RUNS=${1:-3}
WORK=${2:-$(mktemp -d)}
cd "$(dirname "$0")/.."
cargo build --release -q
B=target/release/adhash
mkdir -p "$WORK"
gen() { "$B" --json generate-csv --outfile "$WORK/$1.csv" --ops 1000000 --read-ratio 0.8 --key-space 200000 "${@:2}"; }
echo "generate-csv:"
rate() { python3 -c "import json,sys; print(format(json.load(sys.stdin)['rows_per_second'], ',.0f'), 'rows/s')"; }
echo "  uniform:     $(gen uniform | rate)"
echo "  zipf 1.1:    $(gen zipf --key-skew 1.1 | rate)"
echo "  adversarial: $(gen adversarial --adversarial-ratio 0.3 --adversarial-lowbits 8 | rate)"
for w in uniform zipf adversarial; do
  echo
  echo "workload $w (1M ops, read 0.8, key space 200k), median of $RUNS"
  printf '%-14s %14s %8s %12s %10s  %s\n' mode ops/s "vs std" memory p99_us backend
  MODES="std fast-insert fast-lookup memory-tight adaptive"
  for m in $MODES; do : > "$WORK/$w.$m.jsonl"; done
  # Rounds interleave the modes so machine noise hits them alike.
  for r in $(seq "$RUNS"); do
    for m in $MODES; do
      "$B" --json --mode "$m" run-csv --csv "$WORK/$w.csv" 2>/dev/null >> "$WORK/$w.$m.jsonl"
    done
  done
  python3 - "$WORK" "$w" <<'PY'
import json, sys, statistics
work, w = sys.argv[1], sys.argv[2]
rows = {}
for m in ["std", "fast-insert", "fast-lookup", "memory-tight", "adaptive"]:
    runs = [json.loads(l) for l in open(f"{work}/{w}.{m}.jsonl")]
    med = statistics.median(r["ops_per_second"] for r in runs)
    rows[m] = (med, runs[-1])
base = rows["std"][0]
for m, (med, r) in rows.items():
    print(f"{m:<14} {med:>14,.0f} {med/base:>7.2f}x {r['map_memory_bytes']/2**20:>9.1f} MiB {r['latency_ms']['overall']['p99']*1000:>8.2f}  {r['final_backend']} (migrations {r['migrations_triggered']}, compactions {r['compactions_triggered']})")
PY
done
