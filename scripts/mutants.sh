#!/usr/bin/env bash
# Mutation testing (issue 15): cargo-mutants on one module, with the tests
# that cover it, one shard at a time so a shard fits a working session.
# Each shard's outcomes land in target/mutants-out/MODULE/SHARD/; then the
# summary of every shard run so far is written to docs/mutants/MODULE.md
# (score per file, every survivor with the reason it is acceptable, from
# docs/mutants/accepted.tsv, or "UNEXPLAINED").
#
# Usage: scripts/mutants.sh engine|batch|workload [K/N ...]   (default 0/1: all)
#        ITERATE=1 scripts/mutants.sh engine 0/4    (cargo-mutants --iterate:
#          skip what earlier runs caught; the shard is then a quarter of the rest)
#        RE='Chaining::put_h|slots_for' scripts/mutants.sh engine 0/1
#                                  (only the mutants whose names match: to
#                                   check that new tests kill the survivors)
#        UNRUN=1 scripts/mutants.sh engine   (only the mutants with no outcome
#                                  yet under their current names: resumes a
#                                  module after edits renamed some mutants)
#        JOBS=2 ...                 (cargo-mutants -j: parallel builds)
#        TIMEOUT=20 ...             (seconds a mutant's tests may take; the
#                                  default, 5 x the unmutated run's, makes
#                                  every hung runner mutant cost ~35 s)
#        scripts/mutants.sh engine summary          (summary only)
# Slow on purpose (every mutant is a rebuild and a test run: ~11 s each on
# 2 cores), so it is not part of .ci/run.
set -euo pipefail
MOD=${1:?engine, batch or workload}
shift
SHARDS=("${@:-0/1}")
cd "$(dirname "$0")/.."
case $MOD in
  engine) TESTS=(--lib --test engine_props) ;;
  batch) TESTS=(--lib --test batch --test compare --test hardening --test verdicts) ;;
  workload) TESTS=(--lib --test cli --test hardening) ;;
  *) echo "unknown module $MOD (engine, batch, workload)" >&2; exit 2 ;;
esac
command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked
# nextest runs each test in its own process, 8 at a time: most of the suites'
# time is spent waiting on the subprocesses they start, not on the CPU, so
# this halves a mutant's test time on 2 cores (checked: the suites pass
# 6 times in 6 at 8 threads). mold, where installed, links a mutant in a
# fraction of ld's time.
TOOL=(--test-tool nextest --cargo-test-arg=--test-threads=8)
command -v cargo-nextest >/dev/null || TOOL=()
if command -v mold >/dev/null; then
  export RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-fuse-ld=mold"
fi
# A mutant can hang the `adhash batch` a test starts (a cancel that never
# lands): the test is killed at its timeout, its child is reparented to
# init and spins on, stealing a core from every later mutant. Orphans of
# the mutated copy's binaries are killed after 30 s.
reap() {
  while sleep 10; do
    ps -o pid=,ppid=,etimes=,args= -e |
      awk '$2 == 1 && $3 > 30 && $4 ~ /cargo-mutants-.*\/target\// {print $1}' | xargs -r kill -9
  done
}
if [ "${SHARDS[0]}" != summary ]; then
  reap &
  REAPER=$!
  trap 'kill $REAPER 2>/dev/null' EXIT
  for shard in "${SHARDS[@]}"; do
    out=target/mutants-out/$MOD/${shard/\//-of-}
    filter=()
    if [ -n "${RE:-}" ]; then
      filter=(-F "$RE")
      out=$out-re-$(printf %s "$RE" | md5sum | cut -c1-8)
    fi
    if [ "${UNRUN:-0}" = 1 ]; then
      mapfile -t unrun < <(python3 scripts/mutants_summary.py "$MOD" --unrun)
      [ ${#unrun[@]} -gt 0 ] || { echo "every mutant of $MOD has an outcome"; break; }
      # Names are matched as regexes: escape them and anchor the whole name.
      for n in "${unrun[@]}"; do
        filter+=(-F "^$(printf %s "$n" | sed 's/[][\\.^$*+?(){}|]/\\&/g')\$")
      done
      out=target/mutants-out/$MOD/unrun-$(date +%Y%m%d-%H%M%S)
    fi
    iterate=()
    if [ "${ITERATE:-0}" = 1 ] && [ -d "$out/mutants.out" ]; then
      iterate=(--iterate)
    else
      rm -rf "$out"
    fi
    mkdir -p "$out"
    git rev-parse --short HEAD > "$out/commit"
    # The source as run (working tree, edits included): the summary hashes
    # each mutant's function in it, so its outcome outlives line shifts.
    rm -rf "$out/source" && mkdir -p "$out/source/src" && cp -r "src/$MOD" "$out/source/src/"
    # Exit 2 means some mutants were missed: that is a result, not a failure.
    # The test targets go to every cargo call (-C), so a mutant builds only
    # what runs (not Mission Control's tests, the examples or the other
    # suites). The copy leaves out what git ignores (fuzz/'s 1 GB build).
    # Mutants too dangerous to run (docs/mutants/excluded.tsv: a regex, a
    # tab, why), e.g. one that would SIGKILL every process on the machine.
    exclude=()
    while IFS=$'\t' read -r rx _; do
      [ -n "$rx" ] && [ "${rx:0:1}" != "#" ] && exclude+=(-E "$rx")
    done < docs/mutants/excluded.tsv
    cargo_args=()
    for a in "${TESTS[@]}"; do cargo_args+=("--cargo-arg=$a"); done
    cargo mutants -f "src/$MOD/*.rs" -f "src/$MOD/**/*.rs" --shard "$shard" --sharding round-robin "${iterate[@]}" "${filter[@]}" "${exclude[@]}" \
      --gitignore true "${cargo_args[@]}" "${TOOL[@]}" \
      --profile mutants -j "${JOBS:-1}" ${TIMEOUT:+--timeout "$TIMEOUT"} -o "$out" || { rc=$?; [ $rc -eq 2 ] || [ $rc -eq 3 ]; }
  done
fi
python3 scripts/mutants_summary.py "$MOD" "${TESTS[*]}"
