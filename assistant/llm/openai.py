"""OpenAI-compatible backend (vLLM, Ollama, llama.cpp server, shopfloor's own /v1): streamed over SSE."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from shopfloor.errors import BackendError


class OpenAICompatibleLLM:
    def __init__(self, base_url: str, model: str, api_key_env: str = "OPENAI_API_KEY", timeout_s: float = 60.0):
        self.name, self.base_url, self.timeout_s = model, base_url.rstrip("/"), timeout_s
        self.api_key = os.environ.get(api_key_env, "")

    def stream(self, messages: list[dict], max_new_tokens: int, temperature: float) -> Iterator[str]:
        import httpx

        body = {"model": self.name, "messages": messages, "max_tokens": max_new_tokens, "temperature": temperature,
                "stream": True}
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            with httpx.stream("POST", f"{self.base_url}/chat/completions", json=body, headers=headers,
                              timeout=self.timeout_s) as r:
                if r.status_code != 200:
                    raise BackendError(f"LLM server {self.base_url} answered {r.status_code}: {r.read()[:200]!r}")
                for line in r.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    chunk = json.loads(data)
                    if "error" in chunk:  # an OpenAI-style error event after the stream started
                        err = chunk["error"]
                        raise BackendError(f"LLM server {self.base_url}: {err.get('message', err)}")
                    for choice in chunk.get("choices") or []:  # a usage-only chunk has none
                        delta = choice.get("delta") or {}
                        if delta.get("content"):
                            yield delta["content"]
        except httpx.HTTPError as e:
            raise BackendError(f"LLM server {self.base_url} unreachable: {e}") from None
