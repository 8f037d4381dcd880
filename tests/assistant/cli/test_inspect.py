"""`shopfloor inspect train/eval/run`, exactly as the issue's contract calls them, on synthetic surfaces."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile


def _run(*args, ws):
    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(ws)}
    return subprocess.run([sys.executable, "-m", "assistant", "inspect", *args], capture_output=True, text=True,
                          timeout=600, env=env)


def _json(res) -> dict:
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout)


def test_train_eval_run_contract(surfaces, tmp_path):
    ws = tmp_path / "ws"
    m = _json(_run("train", "--data", str(surfaces / "train"), "--out", str(tmp_path / "clf"), "--json", ws=ws))
    assert m["kind"] == "classifier" and len(m["classes"]) == 6 and m["cv_accuracy"] >= 0.8
    e = _json(_run("eval", "--model", str(tmp_path / "clf"), "--data", str(surfaces / "test"), "--json", ws=ws))
    assert e["accuracy"] >= 0.8 and 0 <= e["macro_f1"] <= 1

    a = _json(_run("train", "--data", str(surfaces / "train"), "--out", str(tmp_path / "an"), "--anomaly",
                   "--normal-class", "clean", "--json", ws=ws))
    assert a["kind"] == "anomaly" and a["images"] == 10  # fitted on the clean folder only
    e = _json(_run("eval", "--model", str(tmp_path / "an"), "--data", str(surfaces / "test"), "--json", ws=ws))
    assert e["auroc"] >= 0.9 and "pixel_auroc" not in e  # no masks/ beside the data
    e = _json(_run("eval", "--model", str(tmp_path / "an"), "--data", str(surfaces / "test"),
                   "--masks", str(surfaces / "test_masks"), "--json", ws=ws))
    assert e["auroc"] >= 0.9 and e["pixel_auroc"] >= 0.8 and e["masked_images"] >= 10
    assert set(e["pixel_auroc_by_class"]) <= {"scratch", "pit", "inclusion", "patch", "crack"}

    z = tmp_path / "batch.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted((surfaces / "test").rglob("*.png"))[::4]:
            zf.write(p, f"{p.parent.name}/{p.name}")
        zf.writestr("broken.png", b"not a png")
    out = tmp_path / "out" / "results.csv"
    r = _json(_run("run", "--model", str(tmp_path / "clf"), "--model", str(tmp_path / "an"), "--input", str(z),
                   "--output", str(out), "--heatmaps", str(tmp_path / "hm"), "--json", ws=ws))
    n = len(sorted((surfaces / "test").rglob("*.png"))[::4]) + 1
    assert r["images"] == n and r["errors"] == 1
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == n and {"image", "label", "confidence", "needs_review", "anomaly_score", "error"} <= set(rows[0])
    assert len(list((tmp_path / "hm").glob("*.png"))) == n - 1
    import sqlite3

    with sqlite3.connect(ws / "shopfloor.db") as conn:  # the CLI's trainings are audited in its workspace
        assert conn.execute("SELECT count(*) FROM audit WHERE action = 'inspect_train'").fetchone()[0] == 2

    one = _run("run", "--model", str(tmp_path / "clf"), "--input", str(surfaces / "test" / "pit" / "pit_000.png"), ws=ws)
    assert one.returncode == 0 and "pit_000.png: pit" in one.stdout


def test_friendly_errors(surfaces, tmp_path):
    ws = tmp_path / "ws"
    res = _run("train", "--data", str(surfaces / "train"), "--anomaly", "--normal-class", "good",
               "--out", str(tmp_path / "x"), ws=ws)
    assert res.returncode == 2 and "no class folder 'good'" in res.stderr and "Traceback" not in res.stderr
    res = _run("run", "--model", str(tmp_path / "none"), "--input", str(surfaces / "test"), ws=ws)
    assert res.returncode == 2 and "no image model" in res.stderr
    res = _run("eval", "--model", str(tmp_path / "none"), "--data", str(tmp_path / "nowhere"), ws=ws)
    assert res.returncode == 2 and "Traceback" not in res.stderr
