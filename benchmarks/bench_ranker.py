"""Can the choice among candidate extracts be learned? Repeated 2-fold cross-validation on the dev questions.

Issue 25's loss is ranking: the evidence is among the candidate extracts far more often than the one shown holds
it. This measures, on the dev questions only (lathe handbook + haul-truck FMEA; the untouched test questions are
not read), whether either of two cheap additions beats the hand-set scorer of ``assistant/pipeline/answerable.py``:

- ``minilm``: the scorer plus a weight times MiniLM's similarity of the question to the candidate's own lines (and
  to its heading + lines), every candidate embedded (the product embeds only passages);
- ``logistic``: a logistic regression on 34 candidate features (coverage, similarity, heading coverage, shape bonus,
  exact words, states a value, shaped as asked, the scorer itself, both MiniLM similarities, answerable, length,
  kind and kind x question-kind), trained on one half of the dev questions and used on the other to rank and to
  refuse below a probability.

Reported per set: evidence in the shown extract, refusal accuracy and false refusals (means over 10 x 2 folds).
Run (2 CPU cores, ~3 min; indexes built in a temporary folder from ../shared/data/manuals):

    python benchmarks/bench_ranker.py [--json]
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
KINDS, QKINDS = ("list", "value", "sentences", "row"), ("howto", "cause", "value", "other")


def candidates(workspaces: dict[str, Path]) -> list[dict]:
    """Every dev question with its candidate extracts: features, answerable or not, holds the evidence or not."""
    from bench_answers import DATA

    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.assistant.pipeline import answerable as A
    from shopfloor.assistant.pipeline.answer_eval import holds, read_jsonl
    from shopfloor.assistant.pipeline.ask import _row_quote
    from shopfloor.assistant.pipeline.question import read_question
    from shopfloor.index.search import embed
    from shopfloor.index.text import expand_query
    from shopfloor.workspace import Workspace

    out = []
    for name, root in workspaces.items():
        index = Assistant(Workspace.open(root), use_llm=False).components.index()
        level = index.no_answer_threshold
        qa = read_jsonl(DATA / f"{name}_dev_qa.jsonl", ("question", "evidence"))
        un = [dict(u, evidence=None) for u in read_jsonl(DATA / f"{name}_dev_unanswerable.jsonl", ("question",))]
        for item in qa + un:
            q = read_question(item["question"])
            hits = index.search(q.text, k=5)
            cands = A.candidates(q, hits, index.sections(), _row_quote, functools.partial(index.similarity_to, q.text))
            qv = embed([expand_query(q.text)], index.config, progress=False)[0]
            lines = [" ".join(e.lines) for e in cands]
            sims = (embed(lines, index.config, progress=False) @ qv if cands else [],
                    embed([f"{e.path.split(' > ')[-1]}: {t}" for e, t in zip(cands, lines, strict=True)], index.config,
                          progress=False) @ qv if cands else [])
            ev = item["evidence"]
            out.append({"set": name, "qkind": q.kind, "answerable": ev is not None,
                        "on_topic": bool(hits) and max(h.dense_score for h in hits) >= level,
                        "c": [{"good": ev is not None and any(holds("\n".join(e.lines), x) for x in ev),
                               "ok": A.answers(q, e, level), "kind": e.kind, "cov": e.coverage, "dense": e.dense,
                               "head": e.head, "bonus": e.bonus, "exact": e.exact, "hv": e.has_value,
                               "base": A.score(q, e), "sim_l": float(sims[0][i]), "sim_c": float(sims[1][i]),
                               "n_lines": len(e.lines), "chars": len(lines[i])} for i, e in enumerate(cands)]})
    return out


def features(q: dict, c: dict) -> list[float]:
    shaped = {"howto": "list", "cause": "list", "value": "value"}.get(q["qkind"]) == c["kind"]
    v = [c["cov"], c["dense"], c["head"], c["bonus"], c["exact"], float(c["hv"]), float(shaped), c["base"],
         c["sim_l"], c["sim_c"], float(c["ok"]), min(c["n_lines"], 10) / 10, min(c["chars"], 800) / 800]
    v += [float(c["kind"] == k) for k in KINDS]
    return v + [float(c["kind"] == k and q["qkind"] == qk) for k in KINDS for qk in QKINDS]


def measure(questions: list[dict], pick) -> tuple[float, float, float]:
    """(evidence in the shown extract, refusal accuracy, false refusals); ``pick(q)`` -> candidate or None."""
    ans = [q for q in questions if q["answerable"]]
    un = [q for q in questions if not q["answerable"]]
    shown = {id(q): pick(q) for q in questions}
    return (sum(bool(shown[id(q)] and shown[id(q)]["good"]) for q in ans) / max(len(ans), 1),
            sum(shown[id(q)] is None for q in un) / max(len(un), 1),
            sum(shown[id(q)] is None for q in ans) / max(len(ans), 1))


def scorer(extra: float = 0.0, extra_ctx: float = 0.0):
    def pick(q):
        ok = [c for c in q["c"] if c["ok"]]
        if not q["on_topic"] or not ok:
            return None
        return max(ok, key=lambda c: c["base"] + extra * c["sim_l"] + extra_ctx * c["sim_c"])
    return pick


def logistic(train: list[dict], level: float):
    from sklearn.linear_model import LogisticRegression

    X = [features(q, c) for q in train for c in q["c"]]
    y = [c["good"] for q in train for c in q["c"]]
    model = LogisticRegression(C=1.0, max_iter=2000).fit(np.array(X), np.array(y))

    def pick(q):
        if not q["on_topic"] or not q["c"]:
            return None
        p = model.predict_proba(np.array([features(q, c) for c in q["c"]]))[:, 1]
        return q["c"][int(np.argmax(p))] if p.max() >= level else None
    return pick


def cross_validate(data: list[dict], repeats: int = 10) -> dict:
    rng, rows = random.Random(0), {}
    methods = {"scorer (product)": lambda tr: scorer(), "minilm +0.5 lines": lambda tr: scorer(0.5),
               "minilm +0.5 heading+lines": lambda tr: scorer(0.0, 0.5), "minilm +1.0 both": lambda tr: scorer(1, 1)}
    methods |= {f"logistic, refuse under p={lv}": functools.partial(lambda tr, lv: logistic(tr, lv), lv=lv)
                for lv in (0.0, 0.1, 0.2)}
    for _ in range(repeats):
        order = rng.sample(data, len(data))
        halves = (order[: len(order) // 2], order[len(order) // 2:])
        for train, test in (halves, halves[::-1]):
            for name, make in methods.items():
                pick = make(train)
                for s in ("lathe", "fmea"):
                    rows.setdefault((name, s), []).append(measure([q for q in test if q["set"] == s], pick))
    return {f"{name} | {s}": dict(zip(("evidence", "refusals", "false_refusals"),
                                      np.round(np.mean(v, axis=0), 3).tolist(), strict=True))
            for (name, s), v in rows.items()}


def main() -> None:
    from bench_answers import build

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        data = candidates(build(Path(d) / "ws"))
    out = cross_validate(data)
    if a.json:
        print(json.dumps(out, indent=1))
        return
    print("| method | set | evidence in answer | refusal accuracy | false refusals |\n|---|---|---|---|---|")
    for key, r in out.items():
        name, s = key.split(" | ")
        print(f"| {name} | {s} dev | {r['evidence']:.3f} | {r['refusals']:.3f} | {r['false_refusals']:.3f} |")


if __name__ == "__main__":
    main()
