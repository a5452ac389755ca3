#!/usr/bin/env python3
"""Write docs/mutants/MODULE.md from every shard of MODULE run so far.

Reads target/mutants-out/MODULE/*/mutants.out/outcomes.json (one folder per
shard, written by scripts/mutants.sh) and docs/mutants/accepted.tsv (a
survivor's key, a tab, why it is acceptable). A survivor's key is its
cargo-mutants name without the line and column, so it survives edits
elsewhere in the file: `src/engine/chaining.rs: replace ... with ...`.

Score: caught + timed out (the tests did not pass) over every viable
mutant (unviable ones do not compile and test nothing).
"""

import collections
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MOD = sys.argv[1]
TESTS = sys.argv[2] if len(sys.argv) > 2 else ""
OUT_DIR = ROOT / "target" / "mutants-out" / MOD
ACCEPTED = ROOT / "docs" / "mutants" / "accepted.tsv"


def key_of(name: str) -> str:
    # "src/x.rs:12:5: replace a with b" -> "src/x.rs: replace a with b"
    return re.sub(r"^([^:]+):\d+:\d+:", r"\1:", name)


accepted = {}
if ACCEPTED.exists():
    for line in ACCEPTED.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, _, why = line.partition("\t")
            accepted[k.strip()] = why.strip()

by_file = collections.defaultdict(collections.Counter)
survivors = []
shards = []
for shard in sorted(OUT_DIR.glob("*/mutants.out/outcomes.json")):
    folder = shard.parent.parent
    commit = (folder / "commit").read_text().strip() if (folder / "commit").exists() else "?"
    data = json.loads(shard.read_text())
    shards.append((folder.name.replace("-of-", "/"), commit, data.get("end_time", "")))
    for o in data["outcomes"]:
        sc = o["scenario"]
        if not isinstance(sc, dict) or "Mutant" not in sc:
            continue
        m = sc["Mutant"]
        kind = {
            "CaughtMutant": "caught",
            "MissedMutant": "missed",
            "Timeout": "timeout",
            "Unviable": "unviable",
        }.get(o["summary"], o["summary"])
        by_file[m["file"]][kind] += 1
        if kind == "missed":
            survivors.append(m["name"])

if not shards:
    sys.exit(f"no shard results under {OUT_DIR}")

total = collections.Counter()
rows = []
for f in sorted(by_file):
    c = by_file[f]
    total.update(c)
    viable = c["caught"] + c["missed"] + c["timeout"]
    score = (c["caught"] + c["timeout"]) / viable * 100 if viable else 100.0
    rows.append(f"| `{f}` | {c['caught']} | {c['timeout']} | {c['missed']} | {c['unviable']} | {score:.1f}% |")
viable = total["caught"] + total["missed"] + total["timeout"]
score = (total["caught"] + total["timeout"]) / viable * 100 if viable else 100.0
unexplained = [s for s in survivors if key_of(s) not in accepted]

lines = [
    f"# Mutation testing: src/{MOD}/",
    "",
    "Written by `scripts/mutants_summary.py` (via `scripts/mutants.sh`); do not edit by hand.",
    "",
    f"Reproduce: `scripts/mutants.sh {MOD} " + " ".join(s for s, _, _ in shards) + "` "
    f"(cargo-mutants on `src/{MOD}/*.rs`, tests `cargo test {TESTS}`, profile `mutants`).",
    "",
    "Shards run: " + ", ".join(f"{s} at `{c}` ({t[:10]})" for s, c, t in shards) + ".",
    "",
    f"**Score: {score:.1f}%** of {viable} viable mutants caught "
    f"({total['caught']} caught, {total['timeout']} timed out, {total['missed']} missed; "
    f"{total['unviable']} unviable). Timeouts count as caught: the tests did not pass.",
    "",
    "| file | caught | timeout | missed | unviable | score |",
    "|---|---|---|---|---|---|",
    *rows,
    "",
    "## Survivors",
    "",
]
if not survivors:
    lines.append("None.")
for s in sorted(survivors):
    why = accepted.get(key_of(s), "UNEXPLAINED")
    lines.append(f"- `{s}` — {why}")
lines.append("")
out = ROOT / "docs" / "mutants" / f"{MOD}.md"
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text("\n".join(lines))
print(f"{MOD}: {score:.1f}% of {viable} viable mutants caught; "
      f"{len(survivors)} survivors, {len(unexplained)} unexplained -> {out.relative_to(ROOT)}")
