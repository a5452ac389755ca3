#!/usr/bin/env python3
"""Write docs/mutants/MODULE.md from every shard of MODULE run so far.

Reads target/mutants-out/MODULE/*/mutants.out/ (one folder per shard,
written by scripts/mutants.sh: caught.txt, missed.txt, ...) and docs/mutants/accepted.tsv (a
survivor's key, a tab, why it is acceptable). A survivor's key is its
cargo-mutants name without the line and column, so it survives edits
elsewhere in the file: `src/engine/chaining.rs: replace ... with ...`.

Every outcome is also kept in docs/mutants/MODULE.outcomes.tsv (committed:
outcome, the commit it was run at, the mutant's name, its identity), so a
summary and a resumed run (UNRUN=1) survive a fresh checkout without target/.

A mutant's identity is its function's name and a hash of the function's
text, its place in the function, and the mutation. An outcome counts for a
mutant of the same identity, so an edit elsewhere in the file (which
shifts the line in the mutant's name) keeps it, and an edit to the function
itself drops it (the mutant is not run at the current code). Run folders
keep the source they ran (scripts/mutants.sh copies it); a run from before
that is read at the text of the commit it was run at. Only mutants outside
any function (in a const) have no identity: they match by name.

Mutants matching a regex in docs/mutants/excluded.tsv (a regex, a tab, why)
are never run (scripts/mutants.sh passes them to --exclude-re): they are
listed with their reason and left out of the score.

Score: caught + timed out (the tests did not pass) over every viable
mutant (unviable ones do not compile and test nothing).
"""

import collections
import hashlib
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MOD = sys.argv[1]
TESTS = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "--unrun" else ""
OUT_DIR = ROOT / "target" / "mutants-out" / MOD
ACCEPTED = ROOT / "docs" / "mutants" / "accepted.tsv"
LEDGER = ROOT / "docs" / "mutants" / f"{MOD}.outcomes.tsv"
EXCLUDED = ROOT / "docs" / "mutants" / "excluded.tsv"


def key_of(name: str) -> str:
    # "src/x.rs:12:5: replace a with b" -> "src/x.rs: replace a with b"
    return re.sub(r"^([^:]+):\d+:\d+:", r"\1:", name)


accepted = {}
if ACCEPTED.exists():
    for line in ACCEPTED.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, _, why = line.partition("\t")
            accepted[k.strip()] = why.strip()

def names(path: pathlib.Path) -> set:
    return {l for l in path.read_text().splitlines() if l.strip()} if path.exists() else set()


def identities(mutants: list, source) -> dict:
    """Name -> identity of each mutant inside a function (see above);
    `source(file)` is the text the mutants were listed from."""
    ids = {}
    lines = {}  # each file read once (a git show, for an old run)
    for m in mutants:
        f = m.get("function")
        if not f:
            continue
        if m["file"] not in lines:
            lines[m["file"]] = source(m["file"]).splitlines()
        start, end = f["span"]["start"]["line"], f["span"]["end"]["line"]
        text = "\n".join(lines[m["file"]][start - 1:end])
        digest = hashlib.sha1(text.encode()).hexdigest()[:12]
        at = m["span"]["start"]
        what = m["name"].split(": ", 1)[1]
        ids[m["name"]] = f'{m["file"]}|{f["function_name"]}|{digest}|{at["line"] - start}:{at["column"]}|{what}'
    return ids


# Every mutant of the module as it is now.
listed = json.loads(subprocess.run(
    ["cargo", "mutants", "--list", "--json", "-f", f"src/{MOD}/*.rs", "-f", f"src/{MOD}/**/*.rs"],
    cwd=ROOT, capture_output=True, text=True, check=True,
).stdout)
current = {m["name"] for m in listed}
identity = identities(listed, lambda f: (ROOT / f).read_text())
excluded_re = []
if EXCLUDED.exists():
    for line in EXCLUDED.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            rx, _, why = line.partition("\t")
            excluded_re.append((re.compile(rx.strip()), why.strip()))
excluded = {n: why for n in current for rx, why in excluded_re if rx.search(n)}
current -= excluded.keys()

# Outcomes of every run so far, oldest first, so a later run's verdict wins:
# first the committed ledger, then the runs in target/mutants-out. Each is
# (outcome, commit, identity or "" when the source run is unknown).
by_identity = {}
by_name = {}


def record(name, kind, commit, ident):
    by_name[name] = (kind, commit, ident)
    if ident:
        by_identity[ident] = (kind, commit, ident)


if LEDGER.exists():
    for line in LEDGER.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            kind, commit, name, *ident = line.split("\t")
            record(name, kind, commit, ident[0] if ident else "")
