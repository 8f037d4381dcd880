"""An OpenAI-compatible /v1 endpoint: other chat front ends can use shopfloor (retrieval built in) as their model.

What an OpenAI client can rely on (tested with the official ``openai`` Python client):

- ``GET /v1/models``, ``GET /v1/models/{id}``; one model, ``shopfloor``; any other name is refused with an
  OpenAI-shaped 404 instead of being answered by a model the caller did not ask for;
- ``POST /v1/chat/completions``, streamed (SSE) or not; ``max_tokens`` / ``max_completion_tokens`` cut
  the answer (``finish_reason: "length"``), ``stop`` sequences end it before the sequence
  (``finish_reason: "stop"``); ``usage`` on every non-streamed response and, with
  ``stream_options: {"include_usage": true}``, in a last chunk with no choices;
- plain clients see where an answer came from: a grounded answer's content ends with a ``Sources:`` list
  (``[n] manual.md > section``), and a refusal starts with "Not in your documents." and lists the related
  passages as such; ``"sources_in_content": false`` in the request leaves the list out. The citations are
  also in an extra ``citations`` field (the response, or the streamed chunk that carries the
  ``finish_reason``), each ``{"n", "source", "citation", "text", "score", ...}`` as in ``/api/ask``;
- ``max_tokens`` cuts at a word boundary (the last whole word within the budget), never mid-word.

Token counts use the WordPiece tokenizer of the bundled embedding model (all-MiniLM-L6-v2): most of an
answer is text extracted from the plant's documents, not generated, so there is no one model whose
tokens these are; the counts are consistent between requests, which is what budgets need.
"""

from __future__ import annotations

import functools
import json
import logging
import time
import uuid

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse

from shopfloor.assistant.api.schemas import ChatCompletionRequest
from shopfloor.assistant.pipeline.events import Answer, Token
from shopfloor.assistant.pipeline.words import label
from shopfloor.errors import InputError, ShopfloorError

log = logging.getLogger(__name__)


MODEL_ID = "shopfloor"
_MODEL = {"id": MODEL_ID, "object": "model", "created": 1767225600, "owned_by": "shopfloor"}  # 2026-01-01, fixed


@functools.lru_cache(maxsize=1)
def _tokenizer():
    from transformers import AutoTokenizer

    from shopfloor.models import resolve_embedder

    return AutoTokenizer.from_pretrained(resolve_embedder())


def count_tokens(text: str) -> int:
    return len(_tokenizer()(text, add_special_tokens=False)["input_ids"]) if text else 0


def _cut_at_tokens(text: str, limit: int) -> str:
    """``text`` up to the last whole word that ends within its first ``limit`` tokens."""
    offsets = _tokenizer()(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    if len(offsets) <= limit:
        return text
    end = offsets[limit - 1][1]
    if end < len(text) and not text[end].isspace() and not text[end - 1].isspace():  # inside a word ("-0.4")
        space = max(text.rfind(" ", 0, end), text.rfind("\n", 0, end))
        end = space if space > 0 else end
    return text[:end].rstrip()


class Limits:
    """Applies ``stop`` and ``max_tokens`` to an answer that arrives piece by piece.

    ``feed`` returns what may be sent now: text that can no longer turn out to be the start of a stop
    sequence, within the token budget. ``finish`` returns the rest. ``finish_reason`` says why it ended.
    """

    def __init__(self, stops: list[str], max_tokens: int | None):
        self.stops, self.max_tokens = stops, max_tokens
        self.text, self.sent, self.ended, self.finish_reason = "", 0, False, "stop"
        self.hold = max((len(s) for s in stops), default=1) - 1

    def _limit(self, final: bool) -> str:
        cut = len(self.text)
        for s in self.stops:
            i = self.text.find(s)
            if i >= 0 and i < cut:
                cut, self.ended, self.finish_reason = i, True, "stop"
        if not self.ended and not final:
            cut = max(self.sent, cut - self.hold)
        allowed = self.text[:cut]
        if self.max_tokens and count_tokens(allowed) > self.max_tokens:
            allowed = _cut_at_tokens(allowed, self.max_tokens)
            self.ended, self.finish_reason = True, "length"
        out = allowed[self.sent:]
        self.sent = len(allowed)
        return out

    def feed(self, piece: str) -> str:
        if self.ended:
            return ""
        self.text += piece
        return self._limit(final=False)

    def finish(self, full: str | None = None) -> str:
        """The rest; ``full`` (the final answer) replaces the text fed so far when it extends it."""
        if self.ended:
            return ""
        if full is not None:
            if full.startswith(self.text):
                self.text = full
            else:
                log.error("final answer does not extend the streamed text; sending no revision")
        return self._limit(final=True)


def router(get_assistant, current_user) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["openai-compatible"])

    @r.get("/models")
    def models(user=Depends(current_user)):
        return {"object": "list", "data": [_MODEL]}

    @r.get("/models/{model_id}")
    def model(model_id: str, user=Depends(current_user)):
        if model_id != MODEL_ID:
            raise HTTPException(404, f"The model '{model_id}' does not exist; this server serves '{MODEL_ID}'")
        return _MODEL

    @r.post("/chat/completions")
    def chat(req: ChatCompletionRequest, user=Depends(current_user)):
        if req.model != MODEL_ID:  # refused, not silently answered by another model than the one asked for
            raise HTTPException(404, f"The model '{req.model}' does not exist; this server serves '{MODEL_ID}'")
        msgs = [{"role": m.role, "content": m.text()} for m in req.messages if m.role in ("user", "assistant")]
        if not msgs or msgs[-1]["role"] != "user":
            raise InputError("the last message must be a user message with text")
        limits = Limits(req.stops(), req.max_completion_tokens or req.max_tokens)
        events = get_assistant().ask(msgs[-1]["content"], msgs[:-1], user=user)  # checks the role before streaming
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
        prompt_tokens = sum(count_tokens(m["content"]) for m in msgs)
        if req.sources_in_content:
            events = with_sources(events)
        if not req.stream:
            done = [e for e in events if isinstance(e, Answer)][-1]
            content = limits.finish(done.answer)
            completion_tokens = count_tokens(content)
            return {"id": cid, "object": "chat.completion", "created": created, "model": MODEL_ID,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                 "finish_reason": limits.finish_reason}],
                    "usage": _usage(prompt_tokens, completion_tokens), "citations": _citations(done)}
        include_usage = bool(req.stream_options and req.stream_options.include_usage)
        return StreamingResponse(_sse(events, cid, created, limits, prompt_tokens if include_usage else None),
                                 media_type="text/event-stream")

    return r


