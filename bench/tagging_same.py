"""Check that `siyu tag` prints the same bytes as another commit's: a speed change must not move a tag.

    .venv/bin/python bench/tagging_same.py [--baseline main] [--rules PATH ...]

Every text of every set in tests/data (development and held-out alike), and mixes of them (two
messages joined by each separator the tagger splits at, traditional characters, full-width and
upper-case Latin), go through `siyu tag --stdin` of this tree and of the baseline's (a temporary
git worktree, the same interpreter), with each rules file (the shipped rules and every
`tests/data/*_tags.toml`), as JSON and as the text that quotes each tag's clause, with one process
and with workers. Only counts are printed, never a message: a held-out set stays unread by whoever
runs this. Exit status 1 when any output differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SEPARATORS = ("，", "。", "？", "! ", "…", "\n", " 但是", "不过", "、", "", "~", "；")


def texts() -> list[str]:
    """Every text of tests/data, then mixes: pairs joined, traditional, full-width, upper case."""
    found: list[str] = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(json.loads(line)["text"])
    pick = random.Random(11)
    mixed = []
    for _ in range(4 * len(found)):
        first, second = pick.choice(found), pick.choice(found)
        mixed.append(first + pick.choice(SEPARATORS) + second)
    widened = [text.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}) for text in found]
    import opencc

    traditional = opencc.OpenCC("s2t.json").convert("\n".join(found)).split("\n")
    upper = [text.upper() for text in found]
    lines = found + mixed + widened + traditional + upper + ["", " ", "?", "，，", "约", "不"]
    return [line.replace("\n", " ").replace("\r", " ") for line in lines]


def outputs(tree: Path, rules: Path, lines: Sequence[str]) -> dict[str, bytes]:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    result = {}
    for name, options in (("json", ["--json", "--jobs", "1"]), ("json-workers", ["--json", "--jobs", "2"]),
                          ("text", ["--jobs", "1"]), ("text-workers", ["--jobs", "3"])):
        run = subprocess.run([sys.executable, "-m", "bot.cli", "tag", "--stdin", "--rules", str(rules), *options],
                             input=data, capture_output=True, check=True, cwd=tree,
                             env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"})
        result[name] = run.stdout
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="the git ref to compare with (default: main)")
    parser.add_argument("--rules", type=Path, action="append", help="rules files (default: shipped and tests/data)")
    args = parser.parse_args(argv)
    rule_files = args.rules or [REPO / "rules" / "tags.toml", *sorted(DATA.glob("*_tags.toml"))]
    lines = texts()
    # Repeated past one chunk of the bulk mode, so the workers run too.
    lines = (lines * (5000 // len(lines) + 1))[: max(5000, len(lines))]
    differ = 0
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "baseline"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(tree), args.baseline],
                       check=True)
        try:
            for rules in rule_files:
                ours, theirs = outputs(REPO, rules.resolve(), lines), outputs(tree, rules.resolve(), lines)
                for name, out in ours.items():
                    changed = sum(a != b for a, b in zip(out.splitlines(), theirs[name].splitlines(), strict=False))
                    same = out == theirs[name]
                    differ += not same
                    print(f"{rules.name:>18} {name:>13}: {len(out.splitlines()):>6} lines,"
                          f" sha256 {hashlib.sha256(out).hexdigest()[:12]}, "
                          + ("identical" if same else f"DIFFERENT ({changed} lines, lengths"
                             f" {len(out)} vs {len(theirs[name])})"))
                if ours["json"] != ours["json-workers"] or ours["text"] != ours["text-workers"]:
                    print(f"{rules.name}: workers and one process differ in this tree")
                    differ += 1
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)
    print(f"{len(lines)} lines per run; {'all identical' if not differ else f'{differ} outputs differ'}"
          f" to {args.baseline}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
