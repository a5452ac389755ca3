#!/usr/bin/env bash
# What does the batch runner itself cost? Two figures, each the median of
# ROUNDS runs of a release build (docs/benchmarks.md quotes them):
#  1. overhead per job: a 20-job suite of small `run-csv` replays; the
#     suite's wall time minus the sum of its jobs' wall times (both from the
#     JSON report), divided by 20 — what reading specs, starting processes
#     in order, tailing output, reading summaries and writing reports adds;
#  2. a flood: one job whose CLI prints 1,000,000 lines of 100 bytes, run
#     with `--quiet` (lines tailed, not printed) and printing every line to
#     a file; wall time and the peak RSS of `adhash batch`.
# Usage: scripts/bench_runner.sh [ROUNDS=5] [WORKDIR]
set -euo pipefail
ROUNDS=${1:-5}
WORK=${2:-$(mktemp -d)}
cd "$(dirname "$0")/.."
cargo build --release -q
B=$PWD/target/release/adhash
mkdir -p "$WORK"
cd "$WORK"
[ -s w.csv ] || "$B" generate-csv --outfile w.csv --ops 20000 --seed 1 >/dev/null 2>&1

{
  printf '[batch]\nreport = "overhead.md"\njson_report = "overhead.json"\nhistory = false\n'
  for i in $(seq 20); do
    printf '[[batch.jobs]]\nname = "j%02d"\ncommand = "run-csv"\nmode = "std"\ncsv = "w.csv"\n' "$i"
  done
} > overhead.toml

# A stand-in CLI that floods stdout and writes a summary the runner accepts.
cat > flood_cli.sh <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --json-summary-out ] && out=$2; shift; done
yes "$(printf '%099d' 0)" | head -n 1000000
printf '{"ops_per_second": 1000, "elapsed_seconds": 1, "total_ops": 1000}\n' > "$out"
SH
chmod +x flood_cli.sh
printf '[batch]\nhashmap_cli = "flood_cli.sh"\nreport = "flood.md"\nhistory = false\n[[batch.jobs]]\nname = "flood"\ncommand = "run-csv"\ncsv = "w.csv"\n' > flood.toml

: > overhead.txt
: > flood.txt
for _ in $(seq "$ROUNDS"); do
  "$B" batch --quiet --spec overhead.toml >/dev/null 2>&1
  python3 -c "import json; d=json.load(open('overhead.json')); \
    print(d['wall_seconds'], sum(j['duration_seconds'] for j in d['jobs']), len(d['jobs']))" >> overhead.txt
  for how in quiet loud; do
    flag=(); [ $how = quiet ] && flag=(--quiet)
    /usr/bin/time -f "$how %e %M" -o time.txt "$B" batch "${flag[@]}" --spec flood.toml >flood.out 2>&1
    cat time.txt >> flood.txt
  done
done

python3 - <<'PY'
import statistics as st
rows = [list(map(float, l.split())) for l in open("overhead.txt")]
per_job = [(wall - jobs) / n * 1000 for wall, jobs, n in rows]
print(f"overhead per job: median {st.median(per_job):.2f} ms "
      f"(min {min(per_job):.2f}, max {max(per_job):.2f}, {len(rows)} suites of {int(rows[0][2])} jobs)")
fl = [l.split() for l in open("flood.txt")]
for how in ("quiet", "loud"):
    secs = [float(s) for h, s, _ in fl if h == how]
    rss = [int(r) / 1024 for h, _, r in fl if h == how]
    print(f"flood, {'--quiet' if how == 'quiet' else 'every line printed'}: "
          f"median {st.median(secs):.2f} s (min {min(secs):.2f}, max {max(secs):.2f}), "
          f"peak RSS median {st.median(rss):.1f} MB")
PY
echo "work folder: $WORK"
