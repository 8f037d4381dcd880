"""An OpenAI-compatible /v1 endpoint: other chat front ends can use shopfloor (retrieval built in) as their model."""

from __future__ import annotations

import json
import logging
import time
import uuid

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse

from shopfloor.assistant.api.schemas import ChatCompletionRequest
from shopfloor.assistant.pipeline.events import Answer, Token
from shopfloor.errors import InputError, ShopfloorError

log = logging.getLogger(__name__)


MODEL_ID = "shopfloor"
_MODEL = {"id": MODEL_ID, "object": "model", "created": 1767225600, "owned_by": "shopfloor"}  # 2026-01-01, fixed


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
        events = get_assistant().ask(msgs[-1]["content"], msgs[:-1], user=user)  # checks the role before streaming
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
        if not req.stream:
            done = [e for e in events if isinstance(e, Answer)][-1]
            return {"id": cid, "object": "chat.completion", "created": created, "model": "shopfloor",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": _with_sources(done)},
                                 "finish_reason": "stop"}], "citations": [c.model_dump() for c in done.citations]}
        return StreamingResponse(_sse(events, cid, created), media_type="text/event-stream")

    return r


def _with_sources(done: Answer) -> str:
    cites = "\n".join(f"[{c.n}] {c.citation}" for c in done.citations if c.n)
    return done.answer + (f"\n\nSources:\n{cites}" if cites and done.grounded else "")


def _chunk(cid: str, created: int, delta: dict, finish: str | None = None) -> str:
    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": "shopfloor",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n"


def _sse(events, cid: str, created: int):
    try:
        yield from _sse_events(events, cid, created)
    except ShopfloorError as e:  # after the stream started: an OpenAI-style error event, then [DONE]
        yield _error_event(str(e), "invalid_request_error")
    except Exception:  # noqa: BLE001 - the edge of a started stream: log the bug, tell the client, end cleanly
        log.exception("error while streaming a chat completion")
        yield _error_event("internal error while answering; see the server log", "server_error")
    yield "data: [DONE]\n\n"


def _error_event(message: str, kind: str) -> str:
    return f"data: {json.dumps({'error': {'message': message, 'type': kind, 'param': None, 'code': None}})}\n\n"


def _sse_events(events, cid: str, created: int):
    yield _chunk(cid, created, {"role": "assistant"})
    streamed = ""
    for e in events:
        if isinstance(e, Token):
            streamed += e.text
            yield _chunk(cid, created, {"content": e.text})
        elif isinstance(e, Answer):
            final = _with_sources(e)
            # The final answer always extends what was streamed (notes and sources are added after it; nothing
            # shown is ever dropped). Should that ever break, only what is new is sent - never a second answer.
            if final.startswith(streamed):
                rest = final[len(streamed):]
            else:
                log.error("final answer does not extend the streamed text; sending no revision")
                rest = ""
            if rest:
                yield _chunk(cid, created, {"content": rest})
    yield _chunk(cid, created, {}, "stop")
