"""Tables by meaning: column roles, table kinds, merged cells, and questions answered by filtering rows."""

from __future__ import annotations

import csv

import pytest

from shopfloor.index.tablequery import Table, TableRow, answer_table_question
from shopfloor.index.tables import fill_down, map_columns, table_kind


@pytest.mark.parametrize(("headers", "kind"), [
    (["TROUBLE", "PROBABLE CAUSE", "REMEDY"], "troubleshooting"),
    (["Symptom", "Possible cause", "Remedy"], "troubleshooting"),
    (["Fault description", "Root cause", "Corrective action"], "troubleshooting"),
    (["Code", "Meaning", "First action"], "troubleshooting"),
    (["Subsystem", "Component", "Potential Failure Mode", "Potential Effect(s) of Failure", "Severity",
      "Potential Cause(s) of Failure", "Occurrence", "Current Controls", "Detection", "RPN", "Recommended Action"],
     "fmea"),
    (["incident_id", "date", "machine_id", "text", "failure_mode", "action", "downtime_h"], "incident"),
    (["OriginalShorttext", "MajorSystem", "Part", "Action", "FM", "Cost"], "incident"),
    (["Interval", "Task"], "records"),
])
def test_kind_from_header_meaning_not_spelling(headers, kind):
    assert table_kind(map_columns(headers)) == kind


def test_roles_from_content_and_overrides():
    rows = [{"when": "2024-03-01", "what": "hydraulic hose burst on boom cylinder, replaced hose and topped up oil",
             "x": "1"}, {"when": "2024-03-09", "what": "engine overheating, radiator fins blocked with dust, cleaned",
                         "x": "2"}]
    roles = map_columns(["when", "what", "x"], rows)
    assert roles == {"when": "date", "what": "text"}
    assert map_columns(["when", "what", "x"], rows, {"x": "downtime", "what": "ignore"}) == \
        {"when": "date", "x": "downtime"}
    with pytest.raises(ValueError, match="unknown role 'colour'"):
        map_columns(["a"], None, {"a": "colour"})
    with pytest.raises(ValueError, match="does not have"):
        map_columns(["a"], None, {"b": "cause"})


def test_merged_cells_are_filled_down_in_grouping_columns_only():
    rows = [{"Subsystem": "Power Unit", "Component": "Fuel Tank", "Cause": "wear", "Action": "inspect"},
            {"Subsystem": "", "Component": "", "Cause": "impact", "Action": ""},
            {"Subsystem": "", "Component": "Fuel Filter", "Cause": "dirt", "Action": ""}]
    roles = map_columns(list(rows[0]))
    assert fill_down(rows, roles) == 3
    assert [r["Subsystem"] for r in rows] == ["Power Unit"] * 3
    assert [r["Component"] for r in rows] == ["Fuel Tank", "Fuel Tank", "Fuel Filter"]
    assert rows[1]["Action"] == ""  # a blank remedy is a blank remedy, not the row above's


@pytest.fixture(scope="module")
def fmea(shared_data) -> Table:
    path = shared_data / "manuals" / "haul_truck_fmea.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    roles = map_columns(list(rows[0]), rows)
    fill_down(rows, roles)
    return Table(path.name, roles, [TableRow(path.name, i, r, f"haul_truck_fmea row {i}")
                                    for i, r in enumerate(rows, start=1)], table_kind(roles, len(rows)))


def _rpn(r: TableRow) -> int:
    return int(r.columns["RPN"])


def test_numeric_conditions_are_exact(fmea):
    a = answer_table_question("What components have an RPN over 35?", [fmea])
    truth = [r.row for r in fmea.rows if r.columns["RPN"].strip() and _rpn(r) > 35]
    assert a.found and [r.row for r in a.rows] == truth[:25] and a.text.startswith(f"{len(truth)} rows")
    a = answer_table_question("failure modes with severity of 4 or more in the power unit", [fmea])
    truth = [r.row for r in fmea.rows if r.columns["Severity"].strip() and int(r.columns["Severity"]) >= 4
             and r.columns["Subsystem"] == "Power Unit"]
    assert a.text.startswith(f"{len(truth)} rows") and all(r.row in truth for r in a.rows)
    a = answer_table_question("list failure modes with RPN below 5", [fmea])
    assert a.rows and all(_rpn(r) < 5 for r in a.rows)


def test_absent_failure_mode_is_not_found_not_the_nearest_row(fmea):
    a = answer_table_question("What is the RPN of turbocharger surge?", [fmea])
    assert not a.found and "not found" in a.text and not a.rows
    a = answer_table_question("What is the RPN of a cracked fuel tank?", [fmea])
    assert a.found and all("Fuel Tank" in r.columns["Sub-Component"] for r in a.rows)


def test_counting_and_non_table_questions(fmea):
    a = answer_table_question("How many leaks are in the FMEA?", [fmea])
    truth = [r for r in fmea.rows if "leak" in r.columns["Potential Failure Mode"].lower()]
    assert a.text.startswith(f"{len(truth)} rows")
    assert answer_table_question("What causes cavitation on the pump?", [fmea]) is None


def test_a_row_is_read_by_its_roles_the_same_way_everywhere():
    from shopfloor.index.chunk import Chunk
    from shopfloor.index.tables import RowView

    cols = {"System": "Hydraulics", "Part": "Pump", "Sub-part": "Seal", "Failure Mode": "Leak", "Cause": "Worn lip",
            "SEV": "8", "RPN": " ", "Fix": "Replace seal"}
    roles = {"System": "subsystem", "Part": "component", "Sub-part": "component", "Failure Mode": "failure_mode",
             "Cause": "cause", "SEV": "severity", "RPN": "rpn", "Fix": "remedy"}
    chunk = Chunk("text", "fmea.csv", row=3, doc_type="fmea", metadata={"columns": cols, "roles": roles})
    row = chunk.table
    assert isinstance(row, RowView) and row.kind == "fmea"  # the chunk's doc type when the metadata names no kind
    assert row.get("component") == "Pump / Seal"  # two columns of one role
    assert row.head() == "Hydraulics / Pump / Seal: Leak"
    assert row.ratings() == {"SEV": "8"} and row.ratings_text() == "SEV 8"  # a blank rating is left out
    assert row.filled(("cause", "remedy", "effect")) == 2
    assert row.cells(("severity", "rpn"), exclude=True) == "Hydraulics Pump Seal Leak Worn lip Replace seal"
    assert Chunk("a paragraph", "manual.md").table is None  # prose has no row view
    assert RowView.of({"columns": cols, "roles": {}}) is None
