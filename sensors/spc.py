"""Control charts: individuals/moving range, X-bar/R, EWMA, CUSUM; process capability; PNG rendering."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from shopfloor.sensors.rules import Violation, check

# Shewhart constants by subgroup size (ASTM STP 15D): A2, D3, D4, d2
XBAR_R = {2: (1.880, 0.0, 3.267, 1.128), 3: (1.023, 0.0, 2.574, 1.693), 4: (0.729, 0.0, 2.282, 2.059),
          5: (0.577, 0.0, 2.114, 2.326), 6: (0.483, 0.0, 2.004, 2.534), 7: (0.419, 0.076, 1.924, 2.704),
          8: (0.373, 0.136, 1.864, 2.847), 9: (0.337, 0.184, 1.816, 2.970), 10: (0.308, 0.223, 1.777, 3.078)}


@dataclass
class Chart:
    """One control chart: plotted points, limits, and the rule violations found on it."""

    kind: str
    values: list[float]
    center: float
    ucl: list[float]
    lcl: list[float]
    sigma: float
    violations: list[Violation] = field(default_factory=list)

    def tail(self, n: int) -> Chart:
        """The last ``n`` points (for drawing a long monitored series), violation indices shifted to match."""
        cut = max(0, len(self.values) - n)
        return Chart(self.kind, self.values[cut:], self.center, self.ucl[cut:], self.lcl[cut:], self.sigma,
                     [Violation(v.rule, v.index - cut, v.description) for v in self.violations if v.index >= cut])

    def to_dict(self) -> dict:
        return {"kind": self.kind, "n": len(self.values), "center": self.center, "ucl": self.ucl[-1], "lcl": self.lcl[-1],
                "sigma": self.sigma, "violations": [v.__dict__ for v in self.violations]}


def prepare(cells) -> tuple[list[float], list[int], dict[str, int]]:
    """The numeric readings of a column with their 0-based input rows, and how many cells were dropped.

    Nothing is dropped silently: ``{"missing": n, "non_numeric": m}`` counts empty / NaN cells and cells
    that are not numbers (text, "n/a", "12,5 bar"), so a chart can say what it did not plot.
    """
    import math

    values, rows, missing, non_numeric = [], [], 0, 0
    for i, v in enumerate(cells):
        if v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()):
            missing += 1
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            non_numeric += 1
            continue
        if math.isnan(f):
            missing += 1
        elif math.isinf(f):
            non_numeric += 1
        else:
            values.append(f)
            rows.append(i)
    return values, rows, {"missing": missing, "non_numeric": non_numeric}


def default_baseline(n: int) -> int:
    """Phase I length when none is given: the first third of the readings, at least 20 (at most n - 1)."""
    return max(8, min(n - 1, max(20, n // 3)))


def _clean(x) -> list[float]:
    import math

    vals = [float(v) for v in x if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if len(vals) < 8:
        raise ValueError(f"need at least 8 readings for a control chart, got {len(vals)}")
    return vals


def individuals(x, rules: str = "nelson", baseline: int | None = None) -> Chart:
    """I chart: sigma from the average moving range (MR-bar / 1.128), so a drift does not inflate it.

    ``baseline``: estimate centre and sigma from the first ``baseline`` points only (phase I) and
    monitor the rest against them (phase II); default: all points.
    """
    x = _clean(x)
    ref = x[: baseline] if baseline else x
    if len(ref) < 8:
        raise ValueError(f"need at least 8 baseline readings, got {len(ref)}")
    mr = [abs(b - a) for a, b in zip(ref[:-1], ref[1:], strict=True)]
    sigma = (sum(mr) / len(mr)) / 1.128 or 1e-9
    center = sum(ref) / len(ref)
    return Chart("individuals", x, center, [center + 3 * sigma] * len(x), [center - 3 * sigma] * len(x), sigma,
                 check(x, center, sigma, rules))




def lag1_autocorrelation(x: list[float]) -> float:
    n = len(x)
    mu = sum(x) / n
    den = sum((v - mu) ** 2 for v in x)
    return sum((x[i] - mu) * (x[i - 1] - mu) for i in range(1, n)) / den if den else 0.0


COMBINED_L = 3.5  # the one-point limit when a CUSUM watches the same points (Lucas 1982)


def _ar_fit(base: list[float], max_order: int = 5) -> tuple[float, list[float]]:
    """Mean and AR(p) coefficients of the baseline by least squares, p (1..max_order) chosen by BIC."""
    import numpy as np

    b = np.asarray(base, dtype=float)
    mu = float(b.mean())
    z = b - mu
    best: tuple[float, list[float]] | None = None
    for p in range(1, max(1, min(max_order, len(b) // 10)) + 1):
        y = z[p:]
        lags = np.column_stack([z[p - j:len(z) - j] for j in range(1, p + 1)])
        coef, *_ = np.linalg.lstsq(lags, y, rcond=None)
        rss = float(((y - lags @ coef) ** 2).sum())
        bic = len(y) * np.log(max(rss, 1e-300) / len(y)) + p * np.log(len(y))
        if best is None or bic < best[0]:
            best = (bic, [float(c) for c in coef])
    return mu, best[1] if best is not None else []


def monitor(x, baseline: int, rules: str = "shewhart", cusum_check: bool = False) -> Chart:
    """The chart a quality engineer would put on a sensor: limits from the first ``baseline`` points
    (phase I), the rest monitored (phase II).

    Sensor streams are usually autocorrelated, and Shewhart limits on them alarm on a large share of
    in-control points. When the baseline's lag-1 autocorrelation is significant (|r1| > 2/sqrt(n), the
    usual 95 % test), the chart is of the residuals of an autoregressive model fitted to the baseline
    (Montgomery 10.4: e_t = (x_t - mu) - sum_j phi_j (x_t-j - mu); order 1-5 by BIC, so that a slow
    wander plus measurement noise is whitened too), which are close to independent; ``kind`` says so.
    ``cusum_check`` adds a tabular CUSUM (k 0.5, h 5) on the same standardised points and moves the one-point
    limit to 3.5 sigma (the combined Shewhart-CUSUM scheme of Lucas 1982): sustained shifts of one sigma
    are seen in ~10 points instead of ~44, at about the in-control ARL of the plain 3-sigma rule (~380
    points; measured in docs/sensors.md). Violation indices are rows of ``x``.
    Measured by simulation in benchmarks/bench_spc.py.
    """
    x = _clean(x)
    base = x[:baseline]
    if len(base) < 8:
        raise ValueError(f"need at least 8 baseline readings, got {len(base)}")
    r1 = lag1_autocorrelation(base)
    if abs(r1) <= 2 / len(base) ** 0.5:
        chart = individuals(x, rules, baseline)
        chart.kind = f"individuals (lag-1 autocorrelation {r1:.2f})"
        p = 0
    else:
        mu, phi = _ar_fit(base)
        p = len(phi)
        resid = [(x[t] - mu) - sum(c * (x[t - j] - mu) for j, c in enumerate(phi, start=1)) for t in range(p, len(x))]
        chart = individuals(resid, rules, baseline - p)
        chart.kind = (f"AR({p}) residuals (lag-1 autocorrelation {r1:.2f}: limits on raw readings would over-alarm)")
        chart.violations = [Violation(v.rule, v.index + p, v.description) for v in chart.violations]
        chart.values = [0.0] * p + chart.values  # keep positions aligned with x (the first p points have no residual)
        chart.ucl, chart.lcl = [chart.ucl[0]] * p + chart.ucl, [chart.lcl[0]] * p + chart.lcl
    if cusum_check:
        mu, s = chart.center, chart.sigma
        c = cusum(chart.values[p:], 0.5, 5.0, center=mu, sigma=s)
        wide = [Violation(v.rule, v.index, f"one point beyond {COMBINED_L:g} sigma") if v.rule == "shewhart" else v
                for v in chart.violations if v.rule != "shewhart" or abs(chart.values[v.index] - mu) > COMBINED_L * s]
        chart.violations = sorted([*wide, *(Violation("cusum", v.index + p, v.description) for v in c.violations)],
                                  key=lambda v: (v.index, v.rule))
        chart.ucl, chart.lcl = [mu + COMBINED_L * s] * len(chart.values), [mu - COMBINED_L * s] * len(chart.values)
        chart.kind += f" + CUSUM ({COMBINED_L:g}-sigma limit)"
    return chart


def moving_range(x) -> Chart:
    x = _clean(x)
    mr = [abs(b - a) for a, b in zip(x[:-1], x[1:], strict=True)]
    mrbar = sum(mr) / len(mr)
    viol = [Violation("we_1", i, "moving range above its upper limit") for i, v in enumerate(mr) if v > 3.267 * mrbar]
    return Chart("moving_range", mr, mrbar, [3.267 * mrbar] * len(mr), [0.0] * len(mr), mrbar / 1.128, viol)


def xbar_r(x, n: int, rules: str = "nelson") -> tuple[Chart, Chart]:
    """X-bar and R charts for consecutive subgroups of size ``n`` (2-10); a partial last subgroup is dropped."""
    if n not in XBAR_R:
        raise ValueError(f"subgroup size must be 2-10, got {n}")
    x = _clean(x)
    groups = [x[i:i + n] for i in range(0, len(x) - n + 1, n)]
    if len(groups) < 8:
        raise ValueError(f"need at least 8 subgroups of {n}, got {len(groups)}")
    a2, d3, d4, d2 = XBAR_R[n]
    means = [sum(g) / n for g in groups]
    ranges = [max(g) - min(g) for g in groups]
    xbar, rbar = sum(means) / len(means), sum(ranges) / len(ranges)
    sigma_mean = a2 * rbar / 3 or 1e-9
    xc = Chart("xbar", means, xbar, [xbar + a2 * rbar] * len(means), [xbar - a2 * rbar] * len(means), sigma_mean,
               check(means, xbar, sigma_mean, rules))
    rv = [Violation("we_1", i, "range beyond its control limits") for i, r in enumerate(ranges)
          if r > d4 * rbar or r < d3 * rbar]
    rc = Chart("range", ranges, rbar, [d4 * rbar] * len(ranges), [d3 * rbar] * len(ranges), rbar / d2, rv)
    return xc, rc


def _standard(x, baseline: int | None, center: float | None, sigma: float | None) -> tuple[list[float], float, float]:
    """The readings with the centre and sigma to judge them by: given (a known standard) or from the baseline."""
    if (center is None) != (sigma is None):
        raise ValueError("give both center and sigma, or neither")
    if center is not None and sigma is not None:
        if not sigma > 0:
            raise ValueError(f"sigma must be > 0, got {sigma}")
        return _clean(x), float(center), float(sigma)
    base = individuals(x, "shewhart", baseline)
    return base.values, base.center, base.sigma


def ewma(x, lam: float = 0.2, L: float = 3.0, baseline: int | None = None, center: float | None = None,
         sigma: float | None = None, asymptotic: bool = False) -> Chart:
    """EWMA z_t = lam*x_t + (1-lam)*z_(t-1), limits widening to their asymptote (Montgomery 9.2).

    Centre and sigma from the first ``baseline`` points (phase I), or given (``center``, ``sigma``: a known
    standard). With the defaults (lambda 0.2, L 3) the in-control ARL is about 560 points; the simulated ARLs
    against the Markov-chain theory are in docs/sensors.md (benchmarks/bench_spc.py --arl). The limits are
    the exact ones, narrow at the start (a shift present from the first point is seen sooner);
    ``asymptotic=True`` uses the constant limits the textbook ARL tables assume.
    """
    if not 0 < lam <= 1:
        raise ValueError(f"lambda must be in (0, 1], got {lam}")
    values, mu, s = _standard(x, baseline, center, sigma)
    z, zs, ucl, lcl = mu, [], [], []
    for t, v in enumerate(values, start=1):
        z = lam * v + (1 - lam) * z
        w = L * s * ((lam / (2 - lam)) * (1 - (0.0 if asymptotic else (1 - lam) ** (2 * t)))) ** 0.5
        zs.append(z)
        ucl.append(mu + w)
        lcl.append(mu - w)
    viol = [Violation("ewma", i, "EWMA beyond its limit") for i, v in enumerate(zs) if v > ucl[i] or v < lcl[i]]
    return Chart("ewma", zs, mu, ucl, lcl, s, viol)


def cusum(x, k: float = 0.5, h: float = 5.0, baseline: int | None = None, center: float | None = None,
          sigma: float | None = None) -> Chart:
    """Tabular CUSUM with reference value k and decision interval h, both in sigma units (Montgomery 9.1).

    Centre and sigma as for :func:`ewma`. With k 0.5, h 5 the two-sided in-control ARL is about 465 points.
    """
    values, mu, s = _standard(x, baseline, center, sigma)
    hi = lo = 0.0
    highs, viol = [], []
    for i, v in enumerate(values):
        hi = max(0.0, hi + (v - mu) / s - k)
        lo = max(0.0, lo - (v - mu) / s - k)
        highs.append(hi if hi >= lo else -lo)
        if hi > h or lo > h:
            viol.append(Violation("cusum", i, f"CUSUM {'upper' if hi > h else 'lower'} sum above h={h}"))
            hi = lo = 0.0  # restart after a signal
    return Chart("cusum", highs, 0.0, [h] * len(highs), [-h] * len(highs), s, viol)


def capability(x, lsl: float | None, usl: float | None) -> dict:
    """Cp and Cpk with the within-process sigma (MR-bar/1.128); one-sided specs give Cpk only."""
    if lsl is None and usl is None:
        raise ValueError("give at least one spec limit")
    if lsl is not None and usl is not None and lsl >= usl:
        raise ValueError(f"lower spec {lsl} must be below upper spec {usl}")
    c = individuals(x)
    mu, s = c.center, c.sigma
    cpu = (usl - mu) / (3 * s) if usl is not None else None
    cpl = (mu - lsl) / (3 * s) if lsl is not None else None
    cp = (usl - lsl) / (6 * s) if usl is not None and lsl is not None else None
    return {"cp": cp, "cpk": min(v for v in (cpu, cpl) if v is not None), "mean": mu, "sigma_within": s}


_PLOT_LOCK = threading.Lock()  # pyplot keeps global state: one figure at a time across server threads


def render(charts: list[Chart], path: str | Path, title: str = "", times: list | None = None) -> Path:
    """One PNG with a panel per chart: points, centre line, limits, violations marked in red.

    ``times``: timestamps of the points (same length as each chart): the x-axis is then time, not point number.
    Drawn 7 inches wide with 10-11 pt text so that it stays readable when a phone scales it to its width.
    """
    with _PLOT_LOCK:
        return _render(charts, path, title, times)


def _render(charts: list[Chart], path: str | Path, title: str, times: list | None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(charts), 1, figsize=(7, 2.5 * len(charts) + (0.5 if title else 0)), squeeze=False,
                             sharex=times is not None, layout="constrained")
    for ax, c in zip(axes[:, 0], charts, strict=True):
        xs = list(times) if times is not None and len(times) == len(c.values) else list(range(len(c.values)))
        ax.plot(xs, c.values, marker="o", ms=3, lw=1, color="#1f4e79")
        ax.axhline(c.center, color="green", lw=1)
        ax.plot(xs, c.ucl, "--", color="#b22222", lw=1)
        ax.plot(xs, c.lcl, "--", color="#b22222", lw=1)
        bad = sorted({v.index for v in c.violations})
        ax.scatter([xs[i] for i in bad], [c.values[i] for i in bad], s=60, facecolors="none", edgecolors="red",
                   linewidths=1.5, zorder=3, label=f"alarms: {len(bad)}")
        ax.set_title(c.kind if " " in c.kind else f"{c.kind} chart", fontsize=10, loc="left", wrap=True)
        ax.tick_params(labelsize=9)
        if bad:  # the legend goes outside the plotting area, where it cannot cover points or the title
            ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.2, frameon=False)
    if times is not None:
        ax = axes[-1, 0]
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if title:
        fig.suptitle(title, fontsize=11)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
