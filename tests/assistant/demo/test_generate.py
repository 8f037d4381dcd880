"""The demo generator: deterministic, matches the committed files, every file has its schema."""

from __future__ import annotations

import csv
import filecmp
from pathlib import Path

import pytest
import yaml

from shopfloor.assistant.demo import generate
from shopfloor.assistant.demo._text import shorthand, typo

DATA = generate.DEFAULT_OUT


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    return generate.generate(tmp_path_factory.mktemp("demo"), seed=7)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_committed_data_is_what_the_generator_writes(fresh: Path):
    files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert len(files) == 16
    mismatch = [str(f) for f in files if not filecmp.cmp(fresh / f, DATA / f, shallow=False)]
    assert mismatch == [], "rerun: python -m shopfloor.assistant.demo.generate"


def test_other_seed_gives_other_data(tmp_path: Path, fresh: Path):
    other = generate.generate(tmp_path, seed=8)
    assert (other / "logs_train.csv").read_bytes() != (fresh / "logs_train.csv").read_bytes()


def test_logs_use_the_taxonomy_and_cover_every_mode():
    tax = yaml.safe_load((DATA / "taxonomy.yaml").read_text())
    rows = _rows(DATA / "logs_train.csv") + _rows(DATA / "logs_dev.csv")
    assert len(rows) >= 600
    assert {r["failure_mode"] for r in rows} == set(tax["failure_mode"])
    assert {r["component"] for r in rows} <= set(tax["component"])
    assert {r["severity"] for r in rows} == set(tax["severity"])
    assert all(r["text"].strip() for r in rows)


def test_incidents_and_complaints_schema():
    inc = _rows(DATA / "incidents.csv")
    assert len(inc) >= 300 and len({r["incident_id"] for r in inc}) == len(inc)
    assert {r["machine_id"] for r in inc} == {r["machine_id"] for r in _rows(DATA / "machines.csv")}
    assert all(float(r["downtime_h"]) > 0 for r in inc)
    comp = _rows(DATA / "complaints.csv")
    assert len(comp) >= 300 and len({r["category"] for r in comp}) == 6


def test_manuals_have_troubleshooting_tables():
    for m in _rows(DATA / "machines.csv"):
        text = (DATA / m["manual"]).read_text()
        assert "## Troubleshooting" in text and "| Symptom | Possible cause | Remedy |" in text, m["machine_id"]


def test_process_readings_follow_the_ai4i_rules():
    rows = _rows(DATA / "sensors" / "process.csv")
    assert len(rows) == 6 * generate.N_READINGS
    for r in rows:
        flags = [int(r[k]) for k in ("TWF", "HDF", "PWF", "OSF", "RNF")]
        assert int(r["Machine failure"]) == int(any(flags))
        diff = float(r["Process temperature [K]"]) - float(r["Air temperature [K]"])
        if int(r["HDF"]):  # heat dissipation failure only when the difference is small and speed low
            assert diff < 8.6 + 0.11 and float(r["Rotational speed [rpm]"]) < 1380
    rate = sum(int(r["Machine failure"]) for r in rows) / len(rows)
    assert 0.02 < rate < 0.12


def test_degradation_files_have_cmapss_shape():
    train = (DATA / "sensors" / "degradation_train.txt").read_text().splitlines()
    assert all(len(line.split()) == 26 for line in train)
    units = {int(line.split()[0]) for line in train}
    assert units == set(range(1, generate.N_TRAIN_UNITS + 1))
    truth = (DATA / "sensors" / "degradation_test_RUL.txt").read_text().split()
    test_units = {int(line.split()[0]) for line in (DATA / "sensors" / "degradation_test.txt").read_text().splitlines()}
    assert len(truth) == len(test_units) == 6 and all(int(t) > 0 for t in truth)


def test_shorthand_is_seeded_and_abbreviates():
    import random

    a = shorthand("bearing noise on motor pump running hot", random.Random(1), p_abbrev=1.0, p_typo=0.0)
    assert "brg" in a and "mtr" in a
    assert typo("temperature", random.Random(3)) != "temperature"
