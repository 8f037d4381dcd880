"""Which label (failure mode, component, defect) is rising: its share of each week's or month's rows on an
attribute control chart, against its own history.

A plain p-chart assumes binomial variation; complaint and work-order shares vary more than that from period to
period (weather, model mix, campaigns), so with large counts its limits are narrow and it alarms on most
periods. Laney's p' chart widens the limits by the variation the standardised points actually show
(sigma_z, the average moving range of z over 1.128); with sigma_z = 1 it is the p-chart. Limits come from the
history before the last periods (the baseline), so a rise is judged against what came before it.

Example:
    >>> rep = trends(dates, labels, period="month")  # doctest: +SKIP
    >>> [(r.label, r.since, round(r.ratio, 1)) for r in rep.rising]  # doctest: +SKIP
    [('REAR WINDOW', '2021-11', 3.4)]
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, Field

from shopfloor.errors import InputError

Period = Literal["week", "month"]
Chart = Literal["laney", "p"]
D2 = 1.128  # the moving range of two normal values is on average 1.128 sigma


class Point(BaseModel):
    label: str
    period: str
    count: int
    n: int  # every row of the period (all labels)
    rate: float
    center: float
    lcl: float
    ucl: float
    alarm: str | None  # "above" / "below" the limits, or None


class Rising(BaseModel):
    label: str
    since: str  # first period of the run above the centre line that ends in the latest, alarming period
    ratio: float | None  # the latest period's share over the baseline share; None: a label new in the latest periods
    rate: float
    center: float
    count: int


class TrendReport(BaseModel):
    period: Period
    chart: Chart
    periods: list[str]
    baseline_periods: int = Field(..., description="The first periods, from which the limits are computed.")
    series: list[Point] = []
    rising: list[Rising] = []
    sigma_z: dict[str, float] = {}  # per label; > 1: overdispersed (Laney widens the limits)

    def to_dict(self) -> dict:
        return self.model_dump()


def period_key(ts, period: Period) -> str:
    """'2021-11' for a month, '2021-W46' (ISO week) for a week."""
    if period == "month":
        return f"{ts.year:04d}-{ts.month:02d}"
    year, week, _ = ts.isocalendar()
    return f"{year:04d}-W{week:02d}"


def parse_dates(values):
    """Dates as the plant wrote them: ISO (with or without a time zone), 20200102, 02.01.2020 (day first when
    the column writes dots), Excel serial numbers (44927). Returns a pandas Series of naive Timestamps (local time
    as written; NaT where unreadable)."""
    import pandas as pd

    s = pd.Series(values).astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    kinds = {"compact": s.str.fullmatch(r"(19|20)\d{6}"), "serial": s.str.fullmatch(r"[2-7]\d{4}"),
             "dotted": s.str.match(r"\d{1,2}\.\d{1,2}\.\d{2,4}")}
    rest = ~(kinds["compact"] | kinds["serial"] | kinds["dotted"])
    out[kinds["compact"]] = pd.to_datetime(s[kinds["compact"]], format="%Y%m%d", errors="coerce")
    out[kinds["serial"]] = pd.to_datetime(s[kinds["serial"]].astype(int), unit="D", origin="1899-12-30")
    out[kinds["dotted"]] = pd.to_datetime(s[kinds["dotted"]], dayfirst=True, errors="coerce", format="mixed")
    if rest.any():  # the clock time as written: a time zone ("Z", "+02:00") is dropped, summer time mixes fine
        local = s[rest].str.replace(r"(?<=\d)(Z|[+-]\d{2}:?\d{2})$", "", regex=True)
        out[rest] = pd.to_datetime(local, errors="coerce", format="mixed")
    return out


def baseline_length(n_periods: int, recent: int = 3) -> int:
    """Periods the limits are computed from: all but the last ``recent`` when there are at least 8, else all."""
    return n_periods - recent if n_periods >= 8 else n_periods


def limits(counts: list[int], n: list[int], base: int, chart: Chart) -> tuple[float, list[float], list[float], float]:
    """(centre, lower limits, upper limits, sigma_z) of one label's shares, from its first ``base`` periods."""
    tot_c, tot_n = sum(counts[:base]), sum(n[:base])
    p = tot_c / tot_n if tot_n else 0.0
    sig = [math.sqrt(p * (1 - p) / k) if k else float("nan") for k in n]
    sigma_z = 1.0
    if chart == "laney":
        z = [(c / k - p) / s for c, k, s in zip(counts[:base], n[:base], sig[:base], strict=True) if k and s > 0]
        mr = [abs(b - a) for a, b in zip(z, z[1:], strict=False)]
        sigma_z = max(1.0, sum(mr) / len(mr) / D2) if mr else 1.0  # never narrower than the p-chart: sparse
        # periods (a label absent most months) give small moving ranges that are no evidence of underdispersion
    lcl = [max(0.0, p - 3 * s * sigma_z) if k else float("nan") for s, k in zip(sig, n, strict=True)]
    ucl = [min(1.0, p + 3 * s * sigma_z) if k else float("nan") for s, k in zip(sig, n, strict=True)]
    return p, lcl, ucl, sigma_z


