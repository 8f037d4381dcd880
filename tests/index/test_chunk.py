from __future__ import annotations

import pytest

from shopfloor.index.chunk import chunk_markdown, split_text
from shopfloor.index.config import IndexConfig

from .conftest import PUMP_MD


def test_heading_path_and_one_chunk_per_table_row():
    chunks = chunk_markdown(PUMP_MD, "P-101.md", 900, 100)
    rows = [c for c in chunks if c.row]
    assert [c.row for c in rows] == [1, 2]
    assert rows[0].section == "Pump P-101 manual > Troubleshooting"
    assert rows[0].metadata["columns"]["Remedy"] == "Clean strainer ST-2 and open the suction valve"
    assert rows[0].text.startswith("Symptom: Crackling noise")
    codes = [c for c in chunks if "E-14" in c.text]
    assert codes and codes[0].section == "Pump P-101 manual > Error codes"


def test_split_text_bounds_and_overlap():
    text = " ".join(f"Sentence number {i} is here." for i in range(200))
    pieces = split_text(text, 300, 50)
    assert all(len(p) <= 300 for p in pieces)
    assert len(pieces) > 10
    assert pieces[1][:20] in pieces[0]  # overlap carried over


def test_very_long_word_is_cut():
    pieces = split_text("x" * 1000, 300, 30)
    assert all(len(p) <= 300 for p in pieces) and sum(len(p) for p in pieces) >= 1000


def test_content_hash_changes_with_text():
    a, b = chunk_markdown("# A\n\none", "s", 900, 0), chunk_markdown("# A\n\ntwo", "s", 900, 0)
    assert a[0].content_hash != b[0].content_hash


@pytest.mark.parametrize("kwargs, msg", [({"chunk_chars": 50}, "chunk_chars"), ({"overlap_chars": 2000}, "overlap"),
                                         ({"fusion": "magic"}, "fusion must be one of"),
                                         ({"dense_weight": 2.0}, "dense_weight")])
def test_config_validation(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        IndexConfig(**kwargs)


def test_a_lead_in_travels_with_the_subsections_it_announces():
    from shopfloor.index.chunk import chunk_markdown

    text = ("# Boring\n## Dealing with chatter\nChatter plagues boring operations due to flexibility:\n"
            "### Minimize overhang\nUse the shortest bar that reaches.\n### Sharp tools\nHone the edge.\n"
            "## Other\nText here.\n")
    chunks = chunk_markdown(text, "b.md", 900, 100)
    assert [c.section.split(" > ")[-1] for c in chunks] == ["Minimize overhang", "Sharp tools", "Other"]
    assert chunks[0].text.startswith("Chatter plagues") and "shortest bar" in chunks[0].text
    assert chunks[2].text == "Text here."  # not carried past its section


def test_yaml_front_matter_is_not_indexed_and_a_rule_line_is_kept():
    from shopfloor.index.chunk import chunk_markdown

    doc = ("---\ntitle: \"Threading\"\nauthor: J. Nilsson\nversion: 0.1.0\ntags: [threading]\n---\n\n"
           "# Threading\n\nTurn the blank to size first.\n")
    chunks = chunk_markdown(doc, "t.md", 600, 60)
    assert [c.text for c in chunks] == ["Turn the blank to size first."]
    ruled = chunk_markdown("---\n\nPlain text after a rule.\n", "r.md", 600, 60)  # not front matter: kept
    assert ruled and "Plain text after a rule." in ruled[0].text
