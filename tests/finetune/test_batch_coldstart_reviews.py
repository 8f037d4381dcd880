from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from shopfloor.assistant.demo.plan import DATA_DIR
from shopfloor.errors import InputError
from shopfloor.finetune import Classifier, ColdStartClassifier, TextClassifier, add_review, classify_file, reviewed_rows


@pytest.fixture(scope="module")
def clf(fm_dir: Path) -> Classifier:
    return Classifier.load(fm_dir)


def test_csv_streams_in_chunks_and_keeps_every_row(clf, tmp_path: Path):
    src = tmp_path / "in.csv"
    df = pd.DataFrame({"id": range(23), "text": ["belt slipping under load"] * 20 + ["", "hyd oil lkg", None],
                       "label": ["old"] * 23})
    df.to_csv(src, index=False)
    before = src.read_bytes()
    flagged, done = [], []
    s = classify_file(clf, src, "text", chunk_rows=7, progress=False, on_flagged=flagged.extend, on_rows=done.append)
    out = pd.read_csv(s["output"])
    assert done == [7, 14, 21, 23]  # progress after every chunk
    assert len(flagged) == s["needs_review"] == int(out["needs_review"].sum())  # the queue is fed from memory
    assert ("", out.loc[20, "label_pred"], out.loc[20, "confidence"]) in [(t, lab, round(c, 4)) for t, lab, c in flagged]
    assert s["rows"] == 23 and len(out) == 23 and src.read_bytes() == before
    assert list(out["id"]) == list(range(23)) and (out["label"] == "old").all()  # input columns untouched
    assert {"label_pred", "confidence", "needs_review", "alt1_label", "alt2_confidence"} <= set(out.columns)
    assert out.loc[0, "label_pred"] == "belt_slip" and out.loc[20, "needs_review"]
    assert s["label_counts"]["belt_slip"] >= 20


def test_xlsx_in_and_out(clf, tmp_path: Path):
    src = tmp_path / "in.xlsx"
    pd.DataFrame({"descr": ["thermocouple loose zone 3 overtemp", "pump seal dripping"]}).to_excel(src, index=False)
    s = classify_file(clf, src, "descr", progress=False)
    assert s["output"].endswith("in.classified.xlsx")
    assert len(pd.read_excel(s["output"])) == 2


def test_plant_csvs_semicolons_tabs_cp1252_and_xlsx_sheets(clf, tmp_path: Path):
    """What plants export: Excel's semicolon CSV in Windows-1252, tab-separated files, a workbook of several sheets."""
    semi = tmp_path / "reklamationen.csv"
    semi.write_bytes('Nr;Beschreibung\n1;Dichtung undicht, Öl tropft am Gehäuse\n2;"belt slipping; squeal"\n'
                     .encode("cp1252"))
    s = classify_file(clf, semi, "Beschreibung", progress=False)
    assert s["rows"] == 2 and any("Windows-1252" in n for n in s["notes"]) and any("semicolon" in n for n in s["notes"])
    out = pd.read_csv(s["output"])
    assert out["Beschreibung"][0] == "Dichtung undicht, Öl tropft am Gehäuse"  # the umlauts survive
    tab = tmp_path / "logs.csv"
    tab.write_text("id\ttext\n1\thyd oil lkg at clamp\n2\tbelt slipping\n", encoding="utf-8")
    assert classify_file(clf, tab, "text", progress=False)["rows"] == 2
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as w:
        pd.DataFrame({"x": [1]}).to_excel(w, sheet_name="cover", index=False)
        pd.DataFrame({"text": ["pump seal dripping", "belt slipping", "oil on floor"]}).to_excel(w, sheet_name="logs",
                                                                                                  index=False)
    s = classify_file(clf, book, "text", sheet="logs", progress=False)
    assert s["rows"] == 3 and "sheet 'logs'" in s["notes"][0]
    with pytest.raises(InputError, match=r"no sheet 'nope'; sheets are \['cover', 'logs'\]"):
        classify_file(clf, book, "text", sheet="nope", progress=False)


def test_bad_inputs(clf, tmp_path: Path):
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="is the input file"):
        classify_file(clf, src, "a", output=src, progress=False)
    with pytest.raises(InputError, match=r"column\(s\) \['text'\] not found"):
        classify_file(clf, src, "text", progress=False)
    with pytest.raises(InputError, match="file not found"):
        classify_file(clf, tmp_path / "none.csv", "text", progress=False)


def test_cold_start_flags_everything(embedder):
    cs = ColdStartClassifier.from_yaml(DATA_DIR / "taxonomy.yaml", "failure_mode")
    preds = cs.predict(["hydraulic oil leaking from the hose fitting", "belt slipping on the pulley"])
    assert [p.label for p in preds] == ["hydraulic_leak", "belt_slip"]
    assert all(p.needs_review and "cold start" in p.reason for p in preds)
    with pytest.raises(InputError, match="no task 'colour'"):
        ColdStartClassifier.from_yaml(DATA_DIR / "taxonomy.yaml", "colour")


def test_reviews_latest_wins_and_are_audited(workspace):
    with workspace.connect() as conn:
        add_review(conn, "failure_mode", "brg nse", "seal_leak", "bearing_wear", "ana")
        add_review(conn, "failure_mode", "brg nse", "seal_leak", "vibration_imbalance", "ben")
        add_review(conn, "component", "brg nse", None, "bearing", "ana")
        assert reviewed_rows(conn, "failure_mode") == [("brg nse", "vibration_imbalance")]
        assert conn.execute("SELECT count(*) FROM audit WHERE action = 'review'").fetchone()[0] == 3
        with pytest.raises(ValueError, match="non-empty label"):
            add_review(conn, "failure_mode", "x", None, " ", "ana")


def test_every_classifier_kind_satisfies_the_protocol(clf):
    cold = ColdStartClassifier({"leak": "fluid escaping", "noise": "unusual sound"}, "t")
    assert isinstance(clf, TextClassifier) and isinstance(cold, TextClassifier)
