#!/usr/bin/env bash
# Coverage-guided fuzzing of the CSV reader, the spec parser and the report
# renderers (fuzz/fuzz_targets), with cargo-fuzz and libFuzzer.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]     fuzz (default: all, 600 s each)
#   scripts/fuzz.sh TARGET repro FILE          run one input (a crash) again
#   scripts/fuzz.sh TARGET cmin                shrink the committed corpus
#
# cargo-fuzz wants nightly's -Z flags: RUSTC_BOOTSTRAP=1 lets the stable
# toolchain take them. Inputs that reach new code are merged into the
# committed corpus (fuzz/corpus/TARGET); the working corpus and crashes stay
# under fuzz/work and fuzz/artifacts (not committed). A crash found here
# becomes an ordinary test (see docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# No sanitizer (the code is safe Rust; ASan would only slow it), but debug
# assertions and overflow checks on.
FLAGS=(-s none -a)
TARGETS=(csv_reader spec reports)
target=${1:-all}
if [[ ${2:-} == repro ]]; then
    exec cargo fuzz run "${FLAGS[@]}" "$target" "$3"
fi
if [[ ${2:-} == cmin ]]; then
    # Keep the fewest inputs that reach every edge the corpus and the
    # working corpus reach (edges only, not hit counts: a small corpus to
    # commit, still a good start for the next run).
    fresh=$(mktemp -d)
    cargo fuzz run "${FLAGS[@]}" "$target" -- -merge=1 -use_counters=0 \
        "$fresh" "fuzz/corpus/$target" "fuzz/work/$target" 2>&1 | tail -1
    rm -rf "fuzz/corpus/$target" && mv "$fresh" "fuzz/corpus/$target"
    echo "fuzz/corpus/$target: $(ls "fuzz/corpus/$target" | wc -l) inputs"
    exit 0
fi
seconds=${2:-600}
[[ $target == all ]] && set -- "${TARGETS[@]}" || set -- "$target"
cargo fuzz build "${FLAGS[@]}"
for t in "$@"; do
    mkdir -p "fuzz/work/$t" "fuzz/corpus/$t"
    echo "== $t: ${seconds}s"
    # -max_len: a workload row or a spec is small; long inputs only slow the
    # search (the readers' size limits have their own tests).
    cargo fuzz run "${FLAGS[@]}" "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 -timeout=10
    # Keep only inputs that add coverage to the committed corpus.
    cargo fuzz run "${FLAGS[@]}" "$t" -- -merge=1 "fuzz/corpus/$t" "fuzz/work/$t" 2>&1 | tail -1
done
