from __future__ import annotations

import pytest

from assistant.config import LLMConfig
from assistant.errors import BackendError
from assistant.llm import NoLLM, complete, get_llm


def test_none_backend_raises_a_clear_error():
    assert isinstance(get_llm(LLMConfig(backend="none")), NoLLM)
    with pytest.raises(BackendError, match="switched off"):
        complete(NoLLM(), [{"role": "user", "content": "hi"}], 5, 0.0)


def test_openai_backend_needs_a_url():
    with pytest.raises(BackendError, match="base_url is not set"):
        get_llm(LLMConfig(backend="openai"))


def test_local_backend_streams_a_reply(llm):
    from assistant.llm.local import LocalLLM

    model = LocalLLM()
    pieces = list(model.stream([{"role": "user", "content": "Say hello to the maintenance team."}], 12, 0.0))
    assert len(pieces) >= 2 and "".join(pieces).strip()
