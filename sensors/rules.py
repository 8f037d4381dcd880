"""Western Electric and Nelson run rules for control charts, each rule a small pure function.

Every rule takes the series, its centre line and sigma, and returns the indices of the points
that complete a violating pattern (so each is reported once, at the moment it could be seen).
References: Western Electric Statistical Quality Control Handbook (1956); L. S. Nelson,
"The Shewhart Control Chart — Tests for Special Causes", J. Quality Technology 16 (1984).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    rule: str  # e.g. "nelson_2"
    index: int  # the point that completes the pattern
    description: str


def _z(x: Sequence[float], center: float, sigma: float) -> list[float]:
    if sigma <= 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    return [(v - center) / sigma for v in x]


def beyond(x, center, sigma, k: float = 3.0) -> list[int]:
    """One point more than ``k`` sigma from the centre (WE 1 / Nelson 1)."""
    return [i for i, z in enumerate(_z(x, center, sigma)) if abs(z) > k]


def k_of_m_beyond(x, center, sigma, k: int, m: int, limit: float) -> list[int]:
    """``k`` of ``m`` consecutive points beyond ``limit`` sigma on the same side (WE 2, 3 / Nelson 5, 6)."""
    z = _z(x, center, sigma)
    out = []
    for i in range(m - 1, len(z)):
        window = z[i - m + 1:i + 1]
        for sign in (1, -1):
            if sign * z[i] > limit and sum(1 for v in window if sign * v > limit) >= k:
                out.append(i)
                break
    return out


def same_side(x, center, sigma, n: int) -> list[int]:
    """``n`` points in a row on the same side of the centre line (WE 4: 8, Nelson 2: 9)."""
    z = _z(x, center, sigma)
    out, run, side = [], 0, 0
    for i, v in enumerate(z):
        s = (v > 0) - (v < 0)
        run = run + 1 if s != 0 and s == side else (1 if s != 0 else 0)
        side = s
        if run == n or (run > n and (run - n) % n == 0):
            out.append(i)
    return out


def trend(x, center, sigma, n: int = 6) -> list[int]:
    """``n`` points in a row steadily increasing or decreasing (Nelson 3)."""
    out, run, direction = [], 1, 0
    for i in range(1, len(x)):
        d = (x[i] > x[i - 1]) - (x[i] < x[i - 1])
        run = run + 1 if d != 0 and d == direction else (2 if d != 0 else 1)
        direction = d
        if run == n:
            out.append(i)
            run, direction = 1, 0  # report once per run, then look for the next one
    return out


def alternating(x, center, sigma, n: int = 14) -> list[int]:
    """``n`` points in a row alternating up and down (Nelson 4)."""
    out, run = [], 1
    for i in range(1, len(x)):
        d = (x[i] > x[i - 1]) - (x[i] < x[i - 1])
        prev = (x[i - 1] > x[i - 2]) - (x[i - 1] < x[i - 2]) if i >= 2 else 0
        run = run + 1 if d != 0 and prev != 0 and d == -prev else 2 if d != 0 else 1
        if run == n:
            out.append(i)
            run = 1
    return out


def within(x, center, sigma, n: int = 15, limit: float = 1.0) -> list[int]:
    """``n`` points in a row within ``limit`` sigma of the centre (Nelson 7: stratification)."""
    return _runs([abs(v) < limit for v in _z(x, center, sigma)], n)


def outside_both(x, center, sigma, n: int = 8, limit: float = 1.0) -> list[int]:
    """``n`` points in a row beyond ``limit`` sigma, none inside, either side (Nelson 8: mixture)."""
    return _runs([abs(v) > limit for v in _z(x, center, sigma)], n)


def _runs(flags: list[bool], n: int) -> list[int]:
    out, run = [], 0
    for i, f in enumerate(flags):
        run = run + 1 if f else 0
        if run == n:
            out.append(i)
            run = 0
    return out


RuleFn = Callable[[Sequence[float], float, float], list[int]]
WESTERN_ELECTRIC: dict[str, tuple[RuleFn, str]] = {
    "we_1": (lambda x, c, s: beyond(x, c, s, 3.0), "one point beyond 3 sigma"),
    "we_2": (lambda x, c, s: k_of_m_beyond(x, c, s, 2, 3, 2.0), "2 of 3 points beyond 2 sigma, same side"),
    "we_3": (lambda x, c, s: k_of_m_beyond(x, c, s, 4, 5, 1.0), "4 of 5 points beyond 1 sigma, same side"),
    "we_4": (lambda x, c, s: same_side(x, c, s, 8), "8 points in a row on one side of the centre line"),
}
NELSON: dict[str, tuple[RuleFn, str]] = {
    "nelson_1": (lambda x, c, s: beyond(x, c, s, 3.0), "one point beyond 3 sigma"),
    "nelson_2": (lambda x, c, s: same_side(x, c, s, 9), "9 points in a row on one side of the mean"),
    "nelson_3": (lambda x, c, s: trend(x, c, s, 6), "6 points in a row steadily increasing or decreasing"),
    "nelson_4": (lambda x, c, s: alternating(x, c, s, 14), "14 points in a row alternating up and down"),
    "nelson_5": (lambda x, c, s: k_of_m_beyond(x, c, s, 2, 3, 2.0), "2 of 3 points beyond 2 sigma, same side"),
    "nelson_6": (lambda x, c, s: k_of_m_beyond(x, c, s, 4, 5, 1.0), "4 of 5 points beyond 1 sigma, same side"),
    "nelson_7": (lambda x, c, s: within(x, c, s, 15), "15 points in a row within 1 sigma (stratification)"),
    "nelson_8": (lambda x, c, s: outside_both(x, c, s, 8), "8 points in a row beyond 1 sigma, none within"),
}
SHEWHART: dict[str, tuple[RuleFn, str]] = {
    "shewhart": (lambda x, c, s: beyond(x, c, s, 3.0), "one point beyond 3 sigma"),
}
# In-control false-alarm rate per point for independent normal data: shewhart 0.27 % (theory); the run
# rules add to it (benchmarks/bench_spc.py measures each set, and on autocorrelated data).
RULE_SETS = {"nelson": NELSON, "western-electric": WESTERN_ELECTRIC, "shewhart": SHEWHART}


def check(x: Sequence[float], center: float, sigma: float, rules: str = "nelson") -> list[Violation]:
    """All violations of a rule set ("nelson", "western-electric" or "shewhart"), ordered by index."""
    if rules not in RULE_SETS:
        raise ValueError(f"rules must be one of {sorted(RULE_SETS)}, got {rules!r}")
    out = [Violation(name, i, desc) for name, (fn, desc) in RULE_SETS[rules].items() for i in fn(x, center, sigma)]
    return sorted(out, key=lambda v: (v.index, v.rule))
