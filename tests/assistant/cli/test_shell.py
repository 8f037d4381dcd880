"""The CLI shell: instant help, no heavy imports, friendly errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.conftest import copy_workspace

HEAVY = ("torch", "transformers", "gradio", "faiss", "sklearn", "pandas", "sentence_transformers", "matplotlib")


def _run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          timeout=60, env=env)


def test_import_cli_loads_no_heavy_library():
    code = ("import sys, shopfloor.assistant.cli; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_is_instant():
    _run("--help")  # warm the file cache
    start = time.perf_counter()
    res = _run("--help")
    elapsed = time.perf_counter() - start
    assert res.returncode == 0
    for group in ("classify", "index", "sensor", "demo", "serve", "diagnose", "ask"):
        assert group in res.stdout
    assert elapsed < 1.0, f"shopfloor --help took {elapsed:.2f} s"


def test_bad_config_is_friendly_not_a_traceback(tmp_path):
    (tmp_path / "config.yaml").write_text("llm:\n  temperature: hot\n")
    import os

    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(tmp_path)}
    res = _run("index", "search", "--index", str(tmp_path / "none"), "--json", "pump", env=env)
    assert "Traceback" not in res.stderr
    assert res.returncode != 0


def test_emit_json_is_one_object(capsys):
    from shopfloor.assistant.cli._common import emit

    emit({"a": float("nan"), "b": [1, 2]}, as_json=True)
    out = capsys.readouterr().out
    assert json.loads(out) == {"a": None, "b": [1, 2]}
    assert out.count("\n") == 1


def test_classify_review_list_and_correct(demo_workspace, tmp_path):
    """`shopfloor classify review list|correct` on a copy of the demo plant: one JSON object each, audited."""
    import os

    from shopfloor.workspace import Workspace

    root = tmp_path / "ws"
    copy_workspace(demo_workspace, root)
    with Workspace.open(root).connect() as conn:
        for text, conf in (("lid dented", 0.3), ("label smudged", 0.2), ("lid dented", 0.25)):
            conn.execute("INSERT INTO classifications (task, text, label, confidence, needs_review, model, source) "
                         "VALUES ('complaint_category', ?, 'damage', ?, 1, 'x', 'test')", (text, conf))
        conn.commit()
    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(root)}
    res = _run("classify", "review", "list", "--task", "complaint_category", "--json", env=env)
    q = json.loads(res.stdout)
    assert q["total"] == 2 and [r["text"] for r in q["items"]] == ["label smudged", "lid dented"]  # one per text
    res = _run("classify", "review", "correct", "--id", str(q["items"][0]["id"]), "--label", "packaging_labelling",
               "--json", env=env)
    c = json.loads(res.stdout)
    assert c["was"] == "damage" and c["label"] == "packaging_labelling"
    after = json.loads(_run("classify", "review", "list", "--task", "complaint_category", "--json", env=env).stdout)
    assert after["total"] == 1 and after["items"][0]["text"] == "lid dented"
    bad = _run("classify", "review", "correct", "--id", "999999", "--label", "x", env=env)
    assert bad.returncode != 0 and "no classification with id 999999" in bad.stderr and "Traceback" not in bad.stderr


def test_classify_run_without_a_model_folder_uses_the_workspace_task(demo_workspace, tmp_path):
    """`classify run` with neither --model nor --taxonomy goes through the facade: unsure rows queued, run audited."""
    import os

    from shopfloor.workspace import Workspace

    root = tmp_path / "ws"
    copy_workspace(demo_workspace, root)
    data = tmp_path / "complaints.csv"
    data.write_text("id,text\n1,box arrived crushed and wet\n2,label printed upside down\n3,asdf qwer zxcv\n")
    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(root)}
    res = _run("classify", "run", "--input", str(data), "--text-col", "text", "--task", "complaint_category",
               "--output", str(tmp_path / "out.csv"), "--json", env=env)
    assert res.returncode == 0, res.stderr[-1500:]
    s = json.loads(res.stdout)
    assert s["rows"] == 3 and s["task"] == "complaint_category" and (tmp_path / "out.csv").exists()
    with Workspace.open(root).connect() as conn:
        kept, queued = conn.execute("SELECT count(*), sum(needs_review) FROM classifications WHERE source = "
                                    "'complaints.csv'").fetchone()
        audited = conn.execute("SELECT user, detail FROM audit WHERE action = 'classify_file'").fetchall()
    assert queued == s["queued"] == s["needs_review"]  # every unsure row is in the review queue
    assert kept == 3  # and every row is kept for the task's trends
    assert audited and audited[-1][0].startswith("cli:") and "complaints.csv: 3 rows" in audited[-1][1]
    both = _run("classify", "run", "--input", str(data), "--text-col", "text", "--model", "m", "--taxonomy", "t",
                env=env)
    assert both.returncode == 2 and "not both" in both.stderr
