from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopfloor.errors import InputError
from shopfloor.index import Index, evaluate
from shopfloor.index.evaluate import found_rank, load_qa


def _qa(tmp_path: Path, rows: list[dict]) -> Path:
    p = tmp_path / "qa.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return p


def test_metrics_for_each_mode(built: Index, tmp_path: Path):
    qa = _qa(tmp_path, [
        {"question": "what to do when the pump cavitates", "source": "P-101.md", "evidence": ["Clean  strainer ST-2"]},
        {"question": "chatter marks finishing", "source": "M-201.md", "evidence": []},
        {"question": "What is the capital of France?", "source": None, "evidence": []},
    ])
    m = evaluate(built, qa, k=3)
    assert m["n"] == 2 and set(m["modes"]) == {"hybrid", "dense", "keyword"}
    assert m["recall_at_k"] == 1.0 and 0.5 <= m["mrr"] <= 1.0
    assert m["n_unanswerable"] == 1 and m["no_answer_rate"] == 1.0


def test_found_rank_collapses_whitespace_and_case():
    class H:
        def __init__(self, text, source):
            self.text, self.source = text, source

    qa = {"question": "q", "source": "a.md", "evidence": ["Replace  the\nFILTER"]}
    assert found_rank([H("nothing", "a.md"), H("then replace the filter now", "a.md")], qa) == 2
    assert found_rank([H("x", "b.md"), H("y", "dir/a.md")], {"question": "q", "source": "a.md", "evidence": []}) == 2


def test_bad_qa_line(tmp_path: Path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"question": "ok", "source": null}\nnot json\n')
    with pytest.raises(InputError, match="bad.jsonl:2: not JSON"):
        load_qa(p)
