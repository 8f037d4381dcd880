"""The time budget, the linear ensemble members, the review memory, and what a trained folder holds now."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shopfloor.finetune.budget import MIN_STEPS, BucketBatches, auto_max_length, plan_steps


@pytest.mark.parametrize("epoch_s, budget, max_epochs, epochs, steps, limited", [
    (10.0, 600.0, 12, 12, 12 * 50, False),   # fits easily: the configured epochs
    (60.0, 300.0, 12, 5, 5 * 50, True),      # whole epochs that fit
    (600.0, 300.0, 12, 1, 25, True),         # not one epoch: the steps that fit (half of 50)
    (6000.0, 30.0, 12, 1, MIN_STEPS, True),  # hardly anything fits: still a minimum of steps
])
def test_plan_fits_the_budget(epoch_s, budget, max_epochs, epochs, steps, limited):
    p = plan_steps(epoch_s, 50, max_epochs, budget, budget, 64, 800)
    assert (p.epochs, p.steps, p.limited_by_budget) == (epochs, steps, limited)
    if steps > MIN_STEPS:
        assert p.estimated_s <= budget + 1e-6
    assert "budget" in p.describe() and f"{steps} steps" in p.describe()


def test_bucketed_batches_cover_every_row_once_and_pad_less():
    rng = np.random.default_rng(0)
    lengths = list(rng.integers(4, 120, 500))
    b = BucketBatches(lengths, 16, seed=1)
    epoch1, epoch2 = list(b), list(b)
    assert sorted(i for batch in epoch1 for i in batch) == list(range(500)) and len(epoch1) == len(b) == 32
    assert epoch1 != epoch2  # a new order each epoch
    random_batches = [list(range(s, min(s + 16, 500))) for s in range(0, 500, 16)]
    random_padded = sum(len(x) * max(lengths[i] for i in x) for x in random_batches)
    assert b.padded_tokens() < 0.7 * random_padded


def test_max_length_follows_the_data(embedder):
    tok = embedder.tokenizer
    short = ["hyd leak", "brg nse", "pump u/s"] * 30
    long = ["the tailgate latch " + "failed again and " * 60] * 100
    assert auto_max_length(tok, short) == 16
    assert auto_max_length(tok, long) > 100 and auto_max_length(tok, long) % 8 == 0
    assert auto_max_length(tok, long * 3) <= 256


def test_keyword_model_reads_misspellings_and_reloads_identically(tmp_path: Path):
    from shopfloor.finetune.linear import KeywordModel

    texts = ["hose burst on boom", "hyd hose split", "pump leaking oil", "oil leak at pump seal", "hose blown"]
    km = KeywordModel.fit(texts, [0, 0, 1, 1, 0], n_classes=3)
    p = km.probabilities(["hose brst", "pmp leakng"])
    assert p.shape == (2, 3) and list(p.argmax(1)) == [0, 1] and p[:, 2].max() < 1e-3  # absent class never wins
    km.save(tmp_path)
    np.testing.assert_allclose(KeywordModel.load(tmp_path).probabilities(["hose brst"]), p[:1], atol=1e-3)
    assert not any(f.suffix in (".pkl", ".pickle") for f in tmp_path.iterdir())


def test_review_memory_steers_near_texts_only():
    from shopfloor.finetune.ensemble import sentence_vectors
    from shopfloor.finetune.memory import ReviewMemory

    m = ReviewMemory()
    m.add(["conveyor belt slipping on the drive pulley"], ["belt_slip"], sentence_vectors(["conveyor belt slipping "
                                                                                         "on the drive pulley"]))
    queries = ["Conveyor belt slipping on the drive pulley", "the canteen coffee machine is out of milk"]
    probs = np.array([[0.9, 0.1], [0.9, 0.1]])
    out, labels, evidence = m.blend(probs, ["tool_wear", "leak"], sentence_vectors(queries))
    assert labels == ["tool_wear", "leak", "belt_slip"]
    assert labels[out[0].argmax()] == "belt_slip" and evidence[0][1] == "belt_slip"  # same text: the review wins
    assert labels[out[1].argmax()] == "tool_wear" and evidence[1] is None  # unrelated: untouched
    np.testing.assert_allclose(out.sum(1), 1.0)


def test_trained_folder_is_an_ensemble_with_its_plan(fm_dir: Path):
    meta = json.loads((fm_dir / "classifier.json").read_text())
    assert set(meta["members"]) == {"encoder", "keywords", "sentence"}
    assert abs(sum(meta["members"].values()) - 1) < 1e-9
    t = meta["training"]
    assert t["steps_done"] == t["steps"] > 0 and t["took_s"] > 0 and t["budget_s"] == 600.0
    assert meta["max_length"] == t["max_length"] and 16 <= meta["max_length"] <= 64  # short demo logs
    assert {"keywords.npz", "sentence_lr.npz", "domain.npz"} <= {p.name for p in fm_dir.iterdir()}


def test_members_and_the_ensemble_agree_with_the_saved_weights(fm_dir: Path):
    from shopfloor.calibration import softmax
    from shopfloor.finetune import Classifier
    from shopfloor.finetune.ensemble import as_logits, combine

    clf = Classifier.load(fm_dir)
    texts = ["P-101 brg nse rumbling", "oil on floor under clamp unit"]
    parts, _ = clf._rt.member_probabilities(texts, clf.task)
    expected = softmax(as_logits(combine(parts, clf._rt.weights[clf.task])), clf.meta["temperature"])
    np.testing.assert_allclose(clf.probabilities(texts), expected, atol=1e-6)


def test_a_tiny_budget_cuts_training_and_says_so(tmp_path: Path, embedder):
    from shopfloor.finetune import TrainConfig, train

    from .conftest import LOGS

    plans = []
    cfg = TrainConfig(text_col="text", label_col="failure_mode", out=tmp_path / "m", epochs=50, max_rows=200,
                      time_budget_s=8.0)
    train(cfg, LOGS, progress=False, notify=plans.append)
    meta = json.loads((tmp_path / "m" / "classifier.json").read_text())
    assert len(plans) == 1 and plans[0].limited_by_budget and plans[0].epochs < 50
    assert meta["training"]["steps_done"] <= plans[0].steps
    assert meta["training"]["took_s"] < 60  # 50 epochs would take minutes


def test_config_rejects_unknown_members_and_bad_budgets():
    from shopfloor.finetune import TrainConfig

    with pytest.raises(ValueError, match="members must be"):
        TrainConfig(members=("encoder", "magic"))
    with pytest.raises(ValueError, match="time_budget_s must be > 0"):
        TrainConfig(time_budget_s=0)
    with pytest.raises(ValueError, match="max_length must be in"):
        TrainConfig(max_length=4)


def test_int8_onnx_encoder_is_used_and_agrees_with_torch(fm_dir: Path):
    """The saved int8 ONNX encoder is what `auto` loads; its labels agree with torch fp32 on the demo dev logs."""
    import pandas as pd

    from shopfloor.finetune import Classifier
    from shopfloor.finetune.runtime import ENCODER_FILE

    from .conftest import DEV

    assert (fm_dir / ENCODER_FILE).stat().st_size > 1_000_000
    fast, slow = Classifier.load(fm_dir), Classifier.load(fm_dir, runtime="torch")
    assert fast._rt._ort and not slow._rt._ort and fast._rt.model is None  # no torch encoder loaded at all
    texts = pd.read_csv(DEV)["text"].astype(str).tolist()
    a, b = fast.probabilities(texts), slow.probabilities(texts)
    assert (a.argmax(1) == b.argmax(1)).mean() >= 0.95
    assert np.abs(a - b).max() < 0.25



def test_a_label_does_not_depend_on_the_rows_beside_it(fm_dir: Path):
    """The same log alone, in file order and shuffled among others gets the same label and confidence (the dynamic
    int8 graph once quantised each batch with one scale, so neighbours changed 7.9 % of labels)."""
    import random

    import pandas as pd

    from shopfloor.finetune import Classifier

    from .conftest import DEV

    clf = Classifier.load(fm_dir)
    texts = pd.read_csv(DEV)["text"].astype(str).tolist()[:40]
    shuffled = texts[:]
    random.Random(3).shuffle(shuffled)
    in_order, mixed = clf.probabilities(texts), clf.probabilities(shuffled)
    alone = np.vstack([clf.probabilities([t]) for t in texts[:8]])
    again = mixed[[shuffled.index(t) for t in texts]]
    assert np.abs(in_order - again).max() < 1e-4
    assert np.abs(in_order[:8] - alone).max() < 1e-4
