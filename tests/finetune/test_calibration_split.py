"""How much is held out to measure a model, and what happens when there is too little to measure."""

from __future__ import annotations

import numpy as np

from shopfloor.finetune.artifacts import NO_AUTO_ACCEPT, calibration
from shopfloor.finetune.data import MIN_CALIB, calibration_split
from shopfloor.finetune.predict import _prediction


def test_a_large_set_holds_out_its_fraction_a_small_one_more_and_a_tiny_one_none():
    big = ["a"] * 300 + ["b"] * 200
    train, held, need = calibration_split(big, 0.15, 0)
    assert len(held) == 75 and need == 0 and not set(train) & set(held)
    small = ["a"] * 60 + ["b"] * 40  # 15 % would be 15 rows: too few to measure, so a quarter is held out
    train, held, need = calibration_split(small, 0.15, 0)
    assert len(held) == 25 and need == 0
    tiny = ["a"] * 12 + ["b"] * 8  # even a quarter is 5 rows: train on all 20, measure nothing, say what is missing
    train, held, need = calibration_split(tiny, 0.15, 0)
    assert held == [] and len(train) == 20 and need == 60 and MIN_CALIB == 20


def test_without_a_held_out_estimate_nothing_skips_review():
    cal = calibration(np.zeros((5, 2)), np.array([0, 1, 0, 1, 0]), 0.9)
    assert cal["threshold"] == NO_AUTO_ACCEPT and not cal["calibrated"]
    sure = _prediction("pump seized", np.array([0.0, 1.0]), ["leak", "breakdown"], cal["threshold"], 2)
    assert sure.needs_review and sure.label == "breakdown" and "held-out estimate" in sure.reason
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 40)
    logits = np.eye(2)[y] * 4.0  # a confident, right model measured on 40 held-out rows
    measured = calibration(logits, y, 0.9)
    assert measured["calibrated"] and measured["threshold"] <= 1.0
    assert measured["calib_majority_accuracy"] == np.bincount(y).max() / 40
