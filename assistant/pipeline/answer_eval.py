"""Answer quality, measured deterministically: evidence in the answer, citation precision, refusals, and
how many unsupported sentences were shown (`shopfloor ask-eval`).

Inputs are JSON lines: answerable questions ``{"question", "evidence": [strings]}`` (strings from the
documents that a right answer quotes or rests on) and unanswerable ones ``{"question"}``.

- ``evidence_in_answer``: share of answerable questions whose answer holds an evidence string.
- ``citation_precision``: share of the passages an answer cites with ``[n]`` that hold an evidence string.
- ``refusal_accuracy``: share of unanswerable questions answered "not covered" (``grounded`` false).
- ``false_refusal_rate``: share of answerable questions refused.
- ``summary_evidence``: share of answerable questions whose language-model synthesis, as shown, holds an
  evidence string by itself (what the model adds; 0 without it).
- ``answer_chars_mean``: mean length of the answer text shown (notes under it excluded), over every question,
  so that evidence is never bought with length.
- ``unsupported_sentences_shown``: sentences of the language model's synthesis, as shown, whose content
  words rest on the cited passages less than the support threshold (0 by construction; counted anyway).

"Holds": the evidence's content words (Markdown removed, stemmed) are 80 % present in the text, so a
quote that drops a word or its emphasis still counts, and a passage that only shares a topic does not.
"""

from __future__ import annotations

import re

from shopfloor.jsonl import read_jsonl

__all__ = ["evaluate_answers", "holds", "read_jsonl"]
HOLD = 0.8


def holds(text: str, evidence: str) -> bool:
    from shopfloor.index.text import tokenize

    ev = [w for w in tokenize(re.sub(r"[*_`#>]", " ", evidence)) if len(w) > 2]
    if not ev:
        return False
    have = set(tokenize(re.sub(r"[*_`#>]", " ", text)))
    return sum(w in have for w in ev) / len(ev) >= HOLD


def _cited(answer) -> list:
    shown = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    return [c for c in answer.citations if c.n in shown]


def _summary(answer) -> str:
    from shopfloor.assistant.pipeline.ask import SUMMARY_HEAD

    head = SUMMARY_HEAD.strip()
    return answer.answer.split(head, 1)[1].split("\n\n_note")[0] if head in answer.answer else ""


def _unsupported(answer) -> int:
    from shopfloor.assistant.pipeline.ask import SUMMARY_HEAD
    from shopfloor.assistant.pipeline.grounding import MIN_SUPPORT, support

    head = SUMMARY_HEAD.strip()
    if head not in answer.answer:
        return 0
    summary = answer.answer.split(head, 1)[1].split("\n\n_note")[0]
    passages = [c.text for c in _cited(answer)] or [c.text for c in answer.citations]
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", summary.strip()) if s]
    return sum(support(s, passages) < MIN_SUPPORT for s in sentences)


def _shown_text(answer) -> str:
    """The answer as shown, without the notes written under it."""
    return answer.answer.split("\n\n_note")[0]


def evaluate_answers(assistant, qa: list[dict], unanswerable: list[dict]) -> dict:
    """The five measures over the questions, answered by ``assistant`` as configured."""
    found = refused = cites = good_cites = unsupported = summary_found = 0
    rows = []
    chars: list[int] = []
    for q in qa:
        a = assistant.answer(q["question"])
        chars.append(len(_shown_text(a)))
        ok = any(holds(a.answer, ev) for ev in q["evidence"])
        cited = _cited(a)
        good = sum(any(holds(c.text, ev) for ev in q["evidence"]) for c in cited)
        found += ok
        summary_found += bool(_summary(a)) and any(holds(_summary(a), ev) for ev in q["evidence"])
        refused += not a.grounded
        cites += len(cited)
        good_cites += good
        unsupported += _unsupported(a)
        rows.append({"question": q["question"], "evidence_found": ok, "refused": not a.grounded,
                     "cited": len(cited), "cited_with_evidence": good, "summary_kept": a.summary_kept})
    right_refusals = 0
    for q in unanswerable:
        a = assistant.answer(q["question"])
        chars.append(len(_shown_text(a)))
        right_refusals += not a.grounded
        unsupported += _unsupported(a)
        rows.append({"question": q["question"], "unanswerable": True, "refused": not a.grounded})
    return {"n_answerable": len(qa), "n_unanswerable": len(unanswerable),
            "evidence_in_answer": found / len(qa) if qa else None,
            "citation_precision": good_cites / cites if cites else None,
            "refusal_accuracy": right_refusals / len(unanswerable) if unanswerable else None,
            "false_refusal_rate": refused / len(qa) if qa else None,
            "summary_evidence": summary_found / len(qa) if qa else None,
            "unsupported_sentences_shown": unsupported,
            "answer_chars_mean": sum(chars) / len(chars) if chars else None,
            "summaries_kept": sum(r.get("summary_kept", False) for r in rows), "questions": rows}
