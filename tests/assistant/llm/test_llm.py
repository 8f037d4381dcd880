from __future__ import annotations

import pytest

from shopfloor.assistant.llm import NoLLM, complete, get_llm
from shopfloor.config import LLMConfig
from shopfloor.errors import BackendError


def test_none_backend_raises_a_clear_error():
    assert isinstance(get_llm(LLMConfig(backend="none")), NoLLM)
    with pytest.raises(BackendError, match="switched off"):
        complete(NoLLM(), [{"role": "user", "content": "hi"}], 5, 0.0)


def test_openai_backend_needs_a_url():
    with pytest.raises(BackendError, match="base_url is not set"):
        get_llm(LLMConfig(backend="openai"))


def test_local_backend_streams_a_reply(llm):
    from shopfloor.assistant.llm.local import LocalLLM

    model = LocalLLM()
    pieces = list(model.stream([{"role": "user", "content": "Say hello to the maintenance team."}], 12, 0.0))
    assert len(pieces) >= 2 and "".join(pieces).strip()


def test_local_backend_times_out_cleanly_and_stays_usable(llm):
    import time

    from shopfloor.assistant.llm.local import LocalLLM

    msgs = [{"role": "user", "content": "Name three pump parts."}]
    slow = LocalLLM(timeout_s=1e-4)  # no token can arrive this fast: the timeout path runs
    with pytest.raises(BackendError, match="timed out"):
        list(slow.stream(msgs, 64, 0.0))
    gen = LocalLLM().stream(msgs, 400, 0.0)  # ~15 s of generation on 2 CPU cores if it ran to the end
    first = next(piece for piece in gen if piece.strip())
    t0 = time.perf_counter()
    gen.close()  # the listener leaves: generation must stop (close joins the worker), not run on behind the lock
    assert first.strip() and time.perf_counter() - t0 < 3
    assert "".join(LocalLLM().stream(msgs, 4, 0.0)).strip()


def test_embedded_model_runs_on_llamacpp_and_hf_folders_on_transformers(tmp_path):
    from shopfloor.assistant.llm import _gguf_for
    from shopfloor.assistant.llm.llamacpp import LlamaCppLLM

    assert isinstance(get_llm(LLMConfig()), LlamaCppLLM)
    assert _gguf_for(str(tmp_path)) is None  # a folder (Hugging Face format) goes to transformers
    (tmp_path / "m.gguf").write_bytes(b"not a model")
    with pytest.raises(BackendError, match="could not load"):
        get_llm(LLMConfig(model=str(tmp_path / "m.gguf")))


def test_llamacpp_streams_serves_two_users_at_once_and_stops_when_the_listener_leaves():
    import threading
    import time

    from shopfloor.assistant.llm.llamacpp import LlamaCppLLM

    llm = get_llm(LLMConfig())
    assert isinstance(llm, LlamaCppLLM)
    msgs = [{"role": "user", "content": "Name three parts of a centrifugal pump."}]
    pieces = list(llm.stream(msgs, 24, 0.0))
    assert len(pieces) >= 2 and "".join(pieces).strip()
    out: dict[int, str] = {}

    def ask(i: int) -> None:
        out[i] = complete(llm, msgs, 24, 0.0)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert out[0] and out[1]  # two slots: both complete (same prompt, greedy: same text)
    gen = llm.stream(msgs, 2000, 0.0)
    assert next(p for p in gen if p.strip())
    t0 = time.perf_counter()
    gen.close()  # the slot is released at the next token, not after 2000
    assert time.perf_counter() - t0 < 2
    assert complete(llm, msgs, 4, 0.0)  # and the server is still usable
