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
