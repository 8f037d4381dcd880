"""The `shopfloor index` command contract: exactly one JSON object on stdout with the promised keys."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from shopfloor.assistant.cli import app

runner = CliRunner()


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_build_search_eval_add_remove(docs: Path, tmp_path: Path, embedder):
    out = tmp_path / "kb"
    rep = _json(runner.invoke(app, ["index", "build", "--docs", str(docs), "--out", str(out), "--json"]))
    assert rep["sources"] == 3 and rep["chunks_total"] > 5
    hits = _json(runner.invoke(app, ["index", "search", "--index", str(out), "--k", "2", "--json", "E-42"]))["hits"]
    assert len(hits) == 2 and {"text", "source", "section", "page", "score"} <= set(hits[0])
    assert "E-42" in hits[0]["text"]
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"question": "strainer clogged", "source": "P-101.md", "evidence": ["ST-2"]}) + "\n")
    m = _json(runner.invoke(app, ["index", "eval", "--index", str(out), "--qa", str(qa), "--k", "5", "--json"]))
    assert m["n"] == 1 and m["recall_at_k"] == 1.0 and "mrr" in m["modes"]["dense"]
    (docs / "new.md").write_text("# New\n\nThe hopper heater H-7 needs 10 minutes.")
    added = _json(runner.invoke(app, ["index", "add", "--index", str(out), "--docs", str(docs), "--json"]))
    assert added["files_indexed"] == 1 and added["sources"] == 4
    gone = _json(runner.invoke(app, ["index", "remove", "new.md", "--index", str(out), "--json"]))
    assert gone["chunks"] == 1


def test_missing_index_is_a_friendly_error(tmp_path: Path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", "from shopfloor.assistant.cli import main; main()", "index", "search",
                        "--index", str(tmp_path / "none"), "pump"], capture_output=True, text=True)
    assert r.returncode == 2 and "Error: no index at" in r.stderr and "Traceback" not in r.stderr