def trends(dates, labels, period: Period = "month", chart: Chart = "laney", recent: int = 3,
           min_rows: int = 5, min_alarm_count: int = 3) -> TrendReport:
    """Shares of every label per period on a p' (or p) chart, and the labels rising in the latest period.

    Rows without a readable date or label are left out; labels with fewer than ``min_rows`` rows in all get no
    alarm, and a period above the limit with fewer than ``min_alarm_count`` rows of the label is not "rising"
    (two complaints are no trend). Raises InputError when fewer than 3 periods have rows.
    """
    import pandas as pd

    df = pd.DataFrame({"date": parse_dates(list(dates)), "label": pd.Series(list(labels)).astype(str).str.strip()})
    df = df[df["date"].notna() & ~df["label"].isin(["", "nan", "None", "n/a", "N/A"])]
    if df.empty:
        raise InputError("no row has both a readable date and a label")
    df["period"] = [period_key(t, period) for t in df["date"]]
    periods = sorted(df["period"].unique())
    if len(periods) < 3:
        raise InputError(f"the rows span {len(periods)} {period}(s); a trend needs at least 3")
    table = df.groupby(["label", "period"]).size().unstack(fill_value=0).reindex(columns=periods, fill_value=0)
    n = [int(v) for v in table.sum(axis=0)]
    rep = TrendReport(period=period, chart=chart, periods=periods,
                      baseline_periods=baseline_length(len(periods), recent))
    for label, row in table.iterrows():
        _label_series(rep, str(label), [int(v) for v in row], n, int(row.sum()) >= min_rows, min_alarm_count)
    rep.rising.sort(key=lambda r: -(r.ratio if r.ratio is not None else float("inf")))
    return rep


def _label_series(rep: TrendReport, label: str, counts: list[int], n: list[int], alarms: bool,
                  min_alarm_count: int) -> None:
    center, lcl, ucl, sigma_z = limits(counts, n, rep.baseline_periods, rep.chart)
    rep.sigma_z[label] = round(sigma_z, 3)
    points = []
    for per, c, k, lo, hi in zip(rep.periods, counts, n, lcl, ucl, strict=True):
        rate = c / k if k else 0.0
        alarm = ("above" if rate > hi else "below" if rate < lo else None) if alarms and k else None
        points.append(Point(label=label, period=per, count=c, n=k, rate=round(rate, 6), center=round(center, 6),
                            lcl=round(lo, 6), ucl=round(hi, 6), alarm=alarm))
    rep.series += points
    if points[-1].alarm == "above" and points[-1].count >= min_alarm_count:
        start = len(points) - 1
        while start > 0 and points[start - 1].rate > center:
            start -= 1
        rep.rising.append(Rising(label=label, since=points[start].period, rate=points[-1].rate, count=points[-1].count,
                                 ratio=round(points[-1].rate / center, 3) if center else None,
                                 center=round(center, 6)))


