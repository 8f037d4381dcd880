"""`shopfloor sensor spc` as the issue's contract calls it: baseline, input rows as indices, dropped cells counted."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np


def _spc(*args):
    return subprocess.run([sys.executable, "-m", "assistant", "sensor", "spc", *args], capture_output=True, text=True,
                          timeout=120)


def test_spc_baseline_rows_and_dropped_cells(tmp_path):
    rng = np.random.default_rng(3)
    x = list(np.round(rng.normal(50, 1, 80), 3))
    x[60] = 80.0  # a real excursion, after the baseline
    cells = [str(v) for v in x]
    cells[10], cells[20] = "", "n/a"  # an empty and a text cell before it
    f = tmp_path / "r.csv"
    f.write_text("t,temp\n" + "\n".join(f"{i},{c}" for i, c in enumerate(cells)) + "\n")
    res = _spc("--data", str(f), "--column", "temp", "--out", str(tmp_path / "c.png"), "--baseline", "40", "--json")
    assert res.returncode == 0, res.stderr[-1500:]
    r = json.loads(res.stdout)
    assert r["dropped"] == {"missing": 2, "non_numeric": 0}  # "n/a" is missing, as on import
    assert r["n"] == 78 and r["baseline"] == 40
    first = r["charts"][0]
    assert 60 in [v["index"] for v in first["violations"]]  # the input row, not the position after dropping
    assert all(v["index"] >= 40 for v in first["violations"])  # the baseline is not judged against itself
    assert (tmp_path / "c.png").stat().st_size > 1000
    default = json.loads(_spc("--data", str(f), "--column", "temp", "--out", str(tmp_path / "d.png"), "--json").stdout)
    assert default["baseline"] == 26 and default["rules"] == "shewhart"  # a third of 78 readings
    bad = _spc("--data", str(f), "--column", "temp", "--out", str(tmp_path / "e.png"), "--baseline", "500")
    assert bad.returncode == 2 and "leaves nothing to monitor" in bad.stderr
