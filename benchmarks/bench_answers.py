"""Answers on the lathe handbook and the haul-truck FMEA: evidence, refusals, citations, length and speed, on
the dev and the untouched test questions, for this code and (same run) for an earlier commit.

The question sets (benchmarks/data/{lathe,fmea}_{dev,test}_{qa,unanswerable}.jsonl) were written from the
documents before anything was measured, phrased as technicians type (shorthand, typos); the near-topic
unanswerable ones ask for values, parts and procedures the documents do not give. Levels in
``assistant/pipeline/answerable.py`` were chosen on the dev part only. Product defaults, no language model
(the bundled one is off by default: see ``llm.synthesis``). Run:

    python benchmarks/bench_answers.py [--split dev|test|both] [--baseline-ref d84619d] [--json]

Indexes are built under a temporary folder from ../shared/data/manuals (never copied into the repository).
``--baseline-ref`` runs the same questions on that commit's code (a git worktree, imported instead of this
checkout) and prints both; 95 % Wilson intervals for every share.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "benchmarks" / "data"
MANUALS = REPO.parent / "shared" / "data" / "manuals"
SETS = {"lathe": MANUALS / "lathe", "fmea": MANUALS / "haul_truck_fmea.csv"}
SHARES = {"evidence_in_answer": "n_answerable", "citation_precision": None, "refusal_accuracy": "n_unanswerable",
          "false_refusal_rate": "n_answerable"}


def wilson(p: float | None, n: int) -> list[float] | None:
    """The 95 % Wilson interval of a share ``p`` of ``n``."""
    if p is None or not n:
        return None
    z = 1.96
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(centre - half, 3), round(centre + half, 3)]


def build(root: Path) -> dict[str, Path]:
    """One workspace per document set (index only, language model off)."""
    from shopfloor.index import Index, IndexConfig
    from shopfloor.workspace import Workspace

    out = {}
    for name, src in SETS.items():
        ws = Workspace.open(root / name)
        (ws.root / "config.yaml").write_text("llm: {backend: none}\n")
        docs = ws.root / "docs"
        docs.mkdir(exist_ok=True)
        if src.is_file():
            shutil.copy(src, docs / src.name)  # into the temporary workspace only
        Index.build([src if src.is_dir() else docs], ws.root / "indexes" / "knowledge", IndexConfig(), progress=False)
        out[name] = ws.root
    return out


class Timed:
    """An assistant whose answers are timed (seconds each, in ``times``)."""

    def __init__(self, assistant, user):
        self.assistant, self.user, self.times, self.chars = assistant, user, [], []

    def answer(self, q: str):
        t0 = time.perf_counter()
        r = self.assistant.answer(q, user=self.user)
        self.times.append(time.perf_counter() - t0)
        self.chars.append(len(r.answer.split("\n\n_note")[0]))  # older code's ask-eval has no answer length
        return r


def measure(workspaces: dict[str, Path], splits: list[str]) -> dict:
    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.assistant.pipeline.answer_eval import evaluate_answers, read_jsonl
    from shopfloor.assistant.policy import cli_user
    from shopfloor.workspace import Workspace

    user, out = cli_user(), {}
    for name, root in workspaces.items():
        timed = Timed(Assistant(Workspace.open(root), use_llm=False), user)
        timed.answer("warm up")
        for split in splits:
            qa = read_jsonl(DATA / f"{name}_{split}_qa.jsonl", ("question", "evidence"))
            un = read_jsonl(DATA / f"{name}_{split}_unanswerable.jsonl", ("question",))
            timed.times.clear()
            timed.chars.clear()
            r = {k: v for k, v in evaluate_answers(timed, qa, un).items() if k != "questions"}
            r.setdefault("answer_chars_mean", sum(timed.chars) / max(len(timed.chars), 1))
            times = sorted(timed.times)
            r["answer_p95_s"] = round(times[int(0.95 * (len(times) - 1))], 3)
            r["intervals"] = {k: wilson(r[k], r[n]) for k, n in SHARES.items() if n}
            out[f"{name}/{split}"] = {k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}
    return out


def baseline(ref: str, workspaces: dict[str, Path], splits: list[str], tmp: Path) -> dict:
    """The same measurement on commit ``ref``'s code: a worktree whose packages are imported instead of ours."""
    tree = tmp / "baseline"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), ref], check=True,
                   capture_output=True)
    try:
        pkg = tmp / "baseline-pkg" / "shopfloor"
        shutil.copytree(tree / "shopfloor", pkg)
        for sub in ("assistant", "finetune", "index", "sensors", "vision", "prompts"):
            (pkg / sub).symlink_to(tree / sub)
        roots = json.dumps({k: str(v) for k, v in workspaces.items()})
        code = ("import sys, json; sys.meta_path = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
                f"sys.path.insert(0, {str(pkg.parent)!r}); sys.path.insert(0, {str(REPO / 'benchmarks')!r}); "
                "import bench_answers as b; from pathlib import Path; "
                f"print(json.dumps(b.measure({{k: Path(v) for k, v in {roots}.items()}}, {splits!r})))")
        done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("dev", "test", "both"), default="both")
    ap.add_argument("--baseline-ref", help="an earlier commit to measure in the same run")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    splits = ["dev", "test"] if a.split == "both" else [a.split]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        workspaces = build(tmp / "ws")
        out = {"now": measure(workspaces, splits)}
        if a.baseline_ref:
            out[f"baseline {a.baseline_ref}"] = baseline(a.baseline_ref, workspaces, splits, tmp)
    if a.json:
        print(json.dumps(out, indent=1))
        return
    cols = ("evidence_in_answer", "refusal_accuracy", "false_refusal_rate", "citation_precision",
            "answer_chars_mean", "answer_p95_s")
    print("| code | set | " + " | ".join(cols) + " |\n|" + "---|" * (len(cols) + 2))
    for code, sets in out.items():
        for name, r in sets.items():
            cells = [f"{r.get(c)}" + (f" [{r['intervals'][c][0]}, {r['intervals'][c][1]}]"
                                  if r.get("intervals", {}).get(c) else "") for c in cols]
            print(f"| {code} | {name} ({r['n_answerable']}+{r['n_unanswerable']}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
