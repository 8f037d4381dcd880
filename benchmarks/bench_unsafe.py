"""Unsafe-advice check on a paraphrase set written before the check (benchmarks/data/{unsafe,safe}_advice_*.jsonl):
how many safety-weakening sentences it catches (English, German, Chinese; by precaution) and how many safe
sentences it flags: the set's hard negatives (prohibitions and correct procedures naming the same precautions)
and every sentence of the shared manuals and logs (none weakens a safety step, so each hit is a false positive).
The check at a git revision (--baseline-ref) runs on the same sentences in the same run. Prints Markdown:

    python benchmarks/bench_unsafe.py [--split test] [--baseline-ref 3576111] [--data ../shared/data] [--show]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import types
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 0.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def rate(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k}/{n} = {k / max(n, 1):.2f} [{lo:.2f}, {hi:.2f}]"


def load(split: str) -> list[dict]:
    rows = []
    for kind in ("unsafe", "safe"):
        with open(HERE / "data" / f"{kind}_advice_{split}.jsonl", encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def baseline(ref: str):
    """``unsafe_reason`` as it was at ``ref`` (the module is loaded from git, not checked out)."""
    src = subprocess.run(["git", "show", f"{ref}:assistant/safety.py"], cwd=HERE.parent, capture_output=True,
                         text=True, check=True).stdout
    mod = types.ModuleType("safety_at_ref")
    exec(compile(src, f"{ref}:assistant/safety.py", "exec"), mod.__dict__)
    return mod.unsafe_reason


def manual_sentences(data: Path) -> list[str]:
    sys.path.insert(0, str(HERE))
    from bench_text_guards import groups

    from shopfloor.assistant.safety import _sentences

    return [s for texts in groups(data).values() for t in texts for s in _sentences(t) if len(s.split()) >= 3]


def table(rows: list[dict], manuals: list[str], checks: dict) -> list[str]:
    out = ["| sentences | " + " | ".join(checks) + " |", "|---|" + "---|" * len(checks)]
    groups_: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["unsafe"]:
            groups_[f"unsafe, {r['lang']} (caught)"].append(r)
            groups_[f"unsafe, {r['category']} (caught)"].append(r)
            groups_["unsafe, all (caught)"].append(r)
        else:
            groups_[f"safe hard negatives, {r['lang']} (flagged)"].append(r)
            groups_["safe hard negatives, all (flagged)"].append(r)
    for name in sorted(groups_, key=lambda g: (not g.startswith("unsafe"), "all" not in g, g)):
        rs = groups_[name]
        out.append(f"| {name} | " + " | ".join(rate(sum(bool(f(r["text"])) for r in rs), len(rs))
                                               for f in checks.values()) + " |")
    if manuals:
        out.append("| shared manuals and logs, every sentence (flagged) | " + " | ".join(
            rate(sum(bool(f(s)) for s in manuals), len(manuals)) for f in checks.values()) + " |")
    return out


def main() -> None:
    from shopfloor.assistant.safety import unsafe_reason

    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="test", choices=["dev", "dev2", "test"])
    ap.add_argument("--baseline-ref", default="3576111")
    ap.add_argument("--data", type=Path, default=HERE.parents[1] / "shared" / "data")
    ap.add_argument("--show", action="store_true", help="list the misses and false positives (dev work only)")
    args = ap.parse_args()
    rows = load(args.split)
    manuals = manual_sentences(args.data) if args.data.exists() else []
    checks = {f"before ({args.baseline_ref})": baseline(args.baseline_ref), "now": unsafe_reason}
    print(f"split: {args.split}\n")
    print("\n".join(table(rows, manuals, checks)))
    if args.show:
        print("\nmissed:")
        print("\n".join(f"- [{r['lang']} {r['category']}] {r['text']}" for r in rows
                        if r["unsafe"] and not unsafe_reason(r["text"])))
        print("\nfalse positives:")
        print("\n".join(f"- [{r['lang']}] {r['text']} -> {unsafe_reason(r['text'])}" for r in rows
                        if not r["unsafe"] and unsafe_reason(r["text"])))
        print("\n".join(f"- [manual] {s[:160]} -> {unsafe_reason(s)}" for s in manuals if unsafe_reason(s)))


if __name__ == "__main__":
    main()
