from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shopfloor.errors import InputError, NotBuiltError
from shopfloor.finetune import Classifier, evaluate, load_tasks

from .conftest import DEV


def test_artifacts_written(fm_dir: Path):
    names = {p.name for p in fm_dir.iterdir()}
    assert {"adapter", "head.safetensors", "classifier.json", "train_config.json", "README.md"} <= names
    assert "checkpoints" not in names
    meta = json.loads((fm_dir / "classifier.json").read_text())
    assert meta["task"] == "failure_mode" and len(meta["labels"]) == 12 and 0.25 <= meta["temperature"] <= 10


def test_reload_is_identical_and_head_is_trained(fm_dir: Path):
    texts = ["P-101 brg nse rumbling", "oil on floor under clamp unit", "belt slipping drive pulley squeals", ""]
    a, b = Classifier.load(fm_dir), Classifier.load(fm_dir)
    np.testing.assert_array_equal(a.probabilities(texts), b.probabilities(texts))
    m = evaluate(a, DEV, "text", "failure_mode")  # a head reloaded with random weights would score ~1/12
    assert m["accuracy"] > 0.6 and m["n"] > 100


def test_prediction_fields_and_empty_text(fm_dir: Path):
    preds = Classifier.load(fm_dir).predict(["IM-301 oil on the floor under clamp unit clamp press low", "   "])
    assert preds[0].label == "hydraulic_leak" and len(preds[0].alternatives) == 2
    assert preds[0].confidence >= preds[0].alternatives[0][1] >= preds[0].alternatives[1][1]
    assert preds[1].needs_review and preds[1].reason == "empty text"


def test_multitask_shares_one_base_and_matches_single_task(tasks_root: Path):
    mt = load_tasks(tasks_root)
    assert sorted(mt.tasks) == ["component", "failure_mode"]
    texts = ["replace spindle cartridge noise at high rpm", "photo-eye dirty jam at transfer"]
    for task in mt.tasks:
        single = Classifier.load(tasks_root / task).probabilities(texts)
        np.testing.assert_allclose(mt.probabilities(texts, task), single, atol=1e-5)
    with pytest.raises(InputError, match="unknown task 'colour'"):
        mt.predict(texts, "colour")


def test_missing_model_says_how_to_train(tmp_path: Path):
    with pytest.raises(NotBuiltError, match="shopfloor classify train"):
        Classifier.load(tmp_path)


def test_unseen_labels_count_as_errors(fm_dir: Path, tmp_path: Path):
    f = tmp_path / "eval.csv"
    f.write_text("text,label\nhyd hose leaking oil,hydraulic_leak\nweird new thing,alien_label\n")
    m = evaluate(Classifier.load(fm_dir), f, "text", "label")
    assert m["n"] == 2 and m["unseen_label_rows"] == 1 and m["accuracy"] <= 0.5


def test_interrupted_training_resumes(tmp_path: Path, monkeypatch, caplog, embedder):
    import logging

    import shopfloor.finetune.trainer as tm
    from shopfloor.finetune import TrainConfig, train

    from .conftest import LOGS

    real = tm._checkpoint

    def crash_after_first(acc, ckpt, epochs_done):
        real(acc, ckpt, epochs_done)
        raise KeyboardInterrupt

    cfg = TrainConfig(text_col="text", label_col="failure_mode", out=tmp_path / "m", epochs=2, max_rows=80)
    monkeypatch.setattr(tm, "_checkpoint", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        train(cfg, LOGS, progress=False)
    assert json.loads((tmp_path / "m" / "checkpoints" / "progress.json").read_text()) == {"epochs_done": 1}
    monkeypatch.setattr(tm, "_checkpoint", real)
    with caplog.at_level(logging.INFO, logger="shopfloor.finetune.trainer"):
        train(cfg, LOGS, progress=False)
    assert "resuming after epoch 1" in caplog.text
    assert (tmp_path / "m" / "classifier.json").exists() and not (tmp_path / "m" / "checkpoints").exists()
