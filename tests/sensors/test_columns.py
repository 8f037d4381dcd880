"""Columns as plants name them: units from headers, roles by meaning, cells read one way everywhere."""

from __future__ import annotations

import pandas as pd
import pytest

from shopfloor.sensors import columns as cols


@pytest.mark.parametrize(("header", "unit"), [
    ("Lagertemperatur (°C)", "°C"), ("Process temperature [K]", "K"), ("Flow l/min", "l/min"), ("rpm", "rpm"),
    ("Drehzahl [1/min]", "rpm"), ("Schwingung (mm/s)", "mm/s"), ("温度 (℃)", "°C"), ("Pressure_bar", "bar"),
    ("Status", ""), ("Durchfluss (m3/h)", "m³/h"),
])
def test_unit_of_header(header, unit):
    assert cols.unit_of(header) == unit


def test_roles_by_meaning_in_three_languages_and_by_content():
    de = pd.DataFrame({"Zeit": ["2026-01-01 00:00"], "Anlage": ["P1"], "Druck (bar)": ["1"]})
    zh = pd.DataFrame({"时间": ["2026-01-01 00:00"], "设备": ["P1"], "温度 (℃)": ["1"]})
    anon = pd.DataFrame({"when": ["01.02.2026 10:00"] * 3, "asset": ["P1"] * 3, "x": ["1"] * 3})
    assert cols.roles(de) == {"Zeit": "timestamp", "Anlage": "machine_id", "Druck (bar)": "sensor"}
    assert cols.roles(zh)["时间"] == "timestamp" and cols.roles(zh)["设备"] == "machine_id"
    assert cols.roles(anon)["when"] == "timestamp"  # found by its dates
    assert cols.parse_times(anon["when"])[0] == pd.Timestamp("2026-02-01 10:00")  # German day first


def test_cells_are_counted_the_same_way_everywhere():
    values, missing, bad = cols.to_numbers(pd.Series(["1.5", "", "n/a", "NA", "-", "ERR", "12,5", "7"]))
    assert (missing, bad) == (4, 1)
    assert values.dropna().tolist() == [1.5, 12.5, 7.0]


def test_implausible_readings_and_counters():
    assert cols.implausible(pd.Series([20.0, -999.0, 9999.0]), "°C").tolist() == [False, True, True]
    assert cols.implausible(pd.Series([-999.0]), "").tolist() == [False]  # no unit: nothing judged
    wear = pd.Series([float(i % 50) for i in range(200)])  # tool wear: grows, resets at tool change
    assert cols.is_counter(wear) and not cols.is_counter(pd.Series([1.0, 3.0, 2.0, 4.0] * 20))
