from __future__ import annotations

import numpy as np
import pytest

from shopfloor.calibration import expected_calibration_error, fit_temperature, softmax, threshold_for_precision


def test_overconfident_logits_get_a_temperature_above_one():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    logits = rng.normal(0, 1, (400, 3))
    logits[np.arange(400), y] += 1.0
    logits *= 6  # same ranking, far too sharp
    t = fit_temperature(logits, y)
    assert t > 2.0
    conf = softmax(logits, t).max(1)
    correct = softmax(logits).argmax(1) == y
    assert expected_calibration_error(conf, correct) < expected_calibration_error(softmax(logits).max(1), correct)


def test_threshold_for_precision_by_hand():
    conf = np.array([0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 1, 1, 0, 0], bool)
    assert threshold_for_precision(conf, correct, 1.0) == 0.8
    assert threshold_for_precision(conf, correct, 0.75) == 0.7
    assert threshold_for_precision(conf, np.zeros(5, bool), 0.9) == 1.0


def test_ece_by_hand():
    conf = np.array([0.9, 0.9, 0.3, 0.3])
    correct = np.array([1, 0, 0, 0], bool)
    assert expected_calibration_error(conf, correct) == pytest.approx(0.5 * 0.4 + 0.5 * 0.3)
