"""Language-model backends behind one interface: local transformers, OpenAI-compatible servers, or none."""

from __future__ import annotations

from shopfloor.assistant.llm.base import LLM, complete
from shopfloor.config import LLMConfig
from shopfloor.errors import BackendError


class NoLLM:
    name = "none"

    def stream(self, messages, max_new_tokens, temperature):
        raise BackendError("the language model is switched off (llm.backend: none)")


def get_llm(cfg: LLMConfig) -> LLM:
    """The backend the workspace config asks for (loading a local model happens here, once per call site)."""
    if cfg.backend == "none":
        return NoLLM()
    if cfg.backend == "openai":
        from shopfloor.assistant.llm.openai import OpenAICompatibleLLM

        if not cfg.base_url:
            raise BackendError("llm.backend is 'openai' but llm.base_url is not set in config.yaml")
        return OpenAICompatibleLLM(cfg.base_url, cfg.model, cfg.api_key_env, cfg.timeout_s)
    from shopfloor.assistant.llm.local import LocalLLM

    return LocalLLM(cfg.model, cfg.timeout_s)


__all__ = ["LLM", "NoLLM", "complete", "get_llm"]