def render(rep: TrendReport, path, labels: list[str] | None = None, last: int = 24):
    """A PNG of up to 4 labels' shares over the last ``last`` periods with their centre line and upper limit,
    points above it in red (the rising labels first, else the most frequent). Readable at phone width."""
    from shopfloor.sensors.spc import _PLOT_LOCK

    with _PLOT_LOCK:
        return _render(rep, path, labels, last)


def _render(rep: TrendReport, path, labels: list[str] | None, last: int):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals: dict[str, int] = {}
    for p in rep.series:
        totals[p.label] = totals.get(p.label, 0) + p.count
    labels = (labels or [r.label for r in rep.rising] or sorted(totals, key=lambda k: -totals[k]))[:4]
    periods = rep.periods[-last:]
    fig, axes = plt.subplots(len(labels) or 1, 1, figsize=(5.5, 2.3 * max(1, len(labels))), squeeze=False,
                             sharex=True, layout="constrained")  # narrow with large text: readable at phone width
    for ax, label in zip(axes[:, 0], labels, strict=False):
        pts = [p for p in rep.series if p.label == label and p.period in periods]
        xs = [p.period for p in pts]
        ax.plot(xs, [100 * p.rate for p in pts], marker="o", ms=3, lw=1, color="#1f4e79")
        ax.plot(xs, [100 * p.center for p in pts], color="green", lw=1)
        ax.plot(xs, [100 * p.ucl for p in pts], "--", color="#b22222", lw=1)
        hot = [p for p in pts if p.alarm == "above"]
        ax.scatter([p.period for p in hot], [100 * p.rate for p in hot], s=40, facecolors="none", edgecolors="red")
        ax.set_title(f"{label}, % of rows", fontsize=12, loc="left")
        ax.tick_params(axis="both", labelsize=10)
        ax.tick_params(axis="x", labelrotation=90)
        ax.set_xticks(xs[::max(1, len(xs) // 8)])
    fig.suptitle("green: usual share · dashed: upper limit · red circle: above it", fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def pareto(rep: TrendReport, top: int = 8) -> list[tuple[str, int, int]]:
    """(label, rows in the latest period, rows in the one before) of the ``top`` labels of the latest period, most
    first: the Pareto of this period against the previous one."""
    if len(rep.periods) < 2:
        return []
    now, before = rep.periods[-1], rep.periods[-2]
    counts: dict[str, list[int]] = {}
    for p in rep.series:
        if p.period in (now, before):
            counts.setdefault(p.label, [0, 0])[p.period == before] += p.count
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    return [(label, c[0], c[1]) for label, c in ranked[:top] if c[0] or c[1]]


def render_pareto(rep: TrendReport, path, top: int = 8):
    """A PNG of :func:`pareto`: horizontal bars, this period dark over the previous one light."""
    from shopfloor.sensors.spc import _PLOT_LOCK

    with _PLOT_LOCK:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = pareto(rep, top)[::-1]  # the largest at the top
        fig, ax = plt.subplots(figsize=(5.5, 0.45 * max(3, len(rows)) + 1.0), layout="constrained")
        ys = range(len(rows))
        ax.barh([y + 0.2 for y in ys], [r[2] for r in rows], height=0.4, color="#9db9d3",
                label=rep.periods[-2] if len(rep.periods) > 1 else "")
        ax.barh([y - 0.2 for y in ys], [r[1] for r in rows], height=0.4, color="#1f4e79", label=rep.periods[-1])
        ax.set_yticks(list(ys), [r[0][:28] for r in rows], fontsize=10)
        ax.tick_params(axis="x", labelsize=10)
        ax.set_xlabel("rows", fontsize=10)
        ax.legend(fontsize=9, loc="lower right")
        ax.set_title(f"Pareto: {rep.periods[-1]} against the {rep.period} before", fontsize=12, loc="left")
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return path
