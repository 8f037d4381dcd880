"""The product's one alarm definition measured as users read it (issue 24).

1. ``shopfloor sensor spc --json`` as a whole: its ``violations`` (distinct alarmed readings over all four charts)
   on 2,000 in-control readings (baseline: the default third), independent and AR(1) phi 0.5 / 0.8; the old
   CLI (monitor + raw moving range + raw EWMA + raw CUSUM, summed) in the same run as the baseline.
2. Delay to the first alarm after a 1.5-sigma step (sigma of the readings), 200-reading baseline.
3. Stored alarms (two signals in a day or one beyond 5 sigma) per in-control sensor-day, at 24 and 96
   readings a day, against lone chart signals.

    python benchmarks/bench_scheme.py [--replicates 40] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path


def stream(rng, phi: float, n: int, shift: float = 0.0, at: int = 0):
    import numpy as np

    e = rng.standard_normal(n) * np.sqrt(1 - phi ** 2)
    x = np.empty(n)
    x[0] = rng.standard_normal()
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    x[at:] += shift
    return x


def old_cli(x: list[float], base: int) -> int:
    from shopfloor.sensors import spc

    charts = [spc.monitor(x, base, "shewhart"), spc.moving_range(x), spc.ewma(x, baseline=base),
              spc.cusum(x, baseline=base)]
    return sum(len(c.violations) for c in charts)


def interval(values: list[float]) -> tuple[float, float, float]:
    import numpy as np

    v = np.asarray(values)
    half = 1.96 * v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
    return float(v.mean()), float(v.mean() - half), float(v.mean() + half)


def cli_rates(replicates: int) -> list[dict]:
    import numpy as np

    from shopfloor.sensors.report import spc_report

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for phi in (0.0, 0.5, 0.8):
            rng = np.random.default_rng(21)
            new, old = [], []
            for r in range(replicates):
                x = stream(rng, phi, 2000)
                f = Path(tmp) / f"s{r}.csv"
                f.write_text("v\n" + "\n".join(f"{v:.5f}" for v in x))
                res = spc_report(f, "v", Path(tmp) / "c.png", None, [], None, 1, "shewhart", None, None)
                watched = res["n"] - res["baseline"]
                new.append(res["violations"] / watched)
                old.append(old_cli(x.tolist(), res["baseline"]) / watched)
            out.append({"phi": phi, "violations_per_point": interval(new), "old_cli_per_point": interval(old)})
    return out


def delays(replicates: int) -> list[dict]:
    import numpy as np

    from shopfloor.sensors import scheme

    out = []
    for phi in (0.0, 0.5, 0.8):
        rng = np.random.default_rng(22)
        d = []
        for _ in range(replicates * 5):
            x = stream(rng, phi, 300, 1.5, 200)
            hits = [a.index - 200 for a in scheme.evaluate(x.tolist(), 200).alarms if a.index >= 200]
            d.append(hits[0] + 1 if hits else 101)
        out.append({"phi": phi, "median_delay": float(np.median(d)), "within_15": float(np.mean(np.array(d) <= 15))})
    return out


def stored(replicates: int) -> list[dict]:
    import numpy as np

    from shopfloor.sensors import scheme
    from shopfloor.sensors.status import SPIKE

    out = []
    for per_day in (24, 96):
        for phi in (0.0, 0.8):
            rng = np.random.default_rng(23)
            lone = kept = 0
            days = replicates * 10
            for _ in range(days):
                s = scheme.evaluate(stream(rng, phi, 200 + per_day).tolist(), 200)
                hits = [a for a in s.alarms if a.index >= 200]
                lone += bool(hits)
                kept += len(hits) >= 2 or any(abs(s.charts[0].values[a.index]) > SPIKE for a in hits)
            out.append({"readings_per_day": per_day, "phi": phi, "sensor_days_with_a_signal": lone / days,
                        "sensor_days_with_a_stored_alarm": kept / days})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replicates", type=int, default=40)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--data-dir", help="Accepted for benchmarks/run_all.py; this benchmark simulates its data.")
    args = ap.parse_args()
    res = {"cli": cli_rates(args.replicates), "delays": delays(args.replicates), "stored": stored(args.replicates)}
    if args.json:
        print(json.dumps(res, indent=2))
        return
    name = {0.0: "independent", 0.5: "AR(1) phi 0.5", 0.8: "AR(1) phi 0.8"}
    print(f"sensor spc --json on 2,000 in-control readings, {args.replicates} replicates (mean [95 % CI])\n")
    print("| stream | violations per monitored point | old CLI (sum of 4 charts, raw EWMA/CUSUM/MR) |\n|---|---|---|")
    for r in res["cli"]:
        n, o = r["violations_per_point"], r["old_cli_per_point"]
        print(f"| {name[r['phi']]} | {n[0]:.2%} [{n[1]:.2%}, {n[2]:.2%}] | {o[0]:.2%} [{o[1]:.2%}, {o[2]:.2%}] |")
    print("\n| stream | 1.5-sigma step: median readings to first alarm | caught within 15 |\n|---|---|---|")
    for r in res["delays"]:
        print(f"| {name[r['phi']]} | {r['median_delay']:.0f} | {r['within_15']:.0%} |")
    print("\n| readings a day | stream | in-control sensor-days with a chart signal | with a stored alarm |\n"
          "|---|---|---|---|")
    for r in res["stored"]:
        print(f"| {r['readings_per_day']} | {name[r['phi']]} | {r['sensor_days_with_a_signal']:.1%} | "
              f"{r['sensor_days_with_a_stored_alarm']:.1%} |")


if __name__ == "__main__":
    main()
