"""Request bodies of the REST API (validated; errors come back as 422 with the field named)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DiagnoseRequest(BaseModel):
    log: str = Field(..., min_length=1, max_length=100_000, description="The pasted maintenance log.")
    machine_id: str | None = Field(None, description="Machine id, if known.")
    summary: bool = Field(True, description="Let the language model add a short summary.")


class ClassifyRequest(BaseModel):
    texts: list[str] = Field(..., min_length=1, max_length=5000)
    task: str | None = None


class Turn(BaseModel):
    role: str
    content: str


class AskRequest(BaseModel):
    question: str = Field(..., min_length=1, max_length=100_000)
    history: list[Turn] = []


class LoginRequest(BaseModel):
    name: str
    password: str


class ChatMessage(BaseModel):
    role: str
    content: str | list | None = ""


class ChatCompletionRequest(BaseModel):
    model: str = "shopfloor"
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    max_tokens: int | None = None
    temperature: float | None = None
