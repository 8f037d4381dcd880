"""`shopfloor ask-eval`: deterministic answer-quality measures, with and without the language model."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from shopfloor.assistant.pipeline.answer_eval import evaluate_answers, holds, read_jsonl
from shopfloor.errors import InputError
from tests.conftest import REPO

BENCH = REPO / "benchmarks" / "data"


def test_holds_needs_most_of_the_evidence_words():
    assert holds("From the manuals: - Clean strainer ST-2; open the suction valve fully [1]", "**Clean strainer ST-2**")
    assert not holds("The pump has a strainer.", "Clean strainer ST-2; open suction valve fully; check NPSH")


def test_bad_files_are_named_with_their_line(tmp_path):
    f = tmp_path / "qa.jsonl"
    f.write_text('{"question": "a", "evidence": ["x"]}\n{"question": "b"}\n')
    with pytest.raises(InputError, match=r"qa.jsonl:2: missing 'evidence'"):
        read_jsonl(f, ("question", "evidence"))
    f.write_text("not json\n")
    with pytest.raises(InputError, match=r"qa.jsonl:1: not JSON"):
        read_jsonl(f, ("question",))


def test_measures_on_the_demo_without_the_llm(assistant):
    qa = read_jsonl(BENCH / "demo_qa.jsonl", ("question", "evidence"))
    un = read_jsonl(BENCH / "demo_unanswerable.jsonl", ("question",))
    m = evaluate_answers(assistant, qa, un)
    assert m["evidence_in_answer"] >= 0.8 and m["false_refusal_rate"] <= 0.1 and m["refusal_accuracy"] >= 0.8
    assert 0 < m["citation_precision"] <= 1 and m["unsupported_sentences_shown"] == 0


def test_cli_contract_with_the_language_model(demo_workspace, tmp_path):
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join((BENCH / "demo_qa.jsonl").read_text().splitlines()[:2]))
    un = tmp_path / "un.jsonl"
    un.write_text('{"question": "What is the capital of France?"}\n')
    out = subprocess.run([sys.executable, "-m", "assistant", "ask-eval", "--qa", str(qa), "--unanswerable", str(un),
                          "--json"], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "SHOPFLOOR_WORKSPACE": str(demo_workspace.root)})
    assert out.returncode == 0, out.stderr[-2000:]
    m = json.loads(out.stdout)
    for key in ("evidence_in_answer", "citation_precision", "refusal_accuracy", "false_refusal_rate",
                "unsupported_sentences_shown"):
        assert key in m and key in m["without_llm"]
    assert m["llm"] is True and m["unsupported_sentences_shown"] == 0 and m["refusal_accuracy"] == 1.0
