"""Charts a planner can read: each sensor's measured values in its own unit, the band where the next reading
was expected, and the alarms drawn on the values; the residual (control-chart) view as a second picture.

Drawn 6 inches wide with 10-12 pt text so that a phone scaling the PNG to its width still shows readable
labels; the time axis ends at the last reading (no tick past the data) and the title says when that was.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from shopfloor.sensors.scheme import L_POINT, Scheme

_LOCK = threading.Lock()  # pyplot keeps global state: one figure at a time across server threads


@dataclass
class Panel:
    """One sensor's series: header, unit, timestamps of the readings, and its evaluated alarm scheme."""

    name: str
    unit: str
    times: list
    scheme: Scheme


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _time_axis(ax, times: list) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlim(times[0], times[-1])  # exactly the data: no tick for a day the data never reached


def _figure(panels: list[Panel]):
    plt = _pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(6, 2.3 * len(panels) + 0.5), squeeze=False, layout="constrained")
    return plt, fig, axes[:, 0]


def _label(p: Panel) -> str:
    return p.name if not p.unit or p.unit in p.name else f"{p.name} [{p.unit}]"


def values_png(panels: list[Panel], path: Path, machine: str, points: int) -> Path:
    """The last ``points`` readings of each sensor with the expected band, the checked window and the alarms."""
    with _LOCK:
        plt, fig, axes = _figure(panels)
        last = max(p.times[-1] for p in panels)
        for ax, p in zip(axes, panels, strict=True):
            s, cut = p.scheme, max(0, len(p.scheme.values) - points)
            t, v = p.times[cut:], s.values[cut:]
            lo, hi = (b[cut:] for b in s.band())
            ax.fill_between(t, lo, hi, color="#9ecae1", alpha=0.45, lw=0, label=f"expected (±{L_POINT:g}σ)")
            ax.plot(t, v, lw=1.1, color="#08306b", label="measured")
            if s.baseline < len(s.values):
                ax.axvline(p.times[s.baseline], color="grey", ls=":", lw=1)
            bad = [a.index for a in s.alarms if a.index >= max(cut, s.baseline)]
            ax.scatter([p.times[i] for i in bad], [s.values[i] for i in bad], s=36, facecolors="none",
                       edgecolors="red", linewidths=1.3, zorder=3, label=f"alarms: {len(bad)}")
            ax.set_title(_label(p), fontsize=11, loc="left")
            ax.set_ylabel(p.unit or "value", fontsize=10)
            ax.tick_params(labelsize=9)
            ax.legend(fontsize=8, loc="upper left", ncol=3, frameon=False)
            _time_axis(ax, t)
        fig.suptitle(f"{machine} · measured values · last reading {last:%d %b %Y %H:%M}", fontsize=12)
        return _save(plt, fig, path)


def residuals_png(panels: list[Panel], path: Path, machine: str, points: int) -> Path:
    """The control-chart view: each sensor's standardised series (AR residuals when whitened) and its limits."""
    with _LOCK:
        plt, fig, axes = _figure(panels)
        for ax, p in zip(axes, panels, strict=True):
            chart, cut = p.scheme.charts[0], max(0, len(p.scheme.values) - points)
            t, z = p.times[cut:], chart.values[cut:]
            ax.plot(t, z, lw=1, color="#1f4e79", marker="o", ms=2)
            for lim in (L_POINT, -L_POINT):
                ax.axhline(lim, color="#b22222", ls="--", lw=1)
            ax.axhline(0, color="green", lw=0.8)
            bad = [a.index for a in p.scheme.alarms if a.index >= cut]
            ax.scatter([p.times[i] for i in bad], [chart.values[i] for i in bad], s=36, facecolors="none",
                       edgecolors="red", linewidths=1.3, zorder=3)
            ax.set_title(f"{_label(p)}: {p.scheme.kind}", fontsize=9, loc="left", wrap=True)
            ax.set_ylabel("sigma", fontsize=9)
            ax.tick_params(labelsize=8)
            _time_axis(ax, t)
        fig.suptitle(f"{machine} · control charts (red circles: alarms of any of the four charts)", fontsize=11)
        return _save(plt, fig, path)


def _save(plt, fig, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
