"""The `shopfloor index` command contract: exactly one JSON object on stdout with the promised keys."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CLI

cli = CLI()  # the shared in-process runner


def test_build_search_eval_add_remove(docs: Path, tmp_path: Path, embedder):
    out = tmp_path / "kb"
    rep = cli.json("index", "build", "--docs", str(docs), "--out", str(out), "--json")
    assert rep["sources"] == 3 and rep["chunks_total"] > 5
    hits = cli.json("index", "search", "--index", str(out), "--k", "2", "--json", "E-42")["hits"]
    assert len(hits) == 2 and {"text", "source", "section", "page", "score"} <= set(hits[0])
    assert "E-42" in hits[0]["text"]
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"question": "strainer clogged", "source": "P-101.md", "evidence": ["ST-2"]}) + "\n")
    m = cli.json("index", "eval", "--index", str(out), "--qa", str(qa), "--k", "5", "--json")
    assert m["n"] == 1 and m["recall_at_k"] == 1.0 and "mrr" in m["modes"]["dense"]
    (docs / "new.md").write_text("# New\n\nThe hopper heater H-7 needs 10 minutes.")
    added = cli.json("index", "add", "--index", str(out), "--docs", str(docs), "--json")
    assert added["files_indexed"] == 1 and added["sources"] == 4
    gone = cli.json("index", "remove", "new.md", "--index", str(out), "--json")
    assert gone["chunks"] == 1


def test_missing_index_is_a_friendly_error(tmp_path: Path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", "from shopfloor.assistant.cli import main; main()", "index", "search",
                        "--index", str(tmp_path / "none"), "pump"], capture_output=True, text=True)
    assert r.returncode == 2 and "Error: no index at" in r.stderr and "Traceback" not in r.stderr


def test_sync_follows_the_folder(docs: Path, tmp_path: Path, embedder, workspace):
    out = tmp_path / "kb"
    first = cli.json("index", "sync", "--docs", str(docs), "--index", str(out), "--json")
    assert len(first["added"]) == 3 and first["changed"] == first["removed"] == [] and first["unchanged"] == 0
    (docs / "M-201.md").write_text("# Mill M-201\n\nAlarm E-43 reports a spindle over-temperature.")
    (docs / "incidents.csv").unlink()
    (docs / "new.md").write_text("# New\n\nThe hopper heater H-7 needs 10 minutes.")
    rep = cli.json("index", "sync", "--docs", str(docs), "--index", str(out), "--json")
    assert (rep["added"], rep["changed"], rep["removed"], rep["unchanged"]) == (
        ["new.md"], ["M-201.md"], ["incidents.csv"], 1)
    hits = cli.json("index", "search", "--index", str(out), "--json", "E-43")["hits"]
    assert "E-43" in hits[0]["text"] and all(h["source"] != "incidents.csv" for h in hits)
    again = cli.json("index", "sync", "--docs", str(docs), "--index", str(out), "--json")
    assert (again["added"], again["changed"], again["removed"], again["unchanged"]) == ([], [], [], 3)


def test_sync_survives_kill_9_mid_run(docs: Path, tmp_path: Path, workspace):
    """A sync killed while it embeds leaves the last saved index whole; the next sync finishes the work."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "kb"
    cmd = [sys.executable, "-c", "from shopfloor.assistant.cli import main; main()", "index", "sync", "--docs",
           str(docs), "--index", str(out), "--json"]
    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(workspace.root)}
    assert subprocess.run(cmd, capture_output=True, env=env, timeout=300).returncode == 0
    for i in range(300):  # enough text that embedding takes a while
        (docs / f"note-{i:03d}.md").write_text(f"# Note {i}\n\n" + f"Check valve V-{i} for leaks at the flange. " * 20)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    time.sleep(8)
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert killed, "the sync ended before it could be killed: make it slower"
    rep = json.loads(subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600).stdout)
    assert len(rep["added"]) == 300 and rep["unchanged"] == 3 and rep["removed"] == []
    from shopfloor.index import Index

    assert len(Index.load(out).sources()) == 303


def test_a_documents_history_says_who_added_changed_and_removed_which_version(docs: Path, tmp_path: Path, embedder,
                                                                              workspace):
    out = tmp_path / "kb"
    cli.json("index", "sync", "--docs", str(docs), "--index", str(out), "--json")
    (docs / "M-201.md").write_text("# Mill M-201\n\nAlarm E-43 reports a spindle over-temperature.")
    cli.json("index", "sync", "--docs", str(docs), "--index", str(out), "--json")
    cli.json("index", "approve", "M-201.md", "--json")
    (docs / "M-201.md").unlink()
    cli.json("index", "sync", "--docs", str(docs), "--index", str(out), "--json")
    events = cli.json("index", "history", "M-201.md", "--json")["history"]
    assert [e["event"] for e in events] == ["added", "changed", "approved", "removed"]
    assert events[0]["sha256"] != events[1]["sha256"] == events[2]["sha256"] and events[3]["sha256"] is None
    assert all(e["user"].startswith("cli:") for e in events)
