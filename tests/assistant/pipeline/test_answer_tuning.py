"""Training examples for the LoRA answerer, built from the demo plant's documents; the keep-or-drop rule;
the cited-sentence checks and grammar the answer path relies on."""

from __future__ import annotations

import re

import pytest

from shopfloor.assistant.pipeline.answer_tuning import beats, build_examples
from shopfloor.assistant.pipeline.ask import NO_ANSWER
from shopfloor.assistant.pipeline.grounding import cited_sentences_grammar, support, supported_sentences
from tests.conftest import REPO, copy_workspace


@pytest.fixture(scope="module")
def examples(assistant):
    return build_examples(assistant.components.index(), n=60, seed=1)


def _passages(prompt: str) -> dict[int, str]:
    body = prompt.split("<passages>")[1].split("</passages>")[0]
    parts = re.split(r"^\[(\d+)\] \(.*?\) ", body, flags=re.M)  # passages span several lines
    return {int(n): t for n, t in zip(parts[1::2], parts[2::2], strict=True)}


def test_every_kind_is_built_from_the_documents(examples):
    kinds = {e.kind for e in examples}
    assert {"table row", "section", "incident", "refusal"} <= kinds and len(examples) >= 45


def test_replies_cite_the_passage_they_are_taken_from(examples):
    """Each sentence of an answer cites a passage it rests on (as the answer check demands), and the cited
    number is not always [1]: the model has to find the passage."""
    first = set()
    for e in examples:
        if e.kind == "refusal":
            continue
        given = _passages(e.messages[-1]["content"])
        cited = [int(n) for n in re.findall(r"\[(\d+)\]", e.reply)]
        assert cited and set(cited) <= set(given), e.reply
        assert supported_sentences(e.reply, given) == [s for s in re.split(r"(?<=[.!?])\s+", e.reply) if s], e.reply
        first.add(cited[0])
    assert len(first) >= 2


def test_refusals_get_passages_from_other_documents(examples):
    refusals = [e for e in examples if e.kind == "refusal"]
    assert refusals and all(e.reply == NO_ANSWER for e in refusals)
    for e in refusals:  # the question's words are not what the passages are about
        q = e.messages[-1]["content"].split("Question:")[1]
        assert support(q, list(_passages(e.messages[-1]["content"]).values())) < 0.9


def test_the_prompt_is_the_one_the_chat_sends(examples):
    from shopfloor.prompts import render

    e = examples[0]
    assert e.messages[0] == {"role": "system", "content": render("system")}
    assert e.messages[1]["content"].rstrip().endswith("citing passages like [1]:")


def test_a_sentence_must_rest_on_the_passage_it_cites():
    given = {1: "Cavitation comes from a clogged suction strainer.", 2: "Grease the bearings every month."}
    answer = "Cavitation comes from a clogged suction strainer [2]. Grease the bearings every month [2]. " \
             "Cavitation comes from a clogged strainer [7]. Cavitation comes from a clogged suction strainer."
    assert supported_sentences(answer, given) == ["Grease the bearings every month [2].",
                                                  "Cavitation comes from a clogged suction strainer."]


def test_keep_the_tuned_answerer_only_when_it_adds_evidence():
    base = {"evidence_in_answer": 0.5, "summary_evidence": 0.1, "citation_precision": 0.3, "refusal_accuracy": 0.5,
            "false_refusal_rate": 0.0, "unsupported_sentences_shown": 0}
    assert beats({**base, "summary_evidence": 0.3}, base)[0]
    assert not beats(base, base)[0]
    assert beats({**base, "summary_evidence": 0.3, "refusal_accuracy": 0.4}, base) == (False, "worse on refusal_accuracy")
    assert not beats({**base, "summary_evidence": 0.3, "unsupported_sentences_shown": 1}, base)[0]


def test_llama_cpp_writes_to_the_cited_sentence_grammar(examples):
    from shopfloor.assistant.llm import complete
    from shopfloor.assistant.llm.llamacpp import LlamaCppLLM
    from shopfloor.models import gguf_path

    e = next(e for e in examples if e.kind == "table row")
    numbers = sorted(_passages(e.messages[-1]["content"]))
    text = complete(LlamaCppLLM(gguf_path(), n_parallel=1), e.messages, 120, 0.0,
                    grammar=cited_sentences_grammar(numbers))
    assert text == NO_ANSWER or re.fullmatch(r"([A-Z0-9\"(][^\[\]\n]{8,280} \[\d\](; \[\d\])?\. ?){1,3}", text), text
    assert {int(n) for n in re.findall(r"\[(\d+)\]", text)} <= set(numbers)


def test_lm_tune_measures_and_uses_the_adapter_only_when_it_wins(demo_workspace, tmp_path):
    """`shopfloor lm tune` end to end on a copy of the demo plant (a few examples, so it trains in seconds):
    the adapter is written, measured against the model without it on two questions, and config.yaml gets
    `llm.adapter` exactly when the rule says it wins; with --activate always the chat then runs on it."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from shopfloor.config import load_config

    root = tmp_path / "ws"
    copy_workspace(demo_workspace, root)
    qa = tmp_path / "qa.jsonl"
    bench = REPO / "benchmarks" / "data"
    qa.write_text("\n".join((bench / "demo_qa.jsonl").read_text().splitlines()[:2]))
    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(root)}

    def tune(*extra):
        out = subprocess.run([sys.executable, "-m", "assistant", "lm", "tune", "--examples", "8", "--json", *extra],
                             capture_output=True, text=True, timeout=900, env=env)
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout)

    r = tune("--qa", str(qa))
    assert r["examples"] >= 6 and (Path(r["adapter"]) / "adapter.gguf").is_file()
    assert set(r["tuned"]) == set(r["untuned"]) and r["tuned"]["unsupported_sentences_shown"] == 0
    assert r["active"] == beats(r["tuned"], r["untuned"])[0]
    assert (load_config(root / "config.yaml").llm.adapter == r["adapter"]) == r["active"]

    r = tune("--activate", "always")
    assert r["active"] and load_config(root / "config.yaml").llm.adapter == r["adapter"]
    ask = subprocess.run([sys.executable, "-m", "assistant", "ask", "How do I fix a slipping conveyor belt?"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert ask.returncode == 0 and "[1]" in ask.stdout, ask.stderr[-2000:]
