"""Keeping answers tied to their sources: neutralise instructions hidden in documents, pick quotable sentences,
and check that a generated answer actually rests on the passages.
"""

from __future__ import annotations

import re

from index.text import tokenize

_INJECTION = re.compile(r"(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier|"
                        r"your)\s+(instructions?|rules|prompts?)|you are now|new instructions?:|system prompt",
                        re.I)


def neutralise(text: str) -> str:
    """Replace sentences that try to instruct the model; documents are data, never instructions."""
    parts = re.split(r"(?<=[.!?])\s+", text)
    return " ".join("[instruction-like text removed]" if _INJECTION.search(p) else p for p in parts)


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
