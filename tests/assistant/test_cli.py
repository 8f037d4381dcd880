"""The CLI shell: instant help, no heavy imports, friendly errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time

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
