"""/v1 as OpenAI clients use it: the official ``openai`` client against a running server; our OpenAI-compatible
backend against a real llama.cpp server (the xllamacpp binding's HTTP mode); stop and max_tokens as rules."""

from __future__ import annotations

import pytest

from tests.assistant.serving import serving

QUESTION = "What causes cavitation on the cooling water pump?"


@pytest.fixture(scope="module")
def base_url(assistant):
    from shopfloor.assistant.api.app import create_app

    with serving(create_app(assistant, ui=False)) as url:
        yield f"{url}/v1"


@pytest.fixture(scope="module")
def client(base_url):
    from openai import OpenAI

    return OpenAI(base_url=base_url, api_key="unused-on-localhost", max_retries=0, timeout=120)


def test_official_client_models_and_unknown_model(client):
    import openai

    assert [m.id for m in client.models.list()] == ["shopfloor"]
    assert client.models.retrieve("shopfloor").owned_by == "shopfloor"
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="shopfloor", messages=[{"role": "assistant", "content": "only me"}])


def test_official_client_answer_usage_and_citations_field(client):
    r = client.chat.completions.create(model="shopfloor", messages=[{"role": "user", "content": QUESTION}])
    content = r.choices[0].message.content
    assert "ST-2" in content and r.choices[0].finish_reason == "stop"
    answer, sources = content.split("\n\nSources:\n")  # plain clients see where it came from
    assert all(f"[{line.split(']')[0][1:]}]" in answer for line in sources.splitlines())
    assert r.usage.prompt_tokens > 5 and r.usage.completion_tokens > 10
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    cites = r.model_extra["citations"]
    assert cites and all({"n", "citation"} <= set(c) for c in cites) and f"[{cites[0]['n']}]" in content


def test_official_client_streams_with_usage_and_citations(client):
    stream = client.chat.completions.create(model="shopfloor", messages=[{"role": "user", "content": QUESTION}],
                                            stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finishing = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert "ST-2" in text and len(finishing) == 1 and finishing[0].choices[0].finish_reason == "stop"
    assert "\n\nSources:\n[" in text
    assert finishing[0].model_extra["citations"]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 10


def test_max_tokens_and_stop_are_honoured(client):
    from shopfloor.assistant.api.openai_compat import count_tokens

    full = client.chat.completions.create(model="shopfloor", messages=[{"role": "user", "content": QUESTION}])
    text = full.choices[0].message.content
    short = client.chat.completions.create(model="shopfloor", messages=[{"role": "user", "content": QUESTION}],
                                           max_tokens=8)
    cut = short.choices[0].message.content
    assert short.choices[0].finish_reason == "length" and 4 <= short.usage.completion_tokens <= 8
    assert text.startswith(cut) and count_tokens(cut) <= 8
    assert not text[len(cut)].isalnum()  # cut between words, never inside one
    word = text.split()[3]
    stopped = client.chat.completions.create(model="shopfloor", messages=[{"role": "user", "content": QUESTION}],
                                             stop=[word], stream=True)
    got = "".join(c.choices[0].delta.content or "" for c in stopped if c.choices)
    assert got == text[:text.index(word)]  # up to, not including, the stop sequence


def test_sources_list_can_be_left_out(client):
    r = client.chat.completions.create(model="shopfloor", messages=[{"role": "user", "content": QUESTION}],
                                       extra_body={"sources_in_content": False})
    assert "Sources:" not in r.choices[0].message.content and r.model_extra["citations"]


def test_limits_never_send_part_of_a_stop_sequence():
    from shopfloor.assistant.api.openai_compat import Limits

    lim = Limits(["END OF"], None)
    sent = lim.feed("The pump cavitates. EN") + lim.feed("D O") + lim.feed("F ANSWER and more")
    assert sent == "The pump cavitates. " and lim.ended and lim.finish_reason == "stop"
    assert lim.finish("The pump cavitates. END OF ANSWER and more") == ""
    lim = Limits(["zz"], 3)
    out = lim.feed("one two three four five") + lim.finish()
    assert out == "one two three" and lim.finish_reason == "length"
    lim = Limits([], None)
    assert lim.feed("abc") + lim.finish("abcdef") == "abcdef" and lim.finish_reason == "stop"


def test_our_backend_against_a_real_llama_cpp_server(monkeypatch):
    """The OpenAI-compatible backend (what a plant points at vLLM / Ollama / llama.cpp) on llama.cpp's own
    HTTP server, started by the binding with an API key."""
    import xllamacpp as xlc

    from shopfloor.assistant.llm.openai import OpenAICompatibleLLM
    from shopfloor.errors import BackendError
    from shopfloor.models import gguf_path

    p = xlc.CommonParams()
    p.model.path = str(gguf_path())
    p.n_ctx = 2048
    p.cpuparams.n_threads = 2
    p.warmup = False
    p.api_keys = ["test-key-123"]
    server = xlc.Server(p)
    url = f"{server.listening_address}/v1"
    monkeypatch.setenv("SF_TEST_LLM_KEY", "test-key-123")
    llm = OpenAICompatibleLLM(url, "smollm2", api_key_env="SF_TEST_LLM_KEY", timeout_s=60)
    pieces = list(llm.stream([{"role": "user", "content": "Say hello in one word."}], 12, 0.0))
    assert len(pieces) >= 1 and "".join(pieces).strip()
    monkeypatch.setenv("SF_TEST_LLM_KEY", "wrong")
    with pytest.raises(BackendError, match="401"):
        list(OpenAICompatibleLLM(url, "smollm2", api_key_env="SF_TEST_LLM_KEY", timeout_s=30).stream(
            [{"role": "user", "content": "hi"}], 5, 0.0))
