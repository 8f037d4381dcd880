"""Keeping answers tied to their sources: pick quotable sentences and check that a generated answer actually
rests on the passages. (Instructions hidden in documents are neutralised by :mod:`shopfloor.assistant.safety`.)
"""

from __future__ import annotations

import re

from shopfloor.index.text import tokenize


def best_sentences(text: str, query: str, n: int = 2) -> str:
    """The ``n`` sentences of ``text`` sharing most words with ``query``, in document order."""
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
