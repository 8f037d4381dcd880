"""An 8D report draft from a plant's complaint export: the problem from its rows, the rest from its cited
documents, an honest gap where the documents say nothing; exports of the (edited) text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import CLI

cli = CLI()  # the shared in-process runner
PUMP = """# Pump P-101 manual

## Troubleshooting

| Symptom | Possible cause | Remedy |
|---|---|---|
| Crackling noise and low flow (cavitation) | Suction strainer clogged | Clean strainer ST-2 and open the suction valve |
| Rumbling noise from the bearing housing | Bearing worn | Replace bearings PB-6308 |
"""


@pytest.fixture(scope="module")
def plant(tmp_path_factory, embedder):
    import os

    root = tmp_path_factory.mktemp("r8d")
    (root / "docs").mkdir()
    (root / "docs" / "P-101.md").write_text(PUMP)
    rows = [("date", "label", "text")]
    for month in range(1, 7):
        rows += [(f"2026-{month:02d}-{d:02d}", "bearing noise", f"pump rumbling from the bearing housing #{d}")
                 for d in range(1, 3)]
        rows += [(f"2026-{month:02d}-{d:02d}", "leak", f"seal dripping at the gland #{d}") for d in range(3, 9)]
    rows += [("2026-06-20", "cavitation", f"crackling noise and low flow at the pump, case {i}") for i in range(7)]
    rows += [("2026-06-21", "cavitation", "cavitation again after the filter change")]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (root / "complaints.csv").write_text(buf.getvalue())
    os.environ["SHOPFLOOR_WORKSPACE"] = str(root / "ws")
    try:
        cli("index", "build", "--docs", str(root / "docs"), "--approved", "--json")
        yield root
    finally:
        os.environ.pop("SHOPFLOOR_WORKSPACE", None)


def _report(plant: Path, label: str, *extra: str) -> dict:
    return cli.json("report", "--data", str(plant / "complaints.csv"), "--date-col", "date", "--label-col", "label",
                    "--text-col", "text", "--label", label, "--json", *extra)


def test_the_draft_states_the_problem_and_quotes_the_cited_fix(plant):
    rep = _report(plant, "cavitation")
    sections = {s["key"]: s["lines"] for s in rep["sections"]}
    assert rep["period"] == "2026-06" and sections["D2"][0].startswith("8 of 16 rows in 2026-06 are cavitation (50%)")
    assert "crackling" in rep["words"]
    assert any("Clean strainer ST-2" in line and line.endswith("[1].") for line in sections["D3"])
    assert any("Suction strainer clogged" in line for line in sections["D4"])
    assert rep["sources"][0]["citation"].startswith("P-101.md")
    assert sections["D1"] == ["(for the team to fill in)"]


def test_a_label_the_documents_never_mention_gets_no_borrowed_causes(plant):
    rep = _report(plant, "leak")
    sections = {s["key"]: s["lines"] for s in rep["sections"]}
    assert rep["sources"] == [] and "passed the relevance check" in sections["D4"][0]
    assert any("mentions" in n for n in rep["notes"])


@pytest.mark.parametrize("suffix", [".md", ".docx", ".pdf"])
def test_exports(plant, tmp_path, suffix):
    out = tmp_path / f"8d{suffix}"
    _report(plant, "cavitation", "--out", str(out))
    data = out.read_bytes()
    if suffix == ".docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(str(out)).paragraphs)
        assert "D4 Root-cause candidates" in text and "Clean strainer ST-2" in text
    elif suffix == ".pdf":
        assert data.startswith(b"%PDF") and len(data) > 1500
    else:
        assert data.decode().startswith("# 8D report (draft): cavitation, 2026-06")


def test_chinese_text_reaches_the_pdf():
    from shopfloor.assistant.pipeline.exports import to_pdf

    assert to_pdf("# 8D 报告\n\n## D2 问题描述\n\n- 液压泵噪音大 [data].\n").startswith(b"%PDF")


def _opened(plant: Path, label: str, *extra: str):
    return cli("trends", "--data", str(plant / "complaints.csv"), "--date-col", "date", "--label-col", "label",
               "--text-col", "text", "--label", label, "--json", *extra, code=None)


def test_a_point_of_the_trend_opens_to_its_rows_and_the_cited_fix(plant):
    r = _opened(plant, "cavitation")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["period"], out["count"], out["total"], out["earlier"]) == ("2026-06", 8, 16, 0)
    assert out["rows"][0]["date"].startswith("2026-06-21") and "cavitation again" in out["rows"][0]["text"]
    assert out["rows"][0]["ref"] == "row 57" and "crackling" in out["words"]
    assert "Clean strainer ST-2" in out["causes"][0]["text"] and out["causes"][0]["citation"].startswith("P-101.md")
    march = json.loads(_opened(plant, "leak", "--at", "2026-03").stdout)  # an earlier point of another label
    assert (march["count"], march["total"], march["earlier"], len(march["periods"])) == (6, 8, 12, 6)
    assert march["causes"] == [] and "nothing is quoted" in march["notes"][0]
    bad = _opened(plant, "leak", "--at", "2025-01")
    assert bad.exit_code != 0 and "leak has rows in: 2026-01" in str(bad.exception)


def test_who_opens_a_point_sees_texts_and_work_orders_only_from_the_technician_up(writable_assistant):
    from shopfloor.assistant.pipeline.workorders import WorkOrder, store
    from shopfloor.assistant.policy import Role, User

    a = writable_assistant
    with a.ws.connect() as conn:
        conn.executemany("INSERT INTO classifications (created_at, task, text, label) VALUES (?, 'complaints', ?, ?)",
                         [(f"2026-{m:02d}-05 10:00:00", f"door hinge squeaks, case {m}-{i}", "door_hinge")
                          for m in range(1, 4) for i in range(m)])
    store(a.ws, WorkOrder(description="hinge worn on line 2", failure_mode="door_hinge", created_by="t"), "diagnosis")
    seen = a.quality.label_rows("complaints", "door_hinge", user=User("v", Role.viewer))
    assert (seen.period, seen.count, seen.earlier, seen.periods) == ("2026-03", 3, 3, ["2026-01", "2026-02", "2026-03"])
    assert seen.work_orders == [] and seen.rows == [] and "texts need the technician role" in seen.notes[-1]
    tech = a.quality.label_rows("complaints", "door_hinge", "month", "2026-02", user=User("t", Role.technician))
    assert tech.count == 2 and [w.description for w in tech.work_orders] == ["hinge worn on line 2"]
    assert [r.ref.split(" #")[0] for r in tech.rows] == ["classification"] * 2 and "case 2-" in tech.rows[0].text


def test_inspected_photos_and_work_orders_are_trend_sources_too(writable_assistant):
    from shopfloor.assistant.pipeline.workorders import WorkOrder, store
    from shopfloor.assistant.policy import Role, User

    a = writable_assistant
    assert a.quality.sources()[-2:] == ["inspection", "workorders"]
    with a.ws.connect() as conn:
        conn.executemany("INSERT INTO inspections (sha256, image, stored, label, created_at) "
                         "VALUES (?, ?, '/x.png', 'scratch', ?)",
                         [(f"probe{i}", f"part{i}.png", f"2026-0{m}-10 08:00:00") for i, m in enumerate([1, 2, 3, 3])])
        first = conn.execute("SELECT id FROM inspections WHERE sha256 = 'probe0'").fetchone()[0]
        conn.execute("INSERT INTO reviews (inspection_id, task, text, predicted, label, user) "
                     "VALUES (?, 'inspection', 'part0.png', 'scratch', 'dent', 'eng')", (first,))  # corrected
    tech = User("t", Role.technician)
    out = a.quality.label_rows("inspection", "scratch", "month", "2026-03", user=tech)
    assert (out.count, out.earlier) == (2, 1) and out.rows[0].ref.startswith("inspection #")
    assert a.quality.trends("inspection").periods[:3] == ["2026-01", "2026-02", "2026-03"]
    for log in ("belt slips on the drive pulley", "belt slipping again"):
        store(a.ws, WorkOrder(description=log, failure_mode="belt_slip", created_by="t"), "diagnosis")
    orders = a.quality.label_rows("workorders", "belt_slip", user=tech)
    assert orders.count == 2 and {r.text for r in orders.rows} == {"belt slips on the drive pulley",
                                                                     "belt slipping again"}


def test_the_contract_form_report_8d_writes_a_docx_with_d1_to_d8(plant, tmp_path):
    import docx

    out = tmp_path / "8d.docx"
    # no --text-col: the column with the longest texts
    cli("report", "8d", "--data", str(plant / "complaints.csv"), "--date-col", "date", "--label-col", "label",
        "--label", "cavitation", "--out", str(out), "--json")
    heads = [p.text for p in docx.Document(str(out)).paragraphs if p.style.name.startswith("Heading")]
    assert [h.split()[0] for h in heads if h.startswith("D")] == ["D1", "D2", "D3", "D4", "D5/D6", "D7", "D8"]
    body = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "8 of 16 rows in 2026-06 are cavitation" in body and "First in 2026-06: 2026-06-20; last: 2026-06-21" in body
    since = cli.json("report", "8d", "--data", str(plant / "complaints.csv"), "--date-col", "date", "--label-col",
                     "label", "--label", "leak", "--since", "2026-03-01", "--json")
    d2 = next(s["lines"] for s in since["sections"] if s["key"] == "D2")
    assert since["period"] == "since 2026-03-01"
    assert d2[0] == "24 of 40 rows since 2026-03-01 are leak (60%); before 2026-03-01: 12 of 16 (75%) [data]."
    bad = cli("report", "8d", "--data", str(plant / "complaints.csv"), "--date-col", "date", "--label-col", "label",
              "--label", "leak", "--since", "soon", code=None)
    assert bad.exit_code != 0 and "not a date" in str(bad.exception)
