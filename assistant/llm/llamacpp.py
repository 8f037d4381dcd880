"""llama.cpp backend (the ``xllamacpp`` prebuilt wheel): GGUF models as shipped, streamed, several users at once.

The default local backend for GGUF models, the embedded SmolLM2-135M-Instruct included: on 2 CPU cores
it decodes several times faster than transformers fp32 and reads a prompt in milliseconds
(``benchmarks/bench_llm.py``). One server per (model, slots) per process; ``n_parallel`` slots let
that many chat users generate at once instead of queueing behind one lock.

The binding also opens llama.cpp's HTTP server on a random 127.0.0.1 port; it is given a random API
key that never leaves this process, so nothing else on the machine can use it.
"""

from __future__ import annotations

import functools
import logging
import queue
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

from shopfloor.errors import BackendError

log = logging.getLogger(__name__)
_END = object()


@functools.lru_cache(maxsize=2)
def _server(path: str, n_parallel: int, n_ctx: int, threads: int, adapter: str | None = None):
    import xllamacpp as xlc

    p = xlc.CommonParams()
    p.model.path = path
    if adapter:  # a LoRA adapter GGUF (``shopfloor lm tune``), applied on top of the model as shipped
        p.lora_adapters = [xlc.CommonAdapterLoraInfo(adapter, 1.0)]
    p.n_parallel = n_parallel
    p.n_ctx = n_ctx * n_parallel  # each slot gets n_ctx tokens
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.warmup = False
    p.verbosity = 0
    p.api_keys = [secrets.token_urlsafe(24)]  # the binding's HTTP port is not for anyone else
    try:
        return xlc.Server(p)
    except Exception as e:  # noqa: BLE001 - the binding raises plain exceptions for unreadable models
        raise BackendError(f"llama.cpp could not load {path}" + (f" with adapter {adapter}" if adapter else "")
                           + f": {e}") from None


class LlamaCppLLM:
    """Chat completions from a GGUF file through llama.cpp, streamed piece by piece; a GBNF ``grammar``
    constrains what the model may write (``supports_grammar``)."""

    supports_grammar = True

    def __init__(self, gguf: str | Path, name: str | None = None, timeout_s: float = 60.0, n_parallel: int = 2,
                 n_ctx: int = 4096, threads: int | None = None, adapter: str | Path | None = None):
        import os

        self.name = name or Path(gguf).stem
        self.timeout_s = timeout_s
        threads = threads or max(1, min(os.cpu_count() or 1, 8))
        self.adapter = str(adapter) if adapter else None
        self.server = _server(str(gguf), n_parallel, n_ctx, threads, self.adapter)

    def stream(self, messages: list[dict], max_new_tokens: int, temperature: float,
               grammar: str | None = None) -> Iterator[str]:
        req = {"messages": messages, "max_tokens": max_new_tokens, "temperature": temperature, "stream": True,
               "repeat_penalty": 1.15, "top_p": 0.9}
        if grammar:
            req["grammar"] = grammar
        pieces: queue.Queue = queue.Queue()
        stop = threading.Event()  # set when the caller stops listening: the slot is freed, not run to the end

        def on_chunk(chunk) -> bool:
            pieces.put(chunk)
            return stop.is_set()

        def run() -> None:
            try:
                self.server.handle_chat_completions(req, on_chunk)
            except Exception as e:  # noqa: BLE001 - surfaced to the caller as a BackendError below
                pieces.put(e)
            finally:
                pieces.put(_END)

        worker = threading.Thread(target=run, daemon=True, name="llamacpp-request")
        worker.start()
        try:
            while True:
                try:
                    item = pieces.get(timeout=self.timeout_s)
                except queue.Empty:
                    raise BackendError(f"llama.cpp gave no token for {self.timeout_s:.0f} s") from None
                if item is _END:
                    return
                if isinstance(item, Exception):
                    raise BackendError(f"llama.cpp failed: {item}")
                if isinstance(item, dict) and "error" in item:
                    raise BackendError(f"llama.cpp: {item['error'].get('message', item['error'])}")
                for choice in (item.get("choices") or []) if isinstance(item, dict) else []:
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield text
        finally:
            stop.set()