for res in sorted(OUT_DIR.glob("*/mutants.out"), key=lambda p: p.stat().st_mtime):
    folder = res.parent
    commit = (folder / "commit").read_text().strip() if (folder / "commit").exists() else "?"
    ran = {}
    if (res / "mutants.json").exists():
        if (folder / "source").is_dir():
            source = lambda f: (folder / "source" / f).read_text()
        elif commit != "?":
            # A run from before sources were kept: its commit's text (the
            # runs were made on a clean, committed tree).
            source = lambda f: subprocess.run(
                ["git", "show", f"{commit}:{f}"], cwd=ROOT,
                capture_output=True, text=True, check=True).stdout
        else:
            source = None
        if source:
            ran = identities(json.loads((res / "mutants.json").read_text()), source)
    # `--iterate` runs list what earlier runs caught in previously_caught.txt.
    for kind, files in [
        ("caught", ["previously_caught.txt", "caught.txt"]),
        ("unviable", ["unviable.txt"]),
        ("timeout", ["timeout.txt"]),
        ("missed", ["missed.txt"]),
    ]:
        for f in files:
            for name in names(res / f):
                record(name, kind, commit, ran.get(name, ""))

# A current mutant's outcome: the one recorded for its identity; else the
# one recorded under its name without an identity (a mutant outside any
# function, or a run whose commit is unknown).
outcome = {}
commit_of = {}
ident_of = {}
for n in current:
    got = by_identity.get(identity.get(n, ""))
    if got is None and n in by_name and not by_name[n][2]:
        got = by_name[n]
    if got is not None:
        outcome[n], commit_of[n] = got[0], got[1]
        ident_of[n] = identity.get(n, got[2])

# `--unrun`: print, one per line, the mutants with no outcome under their
# current names (scripts/mutants.sh UNRUN=1 runs just those).
if "--unrun" in sys.argv:
    print("\n".join(sorted(n for n in current if n not in outcome)))
    sys.exit(0)

if not any(n in outcome for n in current):
    # A fresh checkout with no ledger and no runs: keep the committed summary.
    sys.exit(f"{MOD}: no outcomes recorded (no {LEDGER.relative_to(ROOT)}, nothing in "
             f"{OUT_DIR.relative_to(ROOT)}): run scripts/mutants.sh {MOD} first")

by_file = collections.defaultdict(collections.Counter)
survivors = []
for name in current:
    kind = outcome.get(name, "not run")
    by_file[name.split(":", 1)[0]][kind] += 1
    if kind == "missed":
        survivors.append(name)
# The ledger keeps the outcome of every mutant as named now.
LEDGER.write_text(
    "# outcome\tcommit\tmutant\tidentity (written by scripts/mutants_summary.py; the latest outcome of each mutant as it is now)\n"
    + "".join(f"{outcome[n]}\t{commit_of[n]}\t{n}\t{ident_of[n]}\n" for n in sorted(current) if n in outcome)
)
at_commit = collections.Counter(commit_of[n] for n in current if n in outcome)

total = collections.Counter()
rows = []
for f in sorted(by_file):
    c = by_file[f]
    total.update(c)
    viable = c["caught"] + c["missed"] + c["timeout"]
    score = (c["caught"] + c["timeout"]) / viable * 100 if viable else 100.0
    rows.append(f"| `{f}` | {c['caught']} | {c['timeout']} | {c['missed']} | {c['unviable']} | {c['not run']} | {score:.1f}% |")
viable = total["caught"] + total["missed"] + total["timeout"]
score = (total["caught"] + total["timeout"]) / viable * 100 if viable else 100.0
unexplained = [s for s in survivors if key_of(s) not in accepted]

lines = [
    f"# Mutation testing: src/{MOD}/",
    "",
    "Written by `scripts/mutants_summary.py` (via `scripts/mutants.sh`); do not edit by hand.",
    "",
    f"Reproduce: `scripts/mutants.sh {MOD}` (or shards: `0/4 1/4 2/4 3/4`; `UNRUN=1` resumes) "
    f"(cargo-mutants on `src/{MOD}/**/*.rs`, tests `cargo test {TESTS}`, profile `mutants`).",
    "",
    f"Each mutant counts with its latest run's outcome, kept in `{MOD}.outcomes.tsv` beside this file; "
    "outcomes by the commit they were run at: "
    + ", ".join(f"`{c}` {k}" for c, k in sorted(at_commit.items(), key=lambda x: -x[1]))
    + ".",
    "",
    f"**Score: {score:.1f}%** of {viable} viable mutants caught "
    f"({total['caught']} caught, {total['timeout']} timed out, {total['missed']} missed; "
    f"{total['unviable']} unviable; {total['not run']} of the module's {len(current)} mutants "
    f"not run yet at their current names). Timeouts count as caught: the tests did not pass.",
    "",
    "| file | caught | timeout | missed | unviable | not run yet | score |",
    "|---|---|---|---|---|---|---|",
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
if excluded:
    lines += ["## Excluded (never run)", ""]
    lines += [f"- `{n}` — {why}" for n, why in sorted(excluded.items())]
    lines.append("")
out = ROOT / "docs" / "mutants" / f"{MOD}.md"
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text("\n".join(lines))
print(f"{MOD}: {score:.1f}% of {viable} viable mutants caught; "
      f"{len(survivors)} survivors, {len(unexplained)} unexplained -> {out.relative_to(ROOT)}")
