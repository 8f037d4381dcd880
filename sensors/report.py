"""``shopfloor sensor spc``: one column of a plant's file charted with the product's one alarm scheme.

The same reading of cells as an import (:func:`columns.to_numbers`: "n/a" is missing, other text is
non-numeric), the same whitening and alarm budget as the Machines tab (:mod:`scheme`); ``--machine`` keeps one
machine's rows. Indices in the result are 0-based rows of the input file; ``point`` is the position on the chart.
"""

from __future__ import annotations

from pathlib import Path

from shopfloor.errors import InputError
from shopfloor.sensors import columns as cols


def _rows(data: Path, column: str, machine: str | None, mapping: list[str]):
    from shopfloor.machines import machine_key
    from shopfloor.sensors.readings import read_file

    df = read_file(data)
    if column not in df.columns:
        raise InputError(f"column {column!r} not found; columns are {list(df.columns)}")
    role = cols.roles(df, cols.parse_map(mapping))
    if machine is not None:
        mcol = next((c for c, r in role.items() if r == "machine_id"), None)
        if mcol is None:
            raise InputError(f"--machine needs a machine column; none found among {list(df.columns)} "
                             "(name it with --map 'COL=machine_id')")
        keep = df[mcol].astype(str).map(machine_key) == machine_key(machine)
        if not keep.any():
            raise InputError(f"no rows of machine {machine!r} in {data.name}; machines there: "
                             f"{sorted(df[mcol].astype(str).unique())[:20]}")
        df = df[keep]
    tcol = next((c for c, r in role.items() if r == "timestamp"), None)
    times = cols.parse_times(df[tcol]) if tcol is not None else None
    return df, times


def spc_report(data: Path, column: str, out: Path, machine: str | None, mapping: list[str], baseline: int | None,
               subgroup: int, rules: str, lsl: float | None, usl: float | None) -> dict:
    """The charts, alarms and capability of ``column`` as one dict (the CLI's JSON; keys are the contract)."""
    from shopfloor.sensors import spc

    df, times = _rows(Path(data), column, machine, mapping)
    series, missing, non_numeric = cols.to_numbers(df[column])
    kept = [i for i, ok in enumerate(series.notna().tolist()) if ok]
    rows = [int(r) for r in df.index[kept]]  # 0-based rows of the file (the header is not a row)
    values = series.iloc[kept].astype(float).tolist()
    base = baseline if baseline is not None else spc.default_baseline(len(values))
    if subgroup == 1 and base >= len(values):
        raise InputError(f"--baseline {base} leaves nothing to monitor: the column has {len(values)} numeric readings")
    try:
        charts, alarms = _charts(values, base, subgroup, rules)
        cap = spc.capability(values, lsl, usl) if (lsl is not None or usl is not None) else None
    except ValueError as e:
        raise InputError(str(e)) from None
    stamps = times.iloc[kept].tolist() if times is not None and times.iloc[kept].notna().all() else None
    spc.render(charts, out, f"{Path(data).name} · {column}" + (f" · {machine}" if machine else ""), stamps)
    dicts = [c.to_dict() for c in charts]
    for c, d in zip(charts, dicts, strict=True):
        if c.kind not in ("xbar", "range"):  # subgroup charts count subgroups, not rows
            for v in d["violations"]:
                v["point"], v["index"] = v["index"], rows[v["index"]]
    return {"column": column, "machine": machine, "rows": len(df), "n": len(values),
            "dropped": {"missing": missing, "non_numeric": non_numeric},
            "baseline": base if subgroup == 1 else None, "rules": rules, "png": str(out), "charts": dicts,
            "violations": alarms, "capability": cap}


def _charts(values: list[float], base: int, subgroup: int, rules: str):
    """(charts, number of alarmed readings): the scheme's value view and four charts, or X-bar/R."""
    from shopfloor.sensors import scheme, spc
    from shopfloor.sensors.rules import check

    if subgroup > 1:
        xbar, rng = spc.xbar_r(values, subgroup, rules)
        return [xbar, rng], len({v.index for v in xbar.violations} | {v.index for v in rng.violations})
    s = scheme.evaluate(values, base)
    lo, hi = s.band()
    shown = spc.Chart(f"measured values, expected band ({s.kind})", s.values, sum(values[:base]) / base, hi, lo,
                      s.sigma, list(s.alarms))
    charts = [shown, *s.charts]
    if rules != "shewhart":
        z = s.charts[0].values
        extra = [v for v in check(z[base:], 0.0, 1.0, rules) if v.rule != "shewhart"]
        charts[1].violations += [type(v)(v.rule, v.index + base, v.description) for v in extra]
    alarmed = {v.index for c in charts[1:] for v in c.violations}
    return charts, len(alarmed)
