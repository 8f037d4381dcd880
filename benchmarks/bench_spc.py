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

``--arl`` instead measures average run lengths (points until the first alarm) of the product's three
charts - the 3-sigma rule, EWMA (lambda 0.2, L 3; also with the asymptotic limits the theory assumes) and
tabular CUSUM (k 0.5, h 5) - on independent normal
data, in control and after a step of 0.5-2 sigma, against theory (sensors/arl.py: exact for Shewhart,
Markov chains for EWMA and CUSUM; for the Machines tab's pair of a 3.5-sigma rule and a CUSUM, the
independence approximation 1/ARL = 1/ARL_S + 1/ARL_C): first with the true mean and sigma given, then with both estimated
from a 100-point phase I as the product does (which changes the in-control ARL a lot):

    python benchmarks/bench_spc.py --arl [--replicates 1000] [--json]

``--demo N``: the Machines tab's alarms on N simulated demo plants (the demo's generator, other seeds).
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
    elif method == "monitor, 3-sigma rule":
        chart = spc.monitor(x, BASE)
    else:
        chart = spc.monitor(x, BASE, cusum_check=True)
    return [v.index for v in chart.violations if v.index >= BASE]


SHIFTS = (0.0, 0.5, 1.0, 1.5, 2.0)
CHARTS = ("3-sigma rule", "EWMA (lambda 0.2, L 3)", "CUSUM (k 0.5, h 5)", "EWMA, asymptotic limits",
          "3.5-sigma rule + CUSUM (Machines tab)")


def run_length(chart: str, x: list[float], start: int = 0, known: bool = True) -> int | None:
    """Points from ``start`` to the first alarm of the product's chart (1 = alarm at once); None: none in x."""
    from shopfloor.sensors import rules, spc

    std = {"center": 0.0, "sigma": 1.0} if known else {"baseline": start}
    if chart == CHARTS[4]:
        if known:
            hits = [i for i, v in enumerate(x) if abs(v) > spc.COMBINED_L]
            hits += [v.index for v in spc.cusum(x, 0.5, 5.0, **std).violations]
        else:
            hits = [v.index for v in spc.monitor(x, start, cusum_check=True).violations]
        hits = sorted(hits)
    elif chart == CHARTS[0]:
        if known:
            hits = [v.index for v in rules.check(x, 0.0, 1.0, "shewhart")]
        else:
            hits = [v.index for v in spc.individuals(x, "shewhart", start).violations]
    elif chart in (CHARTS[1], CHARTS[3]):
        hits = [v.index for v in spc.ewma(x, 0.2, 3.0, **std, asymptotic=chart == CHARTS[3]).violations]
    else:
        hits = [v.index for v in spc.cusum(x, 0.5, 5.0, **std).violations]
    hits = [i for i in hits if i >= start]
    return hits[0] - start + 1 if hits else None


def theory(chart: str, delta: float) -> float:
    from shopfloor.sensors.arl import cusum_arl, ewma_arl, shewhart_arl

    if chart == CHARTS[0]:
        return shewhart_arl(delta)
    if chart == CHARTS[4]:  # approximate: the two rules treated as independent, 1/ARL = 1/ARL_S + 1/ARL_C
        return 1.0 / (1.0 / shewhart_arl(delta, 3.5) + 1.0 / cusum_arl(delta, 0.5, 5.0))
    return ewma_arl(delta, 0.2, 3.0) if chart in (CHARTS[1], CHARTS[3]) else cusum_arl(delta, 0.5, 5.0)


def arl_table(replicates: int) -> list[dict]:
    """Simulated ARLs of the product's charts against theory; series long enough that censoring is negligible."""
    import numpy as np

    out = []
    for known in (True, False):
        for chart in (CHARTS if known else (*CHARTS[:3], CHARTS[4])):
            for delta in (SHIFTS if known else (0.0, 1.0)):
                rng = np.random.default_rng(11)
                expect = theory(chart, delta)
                # long enough that a run is almost never cut off (estimated limits: run lengths have a long tail)
                n = int((10 if known else 40) * expect) + 50
                lengths, censored = [], 0
                for _ in range(replicates):
                    base = [] if known else rng.standard_normal(BASE).tolist()
                    x = base + (rng.standard_normal(n) + delta).tolist()
                    rl = run_length(chart, x, start=len(base), known=known)
                    censored += rl is None
                    lengths.append(n if rl is None else rl)
                a = np.array(lengths, dtype=float)
                out.append({"limits": "known" if known else f"estimated from {BASE} points", "chart": chart,
                            "shift_sigma": delta, "arl_theory": expect, "arl_simulated": float(a.mean()),
                            "arl_se": float(a.std(ddof=1) / np.sqrt(len(a))), "median_run_length": float(np.median(a)),
                            "censored": censored, "replicates": replicates, "series_length": n})
    return out


def table(header: list[str], rows: list[list[str]]) -> None:
    """A Markdown table on stdout."""
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")


def print_arl(rows: list[dict]) -> None:
    print(f"{rows[0]['replicates']} replicates per cell, independent N(0, 1) data, step shift at the first monitored "
          "point; theory from sensors/arl.py (exact for the 3-sigma rule, Markov chains for EWMA/CUSUM)\n")
    table(["limits", "chart", "shift (sigma)", "ARL theory", "ARL simulated (± s.e.)", "median run length", "censored"],
          [[r["limits"], r["chart"], f"{r['shift_sigma']:g}", f"{r['arl_theory']:.1f}",
            f"{r['arl_simulated']:.1f} ± {r['arl_se']:.1f}", f"{r['median_run_length']:.0f}", r["censored"]] for r in rows])


