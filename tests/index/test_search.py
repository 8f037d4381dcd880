from __future__ import annotations

from pathlib import Path

import pytest

from shopfloor.errors import InputError, NotBuiltError
from shopfloor.index import Index


def test_finds_the_troubleshooting_row_with_citation(built: Index):
    hit = built.search("pump makes crackling noise and flow is low", k=3)[0]
    assert "Clean strainer ST-2" in hit.text
    assert hit.citation == "P-101.md > Pump P-101 manual > Troubleshooting"
    assert 0.3 < hit.dense_score <= 1.0


def test_error_codes_and_abbreviations_found_by_keyword(built: Index):
    assert "E-42" in built.search("E-42", k=1)[0].text
    top = built.search("brg nse", k=2, mode="keyword")
    assert any("bearing" in h.text.lower() or "brg" in h.text for h in top)


def test_filters(built: Index):
    hits = built.search("replaced", k=5, filters={"doc_type": "incident", "machine_id": "hp-601"})
    assert [h.metadata["machine_id"] for h in hits] == ["HP-601"]
    dated = built.search("replaced", k=5, filters={"doc_type": "incident", "date_from": "2025-01-01"})
    assert {h.metadata["date"][:4] for h in dated} == {"2025"}
    with pytest.raises(InputError, match="unknown filter"):
        built.search("x", filters={"colour": "red"})


def test_empty_query_is_an_error(built: Index):
    with pytest.raises(InputError, match="empty query"):
        built.search("  ")


def test_reload_gives_same_results(built: Index):
    again = Index.load(built.root)
    q = "chatter on the finishing pass"
    assert [h.text for h in again.search(q)] == [h.text for h in built.search(q)]


def test_incremental_add_change_and_delete(built: Index, docs: Path):
    n_before = len(built.chunks)
    assert built.add([docs], progress=False).files == 0  # nothing changed, nothing re-embedded
    (docs / "M-201.md").write_text("# Mill M-201 manual\n\n## Coolant\n\nCoolant foams: add antifoam AF-9.\n")
    (docs / "P-101.md").unlink()
    report = built.add([docs], progress=False)
    assert report.files == 1
    assert {s["source"] for s in built.sources()} == {"M-201.md", "incidents.csv"}
    assert len(built.chunks) < n_before and len(built.vectors) == len(built.chunks)
    again = Index.load(built.root)
    assert "AF-9" in again.search("coolant foaming", k=1)[0].text
    assert not any(h.source == "P-101.md" for h in again.search("cavitation strainer", k=5))


def test_remove_source(built: Index):
    n = built.remove("incidents.csv")
    assert n == 3 and "incidents.csv" not in {s["source"] for s in Index.load(built.root).sources()}
    with pytest.raises(InputError, match="not in the index"):
        built.remove("incidents.csv")


def test_missing_index_says_how_to_build(tmp_path: Path):
    with pytest.raises(NotBuiltError, match="shopfloor index build"):
        Index.load(tmp_path / "none")


def test_scanned_pdf_is_skipped_and_reported(docs: Path, tmp_path: Path, embedder):
    (docs / "scan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    idx = Index.build([docs], tmp_path / "kb2", progress=False)
    assert [s for s, _ in idx.last_report.skipped] == ["scan.pdf"]
    assert "scan.pdf" not in {s["source"] for s in idx.sources()}


def test_hnsw_chosen_above_threshold(docs: Path, tmp_path: Path, embedder):
    from shopfloor.index import IndexConfig

    idx = Index.build([docs], tmp_path / "kb3", IndexConfig(hnsw_threshold=2), progress=False)
    assert "HNSW" in type(idx._faiss).__name__
    assert "ST-2" in idx.search("strainer clogged", k=1)[0].text
    assert "HNSW" in type(Index.load(tmp_path / "kb3")._faiss).__name__


def test_bad_file_in_batch_leaves_rest_ingested(docs: Path, tmp_path: Path, embedder):
    (docs / "bad.md").write_bytes(b"\x00\x00binary")
    idx = Index.build([docs], tmp_path / "kb4", progress=False)
    assert [s for s, _ in idx.last_report.skipped] == ["bad.md"]
    assert {s["source"] for s in idx.sources()} == {"P-101.md", "M-201.md", "incidents.csv"}


def test_very_long_query_works(built: Index):
    assert built.search("pump strainer " * 1000, k=2)
