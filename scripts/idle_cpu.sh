#!/usr/bin/env bash
# Does Mission Control sit still when nothing happens? Opens it (release
# build) on a bundled spec under Xvfb with a fresh config folder, lets it
# settle, then counts the CPU ticks the whole process (every thread) uses
# in SECONDS with the pointer parked, ROUNDS times (100 ticks = one
# core-second). Needs Xvfb and Mesa's software GL (README, "Running").
# Usage: scripts/idle_cpu.sh [ROUNDS=5] [SECONDS=10]
set -euo pipefail
ROUNDS=${1:-5}
SECS=${2:-10}
cd "$(dirname "$0")/.."
cargo build --release -q
if [ -z "${DISPLAY:-}" ]; then
  for n in 91 92 93 94 95 96 97 98; do [ -e /tmp/.X11-unix/X$n ] || { export DISPLAY=:$n; break; }; done
  Xvfb "$DISPLAY" -screen 0 1400x900x24 >/dev/null 2>&1 & XVFB=$!
  trap 'kill $XVFB 2>/dev/null' EXIT
  sleep 1
fi
export XDG_CONFIG_HOME=$(mktemp -d) XDG_DATA_HOME=$(mktemp -d)
target/release/adhash mission-control --spec docs/examples/batch_baseline.toml >/dev/null 2>&1 & APP=$!
trap 'kill $APP 2>/dev/null; [ -n "${XVFB:-}" ] && kill $XVFB 2>/dev/null' EXIT
sleep 8
ticks() { awk '{print $14 + $15}' /proc/"$APP"/stat; }
: > /tmp/idle_cpu.$$
for _ in $(seq "$ROUNDS"); do
  a=$(ticks); sleep "$SECS"; b=$(ticks)
  echo $((b - a)) >> /tmp/idle_cpu.$$
done
python3 - /tmp/idle_cpu.$$ "$SECS" <<'PY'
import statistics as st, sys
t = [int(l) for l in open(sys.argv[1])]
print(f"idle CPU: median {st.median(t)} ticks in {sys.argv[2]} s (all {t}; 100 ticks = 1 core-second)")
PY
rm -f /tmp/idle_cpu.$$
