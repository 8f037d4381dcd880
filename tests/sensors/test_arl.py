"""Average run lengths by theory, checked against published tables (Montgomery, Introduction to Statistical
Quality Control, 6th ed., tables 9.3 and 9.11) and against the exact Shewhart formula."""

from __future__ import annotations

import pytest

from shopfloor.sensors.arl import cusum_arl, ewma_arl, shewhart_arl


def test_shewhart_is_exact():
    assert shewhart_arl(0) == pytest.approx(370.4, abs=0.1)
    assert shewhart_arl(1) == pytest.approx(43.9, abs=0.1)
    assert shewhart_arl(2) == pytest.approx(6.3, abs=0.05)


@pytest.mark.parametrize(("h", "table"), [(4, [168, 26.6, 8.38, 4.75, 3.34]), (5, [465, 38.0, 10.4, 5.75, 4.01])])
def test_cusum_matches_the_published_table(h, table):
    got = [cusum_arl(d, k=0.5, h=h) for d in (0, 0.5, 1, 1.5, 2)]
    assert got == pytest.approx(table, rel=0.01)


def test_ewma_matches_the_published_table_and_becomes_shewhart_at_lambda_one():
    got = [ewma_arl(d, lam=0.1, L=2.814) for d in (0, 0.5, 1, 1.5, 2)]
    assert got == pytest.approx([500, 31.3, 10.3, 6.1, 4.4], rel=0.02)
    assert ewma_arl(0, lam=1.0) == pytest.approx(370.4, abs=0.1)
    assert ewma_arl(0.5) < shewhart_arl(0.5) / 3  # what EWMA is for: small shifts
