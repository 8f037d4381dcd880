"""The index as one user may see it: documents limited to a higher role never come out of it.

A plant limits a document (or a folder of them, e.g. supplier contracts) to a role; everything that reads
passages for a user (chat, Diagnose, ``/v1``, search, the sources list) goes through :class:`RestrictedIndex`,
which removes those sources from search results, from the sections an answer may quote whole and from the
tables a question may filter. Which sources are hidden for which role is decided by the caller
(``shopfloor.documents.Access``); this module only enforces it.

Example:
    >>> view = RestrictedIndex(idx, frozenset({"contracts/supplier.pdf"}))      # doctest: +SKIP
    >>> all(h.source != "contracts/supplier.pdf" for h in view.search("price"))  # doctest: +SKIP
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shopfloor.errors import NotFoundError

if TYPE_CHECKING:
    from shopfloor.index.search import Hit, Index
    from shopfloor.index.sections import Section, Sections


class RestrictedIndex:
    """``index`` without the ``hidden`` sources; everything else is the index's own."""

    def __init__(self, index: Index, hidden: frozenset[str]):
        self._index, self.hidden = index, hidden

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)

    def search(self, query: str, k: int = 5, filters: dict | None = None, mode: str | None = None) -> list[Hit]:
        return self._index.search(query, k=k, filters={**(filters or {}), "exclude_sources": self.hidden}, mode=mode)

    def count(self, filters: dict | None = None) -> int:
        return self._index.count({**(filters or {}), "exclude_sources": self.hidden})

    def sections(self) -> _SectionsView:
        return _SectionsView(self._index.sections(), self.hidden)

    def tables(self) -> list:
        return [t for t in self._index.tables() if t.source not in self.hidden]

    def sources(self) -> list[dict]:
        return [s for s in self._index.sources() if s["source"] not in self.hidden]

    def texts(self, source: str) -> list[str]:
        if source in self.hidden:
            raise NotFoundError(f"no source {source!r} in the index")
        return self._index.texts(source)

    def similarity_to(self, query: str, ids: list[int]) -> float:
        return self._index.similarity_to(query, [i for i in ids if self._index.chunks[i].source not in self.hidden])


class _SectionsView:
    """The index's sections without the hidden sources' (term statistics stay the whole index's)."""

    def __init__(self, sections: Sections, hidden: frozenset[str]):
        self._sections, self._hidden = sections, hidden

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sections, name)

    def get(self, source: str, path: str) -> Section | None:
        return None if source in self._hidden else self._sections.get(source, path)

    def by_heading(self, terms: set[str], n: int = 5, match=None) -> list[Section]:
        found = self._sections.by_heading(terms, n=n + len(self._hidden), match=match)
        return [s for s in found if s.source not in self._hidden][:n]
