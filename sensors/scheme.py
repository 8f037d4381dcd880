"""The one alarm definition for a sensor, used by the Machines tab, ``sensor status``, ``sensor spc`` and the API.

Four charts watch the same series: the readings themselves when they are independent, else the residuals
of an AR(p) model fitted to the phase I baseline (autocorrelated readings put plain limits off by a factor
of ten or more, see docs/sensors.md). On that series, standardised by the baseline's sigma (MR-bar/1.128):

- individuals: one point beyond 3.5 sigma (two-sided tail 0.047 %);
- moving range of consecutive points above 3.5 * sqrt(2) sigma (the same tail for the difference of two
  independent points);
- EWMA (lambda 0.2) beyond L = 3.3 asymptotic sigma, restarted at the centre after a signal;
- tabular CUSUM (k 0.5, h 5.5), restarted after a signal.

Together they spend an in-control budget of <= 0.5 % of points (measured: ``benchmarks/bench_spc.py
--scheme``), and a step of 1.5 sigma is seen within ~15 points. A point is an alarm if any chart signals
there; ``alarms`` lists each such reading once with the charts that signalled.

The value chart a planner reads is the readings with the band where the next reading is expected
(the AR model's one-step prediction +- 3.5 residual sigma), and the alarms drawn on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shopfloor.sensors.rules import Violation
from shopfloor.sensors.spc import Chart, _ar_fit, lag1_autocorrelation

L_POINT = 3.5
L_MR = 3.5 * 2 ** 0.5
EWMA_LAMBDA, EWMA_L = 0.2, 3.3
CUSUM_K, CUSUM_H = 0.5, 5.5


@dataclass
class Scheme:
    """The readings, where each next reading was expected, the four charts and the alarms (indices into values)."""

    values: list[float]
    expected: list[float]  # one-step prediction of each reading from the ones before (the mean for iid data)
    sigma: float  # of the charted series (residuals when whitened), in the readings' unit
    order: int  # AR order; 0 = the readings are charted as they are
    r1: float  # lag-1 autocorrelation of the baseline
    baseline: int
    charts: list[Chart] = field(default_factory=list)
    alarms: list[Violation] = field(default_factory=list)  # one per alarmed reading, rules joined by '+'

    @property
    def kind(self) -> str:
        what = (f"AR({self.order}) residuals (lag-1 autocorrelation {self.r1:.2f})" if self.order
                else f"readings (lag-1 autocorrelation {self.r1:.2f})")
        return f"{what}; limits from {self.baseline} readings"

    def band(self) -> tuple[list[float], list[float]]:
        """Lower and upper edge of where each reading was expected (one-point limit, readings' unit)."""
        w = L_POINT * self.sigma
        return [e - w for e in self.expected], [e + w for e in self.expected]


def whiten(x: list[float], baseline: int) -> tuple[list[float], list[float], int, float]:
    """(residuals, expected values, AR order, r1): residuals are x minus its one-step prediction."""
    base = x[:baseline]
    r1 = lag1_autocorrelation(base)
    mu = sum(base) / len(base)
    if abs(r1) <= 2 / len(base) ** 0.5:
        return [v - mu for v in x], [mu] * len(x), 0, r1
    mu, phi = _ar_fit(base)
    p = len(phi)
    expected = [mu] * p + [mu + sum(c * (x[t - j] - mu) for j, c in enumerate(phi, start=1)) for t in range(p, len(x))]
    return [v - e for v, e in zip(x, expected, strict=True)], expected, p, r1


def evaluate(x: list[float], baseline: int) -> Scheme:
    """All four charts on ``x`` with limits from its first ``baseline`` points; alarms on the points after it."""
    if baseline < 8 or len(x) < baseline:
        raise ValueError(f"need at least 8 baseline readings, got {min(baseline, len(x))}")
    resid, expected, p, r1 = whiten(x, baseline)
    ref = resid[p:baseline]
    mr = [abs(b - a) for a, b in zip(ref[:-1], ref[1:], strict=True)]
    sigma = (sum(mr) / len(mr)) / 1.128 if mr else 0.0
    if not sigma > 0:
        raise ValueError("the baseline readings do not vary: no control limits can be set")
    center = sum(ref) / len(ref)
    z = [0.0] * p + [(r - center) / sigma for r in resid[p:]]
    s = Scheme(list(x), [e + center for e in expected], sigma, p, r1, baseline)
    start = max(p, baseline)  # phase II: the baseline is the reference, not judged against itself
    s.charts = [_points(z, start), _moving_range(z, start), _ewma(z, start), _cusum(z, start)]
    hits: dict[int, list[str]] = {}
    for c in s.charts:
        for v in c.violations:
            hits.setdefault(v.index, []).append(v.rule)
    s.alarms = [Violation("+".join(rules), i, _describe(rules, z[i])) for i, rules in sorted(hits.items())]
    return s


def _describe(rules: list[str], z: float) -> str:
    names = {"point": f"one point beyond {L_POINT:g} sigma", "moving_range": "a jump between two readings",
             "ewma": "EWMA beyond its limit", "cusum": "a sustained shift (CUSUM)"}
    return "; ".join(names[r] for r in rules) + f" ({'above' if z > 0 else 'below'} expected)"


def _points(z: list[float], p: int) -> Chart:
    n = len(z)
    viol = [Violation("point", i, f"one point beyond {L_POINT:g} sigma") for i in range(p, n) if abs(z[i]) > L_POINT]
    return Chart("individuals", z, 0.0, [L_POINT] * n, [-L_POINT] * n, 1.0, viol)


def _moving_range(z: list[float], p: int) -> Chart:
    first = max(1, p)  # p is the first monitored point: its jump from the last baseline point counts
    mr = [0.0] * first + [abs(z[i] - z[i - 1]) for i in range(first, len(z))]
    viol = [Violation("moving_range", i, "moving range above its limit") for i in range(first, len(z)) if mr[i] > L_MR]
    return Chart("moving_range", mr, 2 / 3.14159265 ** 0.5, [L_MR] * len(z), [0.0] * len(z), 1.0, viol)


def _ewma(z: list[float], p: int) -> Chart:
    w = EWMA_L * (EWMA_LAMBDA / (2 - EWMA_LAMBDA)) ** 0.5
    e, out, viol = 0.0, [0.0] * p, []
    for i in range(p, len(z)):
        e = EWMA_LAMBDA * z[i] + (1 - EWMA_LAMBDA) * e
        out.append(e)
        if abs(e) > w:
            viol.append(Violation("ewma", i, "EWMA beyond its limit"))
            e = 0.0
    return Chart("ewma", out, 0.0, [w] * len(z), [-w] * len(z), 1.0, viol)


def _cusum(z: list[float], p: int) -> Chart:
    hi = lo = 0.0
    out, viol = [0.0] * p, []
    for i in range(p, len(z)):
        hi, lo = max(0.0, hi + z[i] - CUSUM_K), max(0.0, lo - z[i] - CUSUM_K)
        out.append(hi if hi >= lo else -lo)
        if hi > CUSUM_H or lo > CUSUM_H:
            viol.append(Violation("cusum", i, f"CUSUM {'upper' if hi > CUSUM_H else 'lower'} sum above h={CUSUM_H}"))
            hi = lo = 0.0
    return Chart("cusum", out, 0.0, [CUSUM_H] * len(z), [-CUSUM_H] * len(z), 1.0, viol)
