"""Language-model backends behind one interface: llama.cpp (GGUF, the default), transformers (HF folders),
OpenAI-compatible servers, or none."""

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
    gguf = _gguf_for(cfg.model) if cfg.backend == "local" else None
    if gguf is not None:
        from shopfloor.assistant.llm.llamacpp import LlamaCppLLM

        return LlamaCppLLM(gguf, cfg.model, cfg.timeout_s, n_parallel=cfg.parallel, adapter=_adapter_file(cfg))
    from shopfloor.assistant.llm.local import LocalLLM

    return LocalLLM(cfg.model, cfg.timeout_s, adapter=cfg.adapter)


def _adapter_file(cfg: LLMConfig):
    """The llama.cpp adapter GGUF of the configured LoRA answerer (a folder written by ``shopfloor lm tune``, or
    a .gguf file), or None."""
    from pathlib import Path

    if not cfg.adapter:
        return None
    path = Path(cfg.adapter)
    path = path / "adapter.gguf" if path.is_dir() else path
    if not path.is_file():
        raise BackendError(f"llm.adapter {cfg.adapter} has no adapter.gguf: train one with `shopfloor lm tune`, "
                           "or remove llm.adapter from config.yaml")
    return path


def _gguf_for(model: str):
    """The GGUF file llama.cpp should load for ``model``: the embedded SmolLM2, or a path to a .gguf file;
    None for a Hugging Face folder or hub id (those run on transformers)."""
    from pathlib import Path

    from shopfloor.models import LLM as EMBEDDED
    from shopfloor.models import gguf_path

    if model == EMBEDDED:
        return gguf_path()
    return Path(model) if model.lower().endswith(".gguf") and Path(model).is_file() else None


__all__ = ["LLM", "NoLLM", "complete", "get_llm"]
