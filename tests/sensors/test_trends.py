"""Rising labels on attribute charts: a doubled share in the last months is found with since-when, a steady
history raises nothing, plants' date spellings are read, and the CLI keeps its contract keys."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from shopfloor.errors import InputError
from shopfloor.sensors.trends import parse_dates, trends


def _plant(rise: float, seed: int = 1, months: int = 24):
    rng = np.random.default_rng(seed)
    dates, labels = [], []
    for m in range(months):
        p = np.array([0.1, 0.3, 0.6])
        if m >= months - 2:
            p[0] *= rise
        counts = rng.multinomial(1000, p / p.sum())
        day = (pd.Timestamp(2021, 1, 10) + pd.DateOffset(months=m)).strftime("%Y%m%d")
        for label, c in zip(("seal leak", "bearing", "other"), counts, strict=True):
            dates += [day] * int(c)
            labels += [label] * int(c)
    return dates, labels


def test_a_doubled_share_is_rising_since_it_began():
    rep = trends(*_plant(rise=2.5), period="month")
    assert [r.label for r in rep.rising] == ["seal leak"]
    r = rep.rising[0]
    # the rise began in 2022-11 (the last two of 24 months); "since" is the start of the run above the centre
    # line that ends there, which may begin a month or two earlier by chance, never later
    assert "2022-06" <= r.since <= "2022-11" and r.ratio > 1.8
    last = [p for p in rep.series if p.label == "seal leak"][-1]
    assert last.alarm == "above" and last.rate > last.ucl


def test_a_steady_history_raises_nothing():
    rep = trends(*_plant(rise=1.0), period="month")
    assert rep.rising == []
    assert len(rep.periods) == 24 and rep.baseline_periods == 21


def test_dates_as_plants_write_them():
    got = parse_dates(["20200102", "2020-01-03", "2020-01-04 08:15"])
    assert [d.strftime("%Y-%m-%d") for d in got] == ["2020-01-02", "2020-01-03", "2020-01-04"]
    german = parse_dates(["02.01.2020", "13.01.2020", "n/a"])
    assert german[0].month == 1 and german[0].day == 2 and pd.isna(german[2])


def test_too_short_or_unreadable_histories_are_refused():
    with pytest.raises(InputError, match="at least 3"):
        trends(["2020-01-01", "2020-02-01"], ["a", "b"])
    with pytest.raises(InputError, match="readable date"):
        trends(["soon", ""], ["a", "b"])


def test_cli_contract_keys(tmp_path, cli_runner):
    dates, labels = _plant(rise=2.5)
    f = tmp_path / "Reklamationen.csv"
    pd.DataFrame({"Datum": dates, "Fehlerart": labels}).to_csv(f, sep=";", index=False)
    res = cli_runner("trends", "--data", str(f), "--date-col", "Datum", "--label-col", "Fehlerart", "--period",
                     "month", "--json")
    out = json.loads(res.output)
    assert {"label", "period", "count", "rate", "lcl", "ucl", "alarm"} <= set(out["series"][0])
    assert out["rising"][0]["label"] == "seal leak" and {"since", "ratio"} <= set(out["rising"][0])
    bad = cli_runner("trends", "--data", str(f), "--date-col", "Date", "--label-col", "Fehlerart", code=None)
    assert bad.exit_code != 0 and "not found" in str(bad.exception or bad.output)


def test_workspace_trends_count_a_reviewed_correction_with_its_corrected_label(tmp_path):
    from shopfloor.assistant.pipeline.trends import workspace_trends
    from shopfloor.errors import NotFoundError
    from shopfloor.workspace import Workspace

    ws = Workspace.open(tmp_path / "ws")
    dates, labels = _plant(rise=2.5, months=12)
    with ws.connect() as conn:
        conn.executemany("INSERT INTO classifications (created_at, task, text, label) VALUES (?, 'fm', ?, ?)",
                         [(pd.Timestamp(d).strftime("%Y-%m-%d 10:00:00"), f"row {i}", lab)
                          for i, (d, lab) in enumerate(zip(dates, labels, strict=True))])
        first = conn.execute("SELECT id, text FROM classifications WHERE label = 'other' ORDER BY id DESC LIMIT 1"
                             ).fetchone()
        conn.execute("INSERT INTO reviews (classification_id, task, text, predicted, label, user) "
                     "VALUES (?, 'fm', ?, 'other', 'seal leak', 'eng')", (first[0], first[1]))
        conn.commit()
    rep = workspace_trends(ws, "fm", "month")
    assert [r.label for r in rep.rising] == ["seal leak"]
    last = {p.label: p.count for p in rep.series if p.period == rep.periods[-1]}
    raw = sum(1 for d, lab in zip(dates, labels, strict=True) if d.startswith(rep.periods[-1].replace("-", ""))
              and lab == "seal leak")
    assert last["seal leak"] == raw + 1  # the corrected row counts as what the engineer said
    with pytest.raises(NotFoundError):
        workspace_trends(ws, "no_such_task")


def test_time_zones_iso_beside_german_dates_and_excel_serials():
    got = parse_dates(["2024-01-01T00:00:00Z", "2024-07-01T00:30:00+02:00", "2020-01-02", "03.01.2020", "44927",
                       44958.0])
    assert [d.strftime("%Y-%m-%d %H:%M") for d in got] == ["2024-01-01 00:00", "2024-07-01 00:30", "2020-01-02 00:00",
                                                           "2020-01-03 00:00", "2023-01-01 00:00", "2023-02-01 00:00"]


def test_a_label_new_in_the_latest_months_is_rising_without_a_ratio():
    dates, labels = _plant(rise=1.0, months=12)
    dates += ["20211215"] * 40
    labels += ["new crack"] * 40
    rep = trends(dates, labels, period="month")
    new = [r for r in rep.rising if r.label == "new crack"]
    assert new and new[0].ratio is None


def test_the_pareto_sets_this_period_against_the_one_before(tmp_path):
    from shopfloor.sensors.trends import pareto, render_pareto, trends

    dates = ["2026-01-05"] * 4 + ["2026-02-05"] * 6 + ["2026-03-05"] * 7
    labels = ["leak"] * 4 + ["leak"] * 4 + ["noise"] * 2 + ["noise"] * 5 + ["leak"] * 1 + ["crack"] * 1
    rep = trends(dates, labels, "month")
    assert pareto(rep) == [("noise", 5, 2), ("leak", 1, 4), ("crack", 1, 0)]  # ties: the larger before first
    png = render_pareto(rep, tmp_path / "p.png")
    assert png.stat().st_size > 5000 and png.read_bytes()[:4] == b"\x89PNG"
