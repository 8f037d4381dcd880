"""Each run rule against hand-made series (centre 0, sigma 1) where the answer is known by construction."""

from __future__ import annotations

import pytest

from shopfloor.sensors import rules

CALM = [0.3, -0.4, 0.2, -0.1, 0.5, -0.3, 0.1, -0.2, 0.4, -0.5] * 3  # within 1 sigma, alternating signs


def idx(rule_set: dict, name: str, x: list[float]) -> list[int]:
    fn, _ = rule_set[name]
    return fn(x, 0.0, 1.0)


def test_calm_series_has_no_violation_except_stratification():
    v = rules.check(CALM, 0.0, 1.0, "nelson")
    assert {x.rule for x in v} <= {"nelson_7", "nelson_4"}
    assert rules.check(CALM, 0.0, 1.0, "western-electric") == []


@pytest.mark.parametrize("name", ["nelson_1", "we_1"])
def test_rule_1_one_point_beyond_3_sigma(name):
    x = [0.1, -0.2, 3.2, 0.0, -3.01, 2.99]
    table = rules.NELSON if name.startswith("nelson") else rules.WESTERN_ELECTRIC
    assert idx(table, name, x) == [2, 4]


def test_nelson_2_nine_on_one_side():
    x = [-0.5] + [0.2] * 9 + [-0.1]
    assert idx(rules.NELSON, "nelson_2", x) == [9]
    assert idx(rules.NELSON, "nelson_2", [-0.5] + [0.2] * 8 + [-0.1]) == []


def test_we_4_eight_on_one_side():
    assert idx(rules.WESTERN_ELECTRIC, "we_4", [0.1] + [-0.3] * 8) == [8]


def test_nelson_3_six_increasing():
    x = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.1]
    assert idx(rules.NELSON, "nelson_3", x) == [5]
    assert idx(rules.NELSON, "nelson_3", [0.0, 0.1, 0.2, 0.3, 0.4, 0.3]) == []  # five only
    assert idx(rules.NELSON, "nelson_3", [0.5, 0.4, 0.3, 0.2, 0.1, 0.0]) == [5]  # decreasing counts too


def test_nelson_4_fourteen_alternating():
    x = [0.1 if i % 2 else -0.1 for i in range(14)]
    assert idx(rules.NELSON, "nelson_4", x) == [13]
    assert idx(rules.NELSON, "nelson_4", x[:13]) == []


@pytest.mark.parametrize("name", ["nelson_5", "we_2"])
def test_two_of_three_beyond_2_sigma_same_side(name):
    table = rules.NELSON if name.startswith("nelson") else rules.WESTERN_ELECTRIC
    assert idx(table, name, [0.0, 2.5, 0.1, 2.1]) == [3]
    assert idx(table, name, [0.0, 2.5, 0.1, -2.1]) == []  # opposite sides do not count


@pytest.mark.parametrize("name", ["nelson_6", "we_3"])
def test_four_of_five_beyond_1_sigma_same_side(name):
    table = rules.NELSON if name.startswith("nelson") else rules.WESTERN_ELECTRIC
    assert idx(table, name, [1.5, 1.2, 0.0, 1.1, 1.3]) == [4]
    assert idx(table, name, [1.5, 1.2, 0.0, 0.5, 1.3]) == []


def test_nelson_7_fifteen_within_1_sigma():
    assert idx(rules.NELSON, "nelson_7", [0.5] * 15) == [14]
    assert idx(rules.NELSON, "nelson_7", [0.5] * 14 + [1.5]) == []


def test_nelson_8_eight_outside_1_sigma_both_sides():
    x = [1.5, -1.5] * 4
    assert idx(rules.NELSON, "nelson_8", x) == [7]
    assert idx(rules.NELSON, "nelson_8", x[:7] + [0.5]) == []


def test_bad_arguments():
    with pytest.raises(ValueError, match="sigma must be > 0"):
        rules.beyond([1.0], 0.0, 0.0)
    with pytest.raises(ValueError, match="rules must be one of"):
        rules.check([1.0], 0.0, 1.0, "iso")
