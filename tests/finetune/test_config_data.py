from __future__ import annotations

from pathlib import Path

import pytest

from shopfloor.errors import InputError
from shopfloor.finetune.config import TrainConfig
from shopfloor.finetune.data import class_weights, load_labelled, stratified_split


@pytest.mark.parametrize("kw, msg", [({"epochs": 0}, "epochs must be >= 1"), ({"lr": 2.0}, "lr must be in"),
                                     ({"calib_fraction": 0.7}, "calib_fraction"), ({"pooling": "max"}, "pooling must be"),
                                     ({"class_weighting": "focal"}, "class_weighting")])
def test_config_rejects_bad_values(kw, msg):
    with pytest.raises(ValueError, match=msg):
        TrainConfig(**kw)


def test_stratified_split_keeps_rare_classes_in_training():
    labels = ["a"] * 20 + ["b"] * 10 + ["c"] * 2 + ["d"]
    train, held = stratified_split(labels, 0.2, seed=1)
    assert sorted(train + held) == list(range(len(labels)))
    assert {labels[i] for i in held} == {"a", "b"} and sum(labels[i] == "a" for i in held) == 4
    assert {"c", "d"} <= {labels[i] for i in train}


def test_class_weights_favour_rare_classes():
    labels = ["a"] * 90 + ["b"] * 10
    wa, wb = class_weights(labels, ["a", "b"], "sqrt_inverse")
    assert wb / wa == pytest.approx(3.0)
    assert class_weights(labels, ["a", "b"], "none") == [1.0, 1.0]


def test_load_labelled_drops_empty_rows_and_names_missing_columns(tmp_path: Path):
    f = tmp_path / "d.csv"
    f.write_text("text,label\nbrg noise,bearing\n,seal\nleak,\n  ok  , x \n")
    assert load_labelled([f], "text", "label") == (["brg noise", "ok"], ["bearing", "x"])
    with pytest.raises(InputError, match=r"column\(s\) \['descr'\] not found; columns are \['text', 'label'\]"):
        load_labelled([f], "descr", "label")
    with pytest.raises(InputError, match="file not found"):
        load_labelled([tmp_path / "nope.csv"], "text", "label")