def with_sources(events):
    """The answer events with a ``Sources:`` list ending a grounded answer's text (the final answer extends what
    was streamed, so a stream sends the list with the rest of the answer)."""
    for e in events:
        if isinstance(e, Answer) and e.grounded and e.citations:
            shown = [c for c in e.citations if c.n and f"[{c.n}]" in e.answer]
            if shown:
                tail = f"\n\n{label('Sources', e.language)}:\n" + "\n".join(
                    f"[{c.n}] {c.citation}" for c in shown)
                e = e.model_copy(update={"answer": e.answer + tail})
        yield e


def _usage(prompt: int, completion: int) -> dict:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _citations(done: Answer) -> list[dict]:
    return [c.model_dump() for c in done.citations if c.n] if done.grounded else []


def _chunk(cid: str, created: int, delta: dict, finish: str | None = None, **extra) -> str:
    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return f"data: {json.dumps(body)}\n\n"


def _sse(events, cid: str, created: int, limits: Limits, prompt_tokens: int | None):
    try:
        yield from _sse_events(events, cid, created, limits, prompt_tokens)
    except ShopfloorError as e:  # after the stream started: an OpenAI-style error event, then [DONE]
        yield _error_event(str(e), "invalid_request_error")
    except Exception:  # noqa: BLE001 - the edge of a started stream: log the bug, tell the client, end cleanly
        log.exception("error while streaming a chat completion")
        yield _error_event("internal error while answering; see the server log", "server_error")
    yield "data: [DONE]\n\n"


def _error_event(message: str, kind: str) -> str:
    return f"data: {json.dumps({'error': {'message': message, 'type': kind, 'param': None, 'code': None}})}\n\n"


def _sse_events(events, cid: str, created: int, limits: Limits, prompt_tokens: int | None):
    yield _chunk(cid, created, {"role": "assistant", "content": ""})
    citations: list[dict] = []
    for e in events:
        if isinstance(e, Token):
            piece = limits.feed(e.text)
            if piece:
                yield _chunk(cid, created, {"content": piece})
            if limits.ended:  # the caller's limit is reached: stop listening, so the language model stops too
                if hasattr(events, "close"):
                    events.close()
                break
        elif isinstance(e, Answer):
            # The final answer always extends what was streamed (notes are added after it); nothing shown is
            # ever dropped. Should that ever break, only what is new is sent - never a second answer.
            citations = _citations(e)
            rest = limits.finish(e.answer)
            if rest:
                yield _chunk(cid, created, {"content": rest})
    yield _chunk(cid, created, {}, limits.finish_reason, citations=citations)
    if prompt_tokens is not None:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID, "choices": [],
                "usage": _usage(prompt_tokens, count_tokens(limits.text[:limits.sent]))}
        yield f"data: {json.dumps(body)}\n\n"
