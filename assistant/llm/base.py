"""The one interface every language-model backend implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class LLM(Protocol):
    name: str

    def stream(self, messages: list[dict], max_new_tokens: int, temperature: float) -> Iterator[str]:
        """Yield text pieces of the reply to chat ``messages`` ([{"role", "content"}])."""
        ...


def complete(llm: LLM, messages: list[dict], max_new_tokens: int, temperature: float) -> str:
    return "".join(llm.stream(messages, max_new_tokens, temperature)).strip()
