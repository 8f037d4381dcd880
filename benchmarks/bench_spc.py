"""Control-chart alarm rates by simulation: how often each chart alarms on in-control data, and how fast it
sees a real shift. Theory for the one-point 3-sigma rule on independent normal data: 0.27 % of points.

Streams: independent N(0, 1), and AR(1) with phi 0.5 and 0.8 (sensor data is usually autocorrelated).
Each replicate: 100 baseline points (limits, phase I) then 24 monitored points (phase II, what the
Machines tab checks); 400 replicates per case, seeded. Methods: individuals chart with Nelson rules
(the old default), individuals with the 3-sigma rule only, and ``spc.monitor`` (the new default: AR(1)
residuals when the baseline's lag-1 autocorrelation is significant, |r1| > 2/sqrt(n)). Out of control: a 2-sigma step (in
units of the stream's marginal sigma) at the first monitored point; reported as the share of
replicates that alarm within the 24 points. Run:

    python benchmarks/bench_spc.py [--replicates 400] [--json]
"""

from __future__ import annotations

import argparse
import json

BASE, WATCH = 100, 24


def stream(rng, phi: float, n: int, shift: float = 0.0):
    import numpy as np

    e = rng.standard_normal(n) * np.sqrt(1 - phi ** 2)  # marginal variance 1
    x = np.empty(n)
    x[0] = rng.standard_normal()
    for t in range(1, n):
        x[t] = phi * x[t - 1] + e[t]
    x[BASE:] += shift
    return x.tolist()


def alarms(method: str, x: list[float]) -> list[int]:
    from shopfloor.sensors import spc

    if method == "individuals + Nelson rules":
        chart = spc.individuals(x, "nelson", BASE)
    elif method == "individuals + 3-sigma rule":
        chart = spc.individuals(x, "shewhart", BASE)
    else:
        chart = spc.monitor(x, BASE)
    return [v.index for v in chart.violations if v.index >= BASE]


def main() -> None:
    import numpy as np

    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=400)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--data-dir", help="Accepted for benchmarks/run_all.py; this benchmark simulates its data.")
    args = ap.parse_args()
    methods = ["individuals + Nelson rules", "individuals + 3-sigma rule", "monitor (new default)"]
    out = []
    for phi in (0.0, 0.5, 0.8):
        for method in methods:
            rng = np.random.default_rng(7)
            points = flagged = any_in = detected = 0
            for _ in range(args.replicates):
                a = set(alarms(method, stream(rng, phi, BASE + WATCH)))
                points += WATCH
                flagged += len(a)
                any_in += bool(a)
                detected += bool(alarms(method, stream(rng, phi, BASE + WATCH, shift=2.0)))
            out.append({"phi": phi, "method": method, "false_alarm_per_point": flagged / points,
                        "in_control_days_with_an_alarm": any_in / args.replicates,
                        "shift_2sigma_detected_in_24": detected / args.replicates})
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{args.replicates} replicates per case; {BASE} baseline + {WATCH} monitored points; theory for the "
          "3-sigma rule on independent data: 0.27 % of points, 6.3 % of 24-point windows\n")
    print("| stream | method | false alarms per in-control point | 24-point windows with an alarm "
          "| 2-sigma shift caught within 24 |")
    print("|---|---|---|---|---|")
    for r in out:
        name = "independent" if r["phi"] == 0 else f"AR(1) phi {r['phi']}"
        print(f"| {name} | {r['method']} | {r['false_alarm_per_point']:.2%} | {r['in_control_days_with_an_alarm']:.1%} "
              f"| {r['shift_2sigma_detected_in_24']:.1%} |")


if __name__ == "__main__":
    main()