def demo_plants(replicates: int) -> list[dict]:
    """The Machines tab's check on simulated demo plants (the demo generator with other seeds): alarms per machine
    in its last 24 readings, limits from the 200 before, for the default pair and for the 3-sigma rule alone."""
    import random
    from datetime import datetime

    import numpy as np

    from shopfloor.assistant.demo._sensors import AI4I_COLUMNS, PROFILES, process_rows
    from shopfloor.sensors import spc
    from shopfloor.sensors.status import BASELINE

    RECENT = 24  # the demo's hourly readings: one day
    SPC_SENSORS = ["Torque [Nm]", "Process temperature [K]", "Rotational speed [rpm]"]  # the pair's sensors then

    col = {s: 2 + AI4I_COLUMNS.index(s) for s in SPC_SENSORS}  # rows are timestamp, machine_id, AI4I columns
    out = []
    for pair in (True, False):
        per = {m: {"alarms": [], "day": [], "torque_day": []} for m in PROFILES}
        for seed in range(replicates):
            rng = random.Random(seed)
            for j, m in enumerate(PROFILES):
                rows = process_rows(m, 500, datetime(2026, 9, 1), rng, 1000 * j)[-(BASELINE + RECENT):]
                counts = {}
                for s in SPC_SENSORS:
                    chart = spc.monitor([r[col[s]] for r in rows], BASELINE, cusum_check=pair)
                    counts[s] = len({v.index for v in chart.violations if v.index >= BASELINE})
                per[m]["alarms"].append(sum(counts.values()))
                per[m]["day"].append(any(counts.values()))
                per[m]["torque_day"].append(bool(counts["Torque [Nm]"]))
        for m, r in per.items():
            out.append({"rules": "3.5-sigma + CUSUM (Machines tab)" if pair else "3-sigma rule", "machine": m,
                        "degraded": PROFILES[m][3] > 0, "alarms_per_day": float(np.mean(r["alarms"])),
                        "days_with_an_alarm": float(np.mean(r["day"])),
                        "days_with_a_torque_alarm": float(np.mean(r["torque_day"])), "plants": replicates})
    return out


def main() -> None:
    import numpy as np

    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=400)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--arl", action="store_true", help="average run lengths against theory instead")
    ap.add_argument("--demo", type=int, metavar="N", help="instead: the Machines tab's alarms on N simulated demo plants")
    ap.add_argument("--data-dir", help="Accepted for benchmarks/run_all.py; this benchmark simulates its data.")
    args = ap.parse_args()
    if args.demo:
        rows = demo_plants(args.demo)
        if args.json:
            print(json.dumps(rows, indent=2))
            return
        print(f"{args.demo} simulated demo plants (demo generator, seeds 0..{args.demo - 1}); theory for an in-control "
              "machine: 3 sensors x 24 points / ARL (0.19 alarms per day at ARL 370-383)\n")
        table(["rules", "machine", "degraded by the generator", "alarms per day", "days with an alarm",
               "days with a torque alarm"],
              [[r["rules"], r["machine"], "yes" if r["degraded"] else "no", f"{r['alarms_per_day']:.2f}",
                f"{r['days_with_an_alarm']:.0%}", f"{r['days_with_a_torque_alarm']:.0%}"] for r in rows])
        return
    if args.arl:
        rows = arl_table(args.replicates)
        print(json.dumps(rows, indent=2)) if args.json else print_arl(rows)
        return
    methods = ["individuals + Nelson rules", "individuals + 3-sigma rule", "monitor, 3-sigma rule",
               "monitor, 3.5-sigma rule + CUSUM (Machines tab)"]
    out = []
    for phi in (0.0, 0.5, 0.8):
        for method in methods:
            rng = np.random.default_rng(7)
            points = flagged = any_in = detected = small = 0
            for _ in range(args.replicates):
                a = set(alarms(method, stream(rng, phi, BASE + WATCH)))
                points += WATCH
                flagged += len(a)
                any_in += bool(a)
                detected += bool(alarms(method, stream(rng, phi, BASE + WATCH, shift=2.0)))
                small += bool(alarms(method, stream(rng, phi, BASE + WATCH, shift=1.0)))
            out.append({"phi": phi, "method": method, "false_alarm_per_point": flagged / points,
                        "in_control_days_with_an_alarm": any_in / args.replicates,
                        "shift_2sigma_detected_in_24": detected / args.replicates,
                        "shift_1sigma_detected_in_24": small / args.replicates})
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{args.replicates} replicates per case; {BASE} baseline + {WATCH} monitored points; theory for the "
          "3-sigma rule on independent data: 0.27 % of points, 6.3 % of 24-point windows\n")
    table(["stream", "method", "false alarms per in-control point", "24-point windows with an alarm",
           "1-sigma shift caught within 24", "2-sigma shift caught within 24"],
          [["independent" if r["phi"] == 0 else f"AR(1) phi {r['phi']}", r["method"],
            f"{r['false_alarm_per_point']:.2%}", f"{r['in_control_days_with_an_alarm']:.1%}",
            f"{r['shift_1sigma_detected_in_24']:.1%}", f"{r['shift_2sigma_detected_in_24']:.1%}"] for r in out])


if __name__ == "__main__":
    main()
