"""The one interface every language-model backend implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class LLM(Protocol):
    name: str

    def stream(self, messages: list[dict], max_new_tokens: int, temperature: float) -> Iterator[str]:
        """Yield text pieces of the reply to chat ``messages`` ([{"role", "content"}])."""
        ...


def complete(llm: LLM, messages: list[dict], max_new_tokens: int, temperature: float,
             grammar: str | None = None) -> str:
    """The whole reply; ``grammar`` (GBNF) is passed only to a backend that ``supports_grammar``."""
    if grammar and getattr(llm, "supports_grammar", False):
        return "".join(llm.stream(messages, max_new_tokens, temperature, grammar=grammar)).strip()  # type: ignore[call-arg]
    return "".join(llm.stream(messages, max_new_tokens, temperature)).strip()
