"""False alarms and detection of the "rising" trend charts (sensors/trends.py): plain p-chart vs Laney p'.

In-control simulation: 20 labels over 36 months, 200-2,000 rows a month, each label's monthly share drawn
around its own mean either binomially (no extra variation) or with month-to-month variation as real complaint
data has it (log-normal, sd 0.3); every point after the 33-month baseline that alarms is a false alarm.
Detection: one label's share doubled (x2) or tripled (x3) in the last 3 months; how often the last month alarms.
Real history: the share of monthly points alarming on the shared vehicle complaints by component (no ground
truth: a reading of how busy each chart is). Run:

    python benchmarks/bench_trends.py [--runs 200] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def simulate(rng, overdispersion: float, rise: float = 1.0, labels: int = 20, months: int = 36):
    """(dates, labels) of one synthetic plant; label 0's share is multiplied by ``rise`` in the last 3 months."""
    import pandas as pd

    base = rng.dirichlet(np.ones(labels) * 2)
    dates, labs = [], []
    for m in range(months):
        n = int(rng.integers(200, 2000))
        p = base * np.exp(rng.normal(0, overdispersion, labels)) if overdispersion else base.copy()
        if m >= months - 3:
            p[0] *= rise
        p = p / p.sum()
        counts = rng.multinomial(n, p)
        day = pd.Timestamp(2020, 1, 15) + pd.DateOffset(months=m)
        for k, c in enumerate(counts):
            dates += [day] * int(c)
            labs += [f"L{k}"] * int(c)
    return dates, labs


def rates(runs: int, seed: int = 0) -> list[str]:
    from shopfloor.sensors.trends import trends

    rows = []
    for od in (0.0, 0.3):
        for chart in ("p", "laney"):
            rng = np.random.default_rng(seed)
            fa = pts = 0
            det = {2.0: 0, 3.0: 0}
            for _ in range(runs):
                rep = trends(*simulate(rng, od), "month", chart)
                recent = [p for p in rep.series if p.period in rep.periods[rep.baseline_periods:]]
                fa += sum(p.alarm == "above" for p in recent)
                pts += len(recent)
            for rise in det:
                rng = np.random.default_rng(seed + 1)
                for _ in range(runs):
                    rep = trends(*simulate(rng, od, rise), "month", chart)
                    det[rise] += any(r.label == "L0" for r in rep.rising)
            rows.append(f"| {'binomial' if not od else 'overdispersed (sd 0.3)'} | {chart} | {fa / pts:.4f} "
                        f"({fa}/{pts}) | {det[2.0] / runs:.2f} | {det[3.0] / runs:.2f} |")
    return rows


def real(data: Path) -> list[str]:
    import pandas as pd

    from shopfloor.sensors.trends import trends

    df = pd.read_csv(data / "complaints" / "vehicle_complaints_train.csv")
    out = []
    for chart in ("p", "laney"):
        rep = trends(df["fail_date"], df["component"], "month", chart)
        alarms = sum(p.alarm == "above" for p in rep.series)
        big = sorted(rep.sigma_z.items(), key=lambda kv: -kv[1])[:3]
        out.append(f"| {chart} | {alarms}/{len(rep.series)} = {alarms / len(rep.series):.4f} | "
                   f"{', '.join(r.label for r in rep.rising) or '-'} | "
                   f"{', '.join(f'{k} {v:.2f}' for k, v in big)} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = ap.parse_args()
    print(f"## Simulated plants ({args.runs} per row; false alarms: points above the limit in the 3 months after "
          "the baseline)\n")
    print("| monthly shares | chart | false alarm rate per point | detects x2 rise | detects x3 rise |")
    print("|---|---|---|---|---|")
    print("\n".join(rates(args.runs)))
    if args.data.exists():
        print("\n## Real complaint history (vehicle complaints by component, monthly)\n")
        print("| chart | points above the limit | rising in the last month | largest sigma_z |")
        print("|---|---|---|---|")
        print("\n".join(real(args.data)))


if __name__ == "__main__":
    main()
