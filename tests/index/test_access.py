"""A restricted view of the index: hidden sources never come out of search, sections, tables or listings."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopfloor.documents import Access
from shopfloor.errors import NotFoundError
from shopfloor.index import Index
from shopfloor.index.access import RestrictedIndex


def test_the_most_specific_rule_decides():
    acc = Access({"contracts/": "engineer", "contracts/public.md": "viewer", "hr.md": "admin"})
    assert acc.min_role("contracts/acme.pdf") == "engineer" and acc.min_role("contracts/public.md") == "viewer"
    assert acc.hidden("technician", ["contracts/acme.pdf", "contracts/public.md", "hr.md", "P-101.md"]) == {
        "contracts/acme.pdf", "hr.md"}
    assert acc.hidden("admin", ["contracts/acme.pdf", "hr.md"]) == frozenset()


def test_hidden_sources_leave_search_sections_and_tables(docs: Path, tmp_path: Path, embedder):
    idx = Index.build([docs], tmp_path / "kb", progress=False)
    assert any(h.source == "P-101.md" for h in idx.search("suction strainer clogged cavitation", k=5))
    view = RestrictedIndex(idx, frozenset({"P-101.md", "incidents.csv"}))
    assert all(h.source == "M-201.md" for h in view.search("suction strainer clogged cavitation", k=5))
    assert view.tables() == [] and [s["source"] for s in view.sources()] == ["M-201.md"]
    assert idx.sections().get("P-101.md", "Pump P-101 manual > Error codes") is not None
    assert view.sections().get("P-101.md", "Pump P-101 manual > Error codes") is None
    assert all(s.source != "P-101.md" for s in view.sections().by_heading({"error", "code"}))
    assert view.count({"doc_type": "incident"}) == 0 < idx.count({"doc_type": "incident"})
    with pytest.raises(NotFoundError):
        view.texts("P-101.md")
