"""Request bodies of the REST API (validated; errors come back as 422 with the field named, never the input).

Every text field goes through :func:`shopfloor.assistant.safety.clean_text`: invalid Unicode (lone surrogates
from a client that sent broken UTF-8 escapes) becomes U+FFFD instead of a 500 further down.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from shopfloor.assistant.safety import clean_text


def _clean(value):
    return clean_text(value) if isinstance(value, str) else value  # before pydantic, which rejects lone surrogates


Text = Annotated[str, BeforeValidator(_clean)]


class DiagnoseRequest(BaseModel):
    log: Text = Field(..., min_length=1, max_length=100_000, description="The pasted maintenance log.")
    machine_id: Text | None = Field(None, max_length=100, description="Machine id, if known.")
    summary: bool = Field(True, description="Let the language model add a short summary.")


class ClassifyRequest(BaseModel):
    texts: list[Annotated[Text, Field(max_length=100_000)]] = Field(..., min_length=1, max_length=5000)
    task: Text | None = Field(None, max_length=100)


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: Text = Field(..., max_length=100_000)


class AskRequest(BaseModel):
    question: Text = Field(..., min_length=1, max_length=100_000)
    history: list[Turn] = Field([], max_length=100)


class LoginRequest(BaseModel):
    name: Text = Field(..., max_length=200)
    password: Text = Field(..., max_length=1000)


class ContentPart(BaseModel):
    """One part of an OpenAI message; only text parts are read (images and audio are ignored)."""

    type: str = Field(..., max_length=50)
    text: Text | None = Field(None, max_length=100_000)


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: Text | list[ContentPart] | None = ""

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    model: Text = Field("shopfloor", max_length=200)
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=200)
    stream: bool = False
    max_tokens: int | None = Field(None, ge=1, le=100_000)
    temperature: float | None = Field(None, ge=0, le=2)
