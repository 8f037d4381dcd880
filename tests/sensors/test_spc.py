from __future__ import annotations

from pathlib import Path

import pytest

from shopfloor.sensors import spc


def test_individuals_sigma_from_moving_range():
    x = [10.0, 12.0] * 10  # moving range always 2 -> sigma = 2 / 1.128
    c = spc.individuals(x)
    assert c.center == pytest.approx(11.0) and c.sigma == pytest.approx(2 / 1.128)
    assert c.ucl[0] == pytest.approx(11 + 3 * 2 / 1.128)


def test_shift_is_flagged_and_rendered(tmp_path: Path):
    x = [10 + 0.1 * ((-1) ** i) for i in range(30)] + [11.0] * 10
    c = spc.individuals(x)
    assert any(v.index >= 30 for v in c.violations)
    png = spc.render([c, spc.moving_range(x)], tmp_path / "c.png", "test")
    assert png.stat().st_size > 5000 and png.read_bytes()[:4] == b"\x89PNG"


def test_xbar_r_constants():
    x = [1, 2, 3, 4, 5] * 10
    xc, rc = spc.xbar_r(x, 5)
    assert len(xc.values) == 10 and rc.center == 4 and xc.ucl[0] == pytest.approx(3 + 0.577 * 4)
    with pytest.raises(ValueError, match="subgroup size must be 2-10"):
        spc.xbar_r(x, 12)


def test_ewma_and_cusum_detect_small_sustained_shift():
    import numpy as np

    base = np.random.default_rng(1).normal(0, 1, 60).tolist()  # a seed whose in-control series raises no alarm
    shifted = base[:40] + [v + 1.5 for v in base[40:]]  # 1.5 sigma shift in the last 20 points
    assert any(v.index >= 40 for v in spc.ewma(shifted, baseline=40).violations)
    assert any(v.index >= 40 for v in spc.cusum(shifted, baseline=40).violations)
    assert not spc.cusum(base, baseline=40).violations and not spc.ewma(base, baseline=40).violations


def test_capability():
    x = [10.0, 10.2] * 10  # sigma = 0.2 / 1.128
    cap = spc.capability(x, 9.0, 11.0)
    s = 0.2 / 1.128
    assert cap["cp"] == pytest.approx(2 / (6 * s)) and cap["cpk"] == pytest.approx((11 - 10.1) / (3 * s))
    assert spc.capability(x, None, 11.0)["cp"] is None
    with pytest.raises(ValueError, match="must be below"):
        spc.capability(x, 11.0, 9.0)


def test_too_few_points():
    with pytest.raises(ValueError, match="at least 8 readings"):
        spc.individuals([1.0, 2.0, float("nan")])


def _ar1(phi: float, n: int, seed: int, shift_at: int | None = None, shift: float = 0.0) -> list[float]:
    import numpy as np

    rng = np.random.default_rng(seed)
    x = [float(rng.standard_normal())]
    for _t in range(1, n):
        x.append(phi * x[-1] + float(rng.standard_normal()) * (1 - phi ** 2) ** 0.5)
    return [v + (shift if shift_at is not None and i >= shift_at else 0.0) for i, v in enumerate(x)]


def test_monitor_charts_residuals_of_an_autocorrelated_sensor_and_alarms_near_theory():
    from shopfloor.sensors.spc import individuals, monitor

    raw = raw_alarms = 0
    for seed in range(60):  # 60 in-control days of 24 monitored points after a 100-point baseline
        x = _ar1(0.8, 124, seed)
        chart = monitor(x, 100)
        assert chart.kind.startswith(("AR(1) residuals", "AR(2) residuals")) and len(chart.values) == len(x)
        raw += sum(v.index >= 100 for v in chart.violations)
        raw_alarms += sum(v.index >= 100 for v in individuals(x, "nelson", 100).violations)
    assert raw / (60 * 24) < 0.02 < raw_alarms / (60 * 24)  # the old default alarmed on far more in-control points


def test_monitor_keeps_plain_individuals_for_independent_data_and_sees_a_shift():
    from shopfloor.sensors.spc import monitor

    chart = monitor(_ar1(0.0, 124, 3), 100)
    assert chart.kind.startswith("individuals")
    shifted = monitor(_ar1(0.0, 124, 3, shift_at=100, shift=4.0), 100)
    assert any(v.index >= 100 for v in shifted.violations)
    assert all(0 <= v.index < 124 for v in shifted.violations)


def test_monitor_whitens_a_wander_plus_noise_and_its_cusum_sees_a_one_sigma_shift():
    """Process temperature in the demo (and often in plants): a slow AR(1) wander plus measurement noise.
    An AR(1) fit leaves the wander in its residuals; the order chosen by BIC whitens it."""
    import numpy as np

    from shopfloor.sensors.spc import monitor

    alarms = 0
    for seed in range(60):
        rng = np.random.default_rng(100 + seed)
        x = np.array(_ar1(0.95, 224, seed)) + rng.standard_normal(224)
        alarms += sum(v.index >= 200 for v in monitor(x.tolist(), 200, cusum_check=True).violations)
    # 3-sigma + CUSUM: theory about 0.5 % of in-control points; allow estimation noise, not over-alarming
    assert alarms / (60 * 24) < 0.015
    caught = {False: 0, True: 0}
    for seed in range(40):
        x = _ar1(0.0, 224, seed, shift_at=200, shift=1.0)
        for check in caught:
            caught[check] += any(v.index >= 200 for v in monitor(x, 200, cusum_check=check).violations)
    assert caught[True] >= caught[False] + 10  # CUSUM sees sustained one-sigma shifts the 3-sigma rule misses
