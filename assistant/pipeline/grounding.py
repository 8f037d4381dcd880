"""Keeping answers tied to their sources: pick quotable sentences and check that a generated answer actually
rests on the passages. (Instructions hidden in documents are neutralised by :mod:`shopfloor.assistant.safety`.)
"""

from __future__ import annotations

import re

from shopfloor.index.text import tokenize


def _quotable(sentence: str) -> str:
    """A sentence as quoted: list markers and Markdown emphasis removed; '' for a lead-in ("Some causes:")."""
    s = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", sentence).replace("**", "").replace("__", "").strip()
    return "" if s.endswith(":") or len(s.split()) < 3 else s


def best_sentences(text: str, query: str, n: int = 2) -> str:
    """The ``n`` sentences of ``text`` sharing most words with ``query``, in document order.

    Lead-ins that end in a colon and fragments under three words are never quoted on their own: they
    announce advice without giving it.
    """
    sentences = [q for q in (_quotable(s) for s in re.split(r"(?<=[.!?])\s+|\n+", text)) if q]
    if not sentences:
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.strip()) > 3]
    if len(sentences) <= n:
        return " ".join(sentences)
    q = set(tokenize(query))
    scored = sorted(range(len(sentences)), key=lambda i: -len(q & set(tokenize(sentences[i]))))[:n]
    return " ".join(sentences[i] for i in sorted(scored))


def support(answer: str, passages: list[str]) -> float:
    """Share of the answer's content words found in the passages (0..1)."""
    words = [w for w in tokenize(answer) if len(w) > 3]
    if not words:
        return 0.0
    vocab = set(tokenize(" ".join(passages)))
    return sum(w in vocab for w in words) / len(words)


MIN_SUPPORT = 0.6


def supported_sentences(answer: str, passages: list[str], min_support: float = MIN_SUPPORT) -> list[str]:
    """The sentences of a generated ``answer`` whose content words rest on the passages (each checked alone).

    What is not supported is never shown: callers display only these, so nothing appears that is then
    retracted. A sentence without content words, or in a script the passages do not use, has no support.
    """
    sentences = [s.strip() for s in re.split(r"(?<=[.!?。！？])\s+|\n+", answer or "") if s.strip()]
    return [s for s in sentences if support(s, passages) >= min_support]
