"""Keeping answers tied to their sources: pick quotable sentences and check that a generated answer actually
rests on the passages. (Instructions hidden in documents are neutralised by :mod:`shopfloor.assistant.safety`.)
"""

from __future__ import annotations

import re

from shopfloor.assistant.pipeline.events import REFUSAL
from shopfloor.index.text import tokenize

__all__ = ["REFUSAL", "best_sentence_list", "best_sentences", "cited_sentences_grammar", "support",
           "supported_sentences"]


def _quotable(sentence: str) -> str:
    """A sentence as quoted: list markers and Markdown emphasis removed; '' for a lead-in ("Some causes:")."""
    s = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", sentence).replace("**", "").replace("__", "").strip()
    return "" if s.endswith(":") or len(s.split()) < 3 else s


_ITEM = re.compile(r"^\s*(?:[-*+|#>]|\d+[.)]\s|\*\*)")


def _lines(text: str) -> list[str]:
    """Lines of ``text`` with a paragraph's wrapped lines joined again ("Release stored energy (pressure,
    springs, / suspended loads) before work." is one sentence, and so is a wrapped list item): a line continues
    the one before unless that one ended a sentence or a lead-in (. ! ? :) or is a heading or table row, or
    the line itself starts a list item, table row, heading or quote."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            out.append("")
        elif out and out[-1] and not re.search(r"[.!?:]$", out[-1]) and not _ITEM.match(line) \
                and not out[-1].startswith(("#", "|")):
            out[-1] += " " + line
        else:
            out.append(line)
    return [line for line in out if line]


def best_sentences(text: str, query: str, n: int = 2) -> str:
    """The ``n`` sentences of ``text`` sharing most words with ``query``, in document order, as one quote.

    Lead-ins that end in a colon and fragments under three words are never quoted on their own: they
    announce advice without giving it.
    """
    return " ".join(best_sentence_list(text, query, n))


def best_sentence_list(text: str, query: str, n: int = 2) -> list[str]:
    """:func:`best_sentences` as a list (a list item stays its own sentence)."""
    pieces = [p for line in _lines(text) for p in re.split(r"(?<=[.!?])\s+", line)]
    sentences = [q for q in (_quotable(p) for p in pieces) if q]
    if not sentences:
        sentences = [p.strip() for p in pieces if len(p.strip()) > 3]
    if len(sentences) <= n:
        return sentences
    q = set(tokenize(query))
    scored = sorted(range(len(sentences)), key=lambda i: -len(q & set(tokenize(sentences[i]))))[:n]
    return [sentences[i] for i in sorted(scored)]


def support(answer: str, passages: list[str], exclude: frozenset[str] | set[str] = frozenset()) -> float:
    """Share of the answer's content words found in the passages (0..1). Words in ``exclude`` (the question's
    own) do not count either way: an echo of the question ("The Maximum Spindle Speed of the Tormac 1100.")
    has fewer than two other words and no support."""
    words = [w for w in tokenize(answer) if len(w) > 3 and w not in exclude]
    if not words or (exclude and len(words) < 2):
        return 0.0
    vocab = set(tokenize(" ".join(passages)))
    return sum(w in vocab for w in words) / len(words)


MIN_SUPPORT = 0.6


def supported_sentences(answer: str, passages: list[str] | dict[int, str],
                        min_support: float = MIN_SUPPORT, exclude: frozenset[str] | set[str] = frozenset()
                        ) -> list[str]:
    """The sentences of a generated ``answer`` whose content words rest on the passages (each checked alone).

    What is not supported is never shown: callers display only these, so nothing appears that is then
    retracted. A sentence without content words, or in a script the passages do not use, has no support.
    ``passages`` numbered (``{n: text}``, as the prompt numbered them): a sentence that cites ``[n]`` must
    rest on the passages it cites, and citing a number that was not given is unsupported; a sentence
    without a citation is checked against all passages. ``exclude``: the question's words, never evidence.
    """
    numbered = passages if isinstance(passages, dict) else {i: t for i, t in enumerate(passages, start=1)}
    sentences = [s.strip() for s in re.split(r"(?<=[.!?。！？])\s+|\n+", answer or "") if s.strip()]
    kept = []
    for s in sentences:
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", s)}
        if cited - set(numbered):
            continue
        basis = [numbered[n] for n in sorted(cited)] if cited else list(numbered.values())
        if support(s, basis, exclude) >= min_support:
            kept.append(s)
    return kept




def cited_sentences_grammar(numbers: list[int], max_sentences: int = 3) -> str:
    """A llama.cpp GBNF grammar for a reply of 1..``max_sentences`` sentences, each ending with the number of a
    given passage (``... [2].``), or the refusal: the structure the answer check relies on, enforced while the
    model writes instead of hoped for. A full stop may still occur inside a sentence (0.05 mm), so several
    sentences can run before one citation: :func:`supported_sentences` checks those against all passages.
    (A rule allowing a full stop only before a letter or digit made one answer take 352 s instead of 4 s on
    llama.cpp's grammar sampler; both timed once on 2 cores while a training job shared them.)"""
    cites = " | ".join(f'"{n}"' for n in sorted(set(numbers)))
    return "\n".join([
        f"root ::= refusal | sentence{{1,{max_sentences}}}",
        f'refusal ::= "{REFUSAL}"',
        'sentence ::= [A-Z0-9"(] [^\\[\\]\\n]{8,280} " [" cite "]" ("; [" cite "]")? "." " "?',
        f"cite ::= {cites}",
    ])
