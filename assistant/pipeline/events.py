"""The chat protocol: what :meth:`Assistant.ask` streams, shared by the CLI, the UI, REST and ``/v1``.

A stream is any number of :class:`Token` (text to append) and :class:`Notice` (a remark for the
person: language model down, message truncated, not English), then exactly one :class:`Answer`,
the final word: the whole answer text, its citations and every notice again in ``notes``.

Example:
    >>> Answer(answer="Re-tension the belt [1]", route="ask", grounded=True,
    ...        citations=[Citation(n=1, citation="CV-401.md › Troubleshooting")]).model_dump()["citations"][0]["n"]
    1
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

REFUSAL = "Not in your documents."  # the first line of every refusal, in every client


class Citation(BaseModel):
    """One numbered source of an answer ([n] in the text)."""

    n: int = Field(..., description="The number used as [n] in the answer.")
    source: str = Field("", description="Indexed source (file name or relative path).")
    section: str | None = Field(None, description="Heading path inside the document.")
    page: int | None = Field(None, description="PDF page, when the source has pages.")
    citation: str = Field(..., description="Human-readable place: source › section, page or row.")
    text: str = Field("", description="The passage as plain text (instructions neutralised).")
    score: float | None = Field(None, description="Dense similarity to the query.")
    safety: str | None = Field(None, description="A warning when the passage weakens a safety step.")
    reviewed: bool = Field(True, description="False when the passage comes from a document added through shopfloor "
                                             "that no engineer has approved yet (quoted marked as unreviewed).")
    problem: str | None = Field(None, description="Why the passage's text is not fit to quote as it stands (read by "
                                                  "OCR with low confidence, words run together): quoted behind "
                                                  "'CHECK THE PAGE', never a next step.")


class Token(BaseModel):
    type: Literal["token"] = "token"
    text: str


class Notice(BaseModel):
    type: Literal["notice"] = "notice"
    text: str


class Answer(BaseModel):
    """The final event of every stream (also what ``POST /api/ask`` and ``shopfloor ask --json`` return)."""

    type: Literal["done"] = "done"
    answer: str = Field(..., description="The whole answer as shown, notes included under it.")
    citations: list[Citation] = []
    route: Literal["ask", "table", "diagnose", "status"] = Field(
        "ask", description="ask: retrieved passages; table: rows filtered by the question's condition; "
        "diagnose: a pasted log; status: a machine's sensor status.")
    grounded: bool = Field(False, description="True when the answer rests on retrieved passages or live data.")
    notes: list[str] = []
    query: str | None = Field(None, description="The search query used (follow-ups are condensed).")
    summary_kept: bool = Field(False, description="True when the language model's synthesis passed the check.")
    language: Literal["en", "zh"] = Field("en", description="The language of the question, which the answer's fixed "
                                                            "words (labels, refusal, 'Sources') follow.")
    diagnosis: dict | None = Field(None, description="The diagnosis, when the message was routed to it.")
    status: dict | None = Field(None, description="The machine status, when the message asked for it.")


ChatEvent = Token | Notice | Answer
