"""Whole sections of prose documents, rebuilt from their chunks, and found by their headings.

An answer is often a whole section's list (a procedure, the fixes of a failure), while retrieval returns
chunks of at most ~600 characters that cut lists in two. Chunks keep their heading path and their order,
so a section is the chunks of one (source, heading path) in order, with the overlap carried from one chunk
into the next removed again.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from shopfloor.index.chunk import Chunk
from shopfloor.index.text import tokenize


@dataclass(frozen=True)
class Section:
    """One heading's text in one document (tables' rows are not sections)."""

    source: str
    path: str  # "Manual > Chapter > Heading"
    text: str
    page: int | None = None
    ids: tuple[int, ...] = ()  # the chunks it was rebuilt from (positions in the index)

    @property
    def heading(self) -> str:
        return self.path.rsplit(" > ", 1)[-1]

    @property
    def citation(self) -> str:
        where = f"{self.source} > {self.path}" if self.path else self.source
        return where + (f", p. {self.page}" if self.page and "p. " not in self.path else "")


def _join(parts: list[str]) -> str:
    """Chunk texts of one section joined, each chunk's copy of the previous chunk's end removed."""
    out = ""
    for p in parts:
        if not out:
            out = p
            continue
        cut = next((k for k in range(min(len(out), len(p)), 15, -1) if out.endswith(p[:k])), 0)
        out = out + ("\n" if not cut else "") + p[cut:]
    return out


class Sections:
    """The sections of an index's prose chunks, with word statistics for weighing a question's terms."""

    def __init__(self, chunks: list[Chunk]):
        grouped: dict[tuple[str, str], list[int]] = {}
        for i, c in enumerate(chunks):
            if c.row is None:
                grouped.setdefault((c.source, c.section), []).append(i)
        self.by_key = {k: Section(k[0], k[1], _join([chunks[i].text for i in v]), chunks[v[0]].page, tuple(v))
                       for k, v in grouped.items()}
        df: Counter[str] = Counter()
        for c in chunks:
            df.update(set(tokenize(f"{c.section} {c.text}")))
        self.n_docs = max(len(chunks), 1)
        self.df = df
        weights = sorted(self.idf(t) for t in df)
        self.median_idf = weights[len(weights) // 2] if weights else 0.0  # a word rarer than this is specific
        self._heads = {k: _heads(k[1], s.text) for k, s in self.by_key.items()}

    def get(self, source: str, path: str) -> Section | None:
        return self.by_key.get((source, path))

    def idf(self, term: str) -> float:
        """Rare terms weigh more; a term the index never uses weighs most (log(N+1))."""
        return math.log((self.n_docs + 1) / (self.df.get(term, 0) + 0.5))

    def by_heading(self, terms: set[str], n: int = 5, match=None) -> list[Section]:
        """Sections whose headings hold most of ``terms`` by weight, best first: a term in the section's own
        heading or one of its lead-ins ("**Chattering:**") counts fully, one in a parent heading half (the
        document title not at all); at least half the weight must be there. ``match(term, tokens)`` decides
        whether a term is among tokens (default: exactly)."""
        if not terms:
            return []
        match = match or (lambda t, tokens: t in tokens)
        total = sum(self.idf(t) for t in terms)
        scored = []
        for key, (own, parents) in self._heads.items():
            got = sum(self.idf(t) * (1.0 if match(t, own) else 0.5 if match(t, parents) else 0.0) for t in terms)
            if got >= total / 2:
                scored.append((got, key))
        scored.sort(key=lambda s: -s[0])
        return [self.by_key[k] for _, k in scored[:n]]


def _heads(path: str, text: str) -> tuple[set[str], set[str]]:
    """The words of a section's own heading and lead-ins, and of its parent headings below the title."""
    levels = path.split(" > ")
    leads = re.findall(r"^\s*\*\*([^*]{2,80})\*\*:?\s*$|^([^\n]{2,80}):\s*$", text, re.M)
    own = set(tokenize(" ".join([levels[-1], *(a or b for a, b in leads)])))
    return own, set(tokenize(" ".join(levels[1:-1])))


_NAV = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*\[[^\]]+\]\([^)]*\)\s*$")


def is_navigation(text: str) -> bool:
    """A table of contents, link list or front matter: most lines are links or chapter titles, not sentences."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return False
    links = sum(bool(_NAV.match(ln)) or bool(re.match(r"^\s*(?:chapter|part|section)\s+\d+", ln, re.I))
                for ln in lines)
    return links / len(lines) >= 0.5
