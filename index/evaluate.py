"""Retrieval quality on a QA file: recall@k and MRR for hybrid, dense-only and keyword-only in one run.

QA format (JSON lines): {"question": str, "source": file name or null, "evidence": [exact substrings]}.
A question is found at rank r when the r-th hit contains any evidence string (whitespace collapsed,
case folded) or, with no evidence but a source, when the hit comes from that file. Questions with
``source: null`` have no answer: we report how often the top dense score falls under the
index's no-answer threshold.
"""

from __future__ import annotations

import re
from pathlib import Path


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().casefold()


def load_qa(path: str | Path) -> list[dict]:
    from shopfloor.jsonl import read_jsonl

    return [{"question": row["question"], "source": row.get("source"), "evidence": row.get("evidence") or []}
            for row in read_jsonl(path, ("question",))]


def found_rank(hits, qa: dict) -> int | None:
    evidence = [_norm(e) for e in qa["evidence"]]
    for rank, h in enumerate(hits, start=1):
        if evidence and any(e in _norm(h.text) for e in evidence):
            return rank
        if not evidence and qa["source"] and Path(h.source).name == Path(qa["source"]).name:
            return rank
    return None


def evaluate(index, qa_path: str | Path, k: int = 10, modes: tuple[str, ...] = ("hybrid", "dense", "keyword")) -> dict:
    """Metrics for each retrieval mode; the top level holds the configured (hybrid) mode's figures."""
    qa = load_qa(qa_path)
    answerable = [q for q in qa if q["source"]]
    unanswerable = [q for q in qa if not q["source"]]
    per_mode = {mode: _metrics(index, answerable, k, None if mode == "hybrid" else mode) for mode in modes}
    out = {"n": len(answerable), "k": k, **per_mode[modes[0]], "modes": per_mode}
    if unanswerable:
        below = [index.search(q["question"], k=1, mode="dense")[0].dense_score < index.no_answer_threshold
                 for q in unanswerable if index.chunks]
        out["n_unanswerable"] = len(unanswerable)
        out["no_answer_rate"] = sum(below) / len(unanswerable)
    return out


def _metrics(index, qa: list[dict], k: int, mode: str | None) -> dict:
    ranks = [found_rank(index.search(q["question"], k=k, mode=mode), q) for q in qa]
    n = max(len(ranks), 1)
    out = {f"recall_at_{c}": sum(1 for r in ranks if r and r <= c) / n for c in sorted({1, 5, k}) if c <= k}
    out["recall_at_k"] = sum(1 for r in ranks if r) / n
    out["mrr"] = sum(1 / r for r in ranks if r) / n
    return out
