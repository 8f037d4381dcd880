"""Failure and RUL models on the demo streams (fast); the real-data figures are in the slow tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shopfloor.assistant.demo.plan import DATA_DIR
from shopfloor.errors import InputError, NotBuiltError
from shopfloor.sensors import FailureModel, RulModel
from shopfloor.sensors.failure import evaluate as eval_failure
from shopfloor.sensors.features import FEATURES, PHYSICAL, features
from shopfloor.sensors.rul import evaluate as eval_rul
from shopfloor.sensors.rul import grouped_split, nasa_score, read_cmapss

PROCESS = DATA_DIR / "sensors" / "process.csv"


@pytest.fixture(scope="module")
def failure_model() -> FailureModel:
    return FailureModel.train(PROCESS, seed=1)


def test_features_are_physical_and_never_the_flags():
    df = pd.read_csv(PROCESS).head(3)
    f = features(df)
    assert list(f.columns) == FEATURES and not {"TWF", "HDF", "PWF", "OSF", "RNF"} & set(f.columns)
    row = df.iloc[0]
    assert f["power_w"].iloc[0] == pytest.approx(row["Torque [Nm]"] * row["Rotational speed [rpm]"] * 2 * np.pi / 60)
    with pytest.raises(InputError, match="lacks column"):
        features(df.drop(columns=["Torque [Nm]"]))


def test_failure_model_learns_the_rules_and_roundtrips(failure_model: FailureModel, tmp_path: Path):
    m = eval_failure(failure_model, PROCESS)  # in-sample: a sanity check, not a benchmark
    assert m["roc_auc"] > 0.9 and set(m["per_type_f1"]) <= {"TWF", "HDF", "PWF", "OSF", "RNF"}
    again = FailureModel.load(failure_model.save(tmp_path / "f"))
    df = pd.read_csv(PROCESS).head(20)
    assert [r["failure_probability"] for r in again.predict(df)] == [r["failure_probability"]
                                                                     for r in failure_model.predict(df)]


def test_explanation_names_the_cause(failure_model: FailureModel):
    df = pd.read_csv(PROCESS)
    hdf = df[(df["HDF"] == 1) & (df[["OSF", "PWF", "TWF"]].sum(axis=1) == 0)].head(1)
    top = failure_model.explain(hdf)
    # heat dissipation: too small a temperature difference at low speed; named by the measured inputs
    assert {"Process temperature [K]", "Air temperature [K]", "Rotational speed [rpm]"} & {e["feature"] for e in top[:2]}
    assert all(e["contribution"] > 0 and "typical" in e for e in top)
    # two causes at once (overstrain and heat): no single input explains machine failure, each type's model does
    both = df[(df["HDF"] == 1) & (df["OSF"] == 1)].head(1)
    assert {"Torque [Nm]", "Tool wear [min]"} & {e["feature"] for e in failure_model.explain(both, failure_type="OSF")}
    assert {"Process temperature [K]", "Air temperature [K]", "Rotational speed [rpm]"} & {
        e["feature"] for e in failure_model.explain(both, failure_type="heat dissipation")}
    with pytest.raises(InputError, match="no model for failure type"):
        failure_model.explain(both, failure_type="melting")


def test_limit_margins_are_features_and_old_models_still_load(failure_model: FailureModel, tmp_path: Path):
    df = pd.DataFrame({"Type": ["L", "H"], "Air temperature [K]": [300.0, 300.0],
                       "Process temperature [K]": [308.0, 311.0], "Rotational speed [rpm]": [1300, 1500],
                       "Torque [Nm]": [60.0, 40.0], "Tool wear [min]": [200, 100]})
    f = features(df)
    # L: 200 min x 60 Nm = 12,000 > 11,000 -> over the strain limit; H: 4,000 < 13,000
    assert f["strain_margin"].tolist() == [1000.0, -9000.0] and f["over_strain"].tolist() == [1.0, 0.0]
    assert f["poor_cooling"].tolist() == [1.0, 0.0]  # 8 K at 1,300 rpm; 11 K at 1,500 rpm
    assert set(PHYSICAL) < set(FEATURES) and list(features(df, columns=PHYSICAL).columns) == PHYSICAL
    assert json.loads((failure_model.save(tmp_path / "new") / "config.json").read_text())["features"] == FEATURES


def test_a_model_saved_before_the_margins_still_predicts(tmp_path: Path):
    folder = FailureModel.train(PROCESS, seed=1, columns=PHYSICAL).save(tmp_path / "old")  # what older versions used
    cfg = json.loads((folder / "config.json").read_text())
    assert 0 < cfg["cv_f1"] <= 1
    old = FailureModel.load(folder)
    assert old.columns == PHYSICAL
    p = old.predict(pd.read_csv(PROCESS).head(5))
    assert all(0 <= r["failure_probability"] <= 1 for r in p)


def test_rul_model_on_demo_fleet(tmp_path: Path):
    df = read_cmapss(DATA_DIR / "sensors" / "degradation_train.txt")
    train, test, truth = grouped_split(df, 0.25, seed=3)
    model = RulModel.train(train)
    m = eval_rul(model, test, truth)
    assert m["n_units"] == 10 and m["rmse"] < 40
    assert RulModel.load(model.save(tmp_path / "r")).predict_last(test) == model.predict_last(test)


def test_nasa_score_penalises_late_more_than_early():
    assert nasa_score([50], [60]) > nasa_score([50], [40]) > 0
    assert nasa_score([50], [50]) == 0


def test_missing_models_and_bad_files(tmp_path: Path):
    with pytest.raises(NotBuiltError, match="sensor train --task failure"):
        FailureModel.load(tmp_path)
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2 3\n")
    with pytest.raises(InputError, match="expected 26 space-separated columns"):
        read_cmapss(bad)


def test_missing_or_implausible_inputs_are_unknown_not_a_probability(failure_model):
    import pandas as pd

    row = {"Type": "L", "Air temperature [K]": 301.0, "Process temperature [K]": 310.5, "Rotational speed [rpm]": 1400,
           "Torque [Nm]": 62.0, "Tool wear [min]": 210}
    ok = failure_model.predict(pd.DataFrame([row]))[0]
    assert ok["failure_probability"] is not None and ok["unknown"] == []
    no_torque = failure_model.predict(pd.DataFrame([{k: v for k, v in row.items() if k != "Torque [Nm]"}]))[0]
    assert no_torque["failure_probability"] is None and no_torque["unknown"] == ["Torque [Nm] missing"]
    celsius = failure_model.predict(pd.DataFrame([{**row, "Air temperature [K]": 27.9, "Torque [Nm]": "n/a"}]))[0]
    assert celsius["failure_probability"] is None
    assert any("°C given" in u for u in celsius["unknown"]) and "Torque [Nm] missing" in celsius["unknown"]


def test_no_tool_wear_for_a_machine_without_a_cutting_tool(failure_model: FailureModel):
    from shopfloor.sensors.failure import applicable_types

    assert "tool wear" not in applicable_types("centrifugal pump")
    assert "tool wear" in applicable_types("CNC mill") and "tool wear" in applicable_types(None)
    assert applicable_types("unregistered") == applicable_types(None)  # unknown type: nothing ruled out
    df = pd.read_csv(PROCESS)
    worn = df[df["TWF"] == 1].head(3)
    for_mill = failure_model.predict(worn, machine_type="CNC mill")
    for_pump = failure_model.predict(worn, machine_type="centrifugal pump")
    assert all("tool wear" not in r["failure_type_probs"] and r["failure_type"] != "tool wear" for r in for_pump)
    assert [r["failure_probability"] for r in for_mill] == [r["failure_probability"] for r in for_pump]
