"""Issue 23 (slice): exports that cannot execute, ids that cannot crash the server."""

from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient

from shopfloor.tables import safe_cell, safe_frame


@pytest.mark.parametrize(("cell", "shown"), [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"), ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1+cmd", "'+1+cmd"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1+1", "'\t=1+1"), ("\r=1", "'\r=1"),
    ("-5", "-5"), ("+3.2", "+3.2"), ("belt slipping", "belt slipping"), (12.5, 12.5), (None, None),
])
def test_cells_a_spreadsheet_would_run_are_written_as_text(cell, shown):
    assert safe_cell(cell) == shown


def test_frames_keep_numbers_as_numbers():
    import pandas as pd

    df = safe_frame(pd.DataFrame({"text": ["=1+1", "ok"], "confidence": [0.5, 0.9]}))
    assert df["text"].tolist() == ["'=1+1", "ok"] and df["confidence"].dtype.kind == "f"


def test_classify_file_writes_formulas_as_text(writable_assistant, tmp_path):
    src = tmp_path / "c.csv"
    src.write_text('text\n"=HYPERLINK(""http://evil"",""click"") label wrong on box"\nbox crushed in transit\n')
    out = tmp_path / "out.csv"
    writable_assistant.texts.classify_file(src, "text", "complaint_category", out)  # it stores rows: a private copy
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["text"].startswith("'=HYPERLINK") and rows[1]["text"] == "box crushed in transit"
    assert float(rows[0]["confidence"]) >= 0  # numbers are still numbers


@pytest.mark.parametrize("path", ["/api/alarms/18446744073709551616/acknowledge", "/api/alarms/0/acknowledge"])
def test_ids_past_sqlite_range_are_404_not_500(writable_assistant, path):
    from shopfloor.assistant.api.app import create_app

    c = TestClient(create_app(writable_assistant, ui=False), base_url="http://127.0.0.1")
    r = c.post(path, json={"note": "x"})
    assert r.status_code == 404 and "no alarm" in r.json()["detail"]


def test_facade_refuses_huge_ids_for_reviews_and_photos(writable_assistant):
    from shopfloor.errors import NotFoundError

    a = writable_assistant
    for call in (lambda: a.reviews.correct(None, 2 ** 64, "damage"),
                 lambda: a.reviews.correct("inspection", 2 ** 63, "scratch"),
                 lambda: a.reviews.item("inspection", -1), lambda: a.machines.acknowledge("nine")):
        with pytest.raises(NotFoundError, match="^no "):
            call()


def test_ragged_csv_rows_are_refused_with_their_line_numbers(assistant, tmp_path):
    from shopfloor.errors import InputError

    src = tmp_path / "c.csv"
    src.write_text('id,text\n1,belt slipping\n2,label wrong, box crushed\n\n3,"quoted, fine"\n4,too,many,cells\n')
    with pytest.raises(InputError, match=r"header has 2 columns but line\(s\) 3 \(3\), 6 \(4\) do not.*Nothing was"):
        assistant.texts.classify_file(src, "text", "complaint_category", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
