"""Local transformers backend: the embedded SmolLM2 (default) or any HF folder, streamed token by token."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

from shopfloor.errors import BackendError


class LocalLLM:
    def __init__(self, model: str = "smollm2-135m-instruct", timeout_s: float = 60.0, adapter: str | None = None):
        from shopfloor.models import load_llm

        self.name = model
        self.tokenizer: Any
        self.model: Any
        self.tokenizer, self.model = load_llm(model)
        if adapter:  # a LoRA answerer's peft folder, on a copy: the cached base stays as it is for other callers
            import copy

            from peft import PeftModel

            self.model = PeftModel.from_pretrained(copy.deepcopy(self.model), adapter).eval()
        self.timeout_s = timeout_s
        self._lock = threading.Lock()  # one generation at a time on a small CPU box

    def stream(self, messages: list[dict], max_new_tokens: int, temperature: float) -> Iterator[str]:
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                 return_dict=True)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True,
                                        timeout=self.timeout_s)
        kwargs = {"input_ids": ids["input_ids"], "attention_mask": ids["attention_mask"], "streamer": streamer,
                  "max_new_tokens": max_new_tokens, "do_sample": temperature > 0, "repetition_penalty": 1.15,
                  "pad_token_id": self.tokenizer.pad_token_id or self.tokenizer.eos_token_id}
        if temperature > 0:
            kwargs.update(temperature=temperature, top_p=0.9)
        stop = threading.Event()  # set when the caller stops listening, so generation does not run on unseen
        kwargs["stopping_criteria"] = StoppingCriteriaList([_Stop(stop)])
        with self._lock:
            worker = threading.Thread(target=self.model.generate, kwargs=kwargs, daemon=True)
            worker.start()
            try:
                yield from streamer
            except queue.Empty as e:  # no new token within timeout_s
                raise BackendError(f"local model timed out after {self.timeout_s:.0f} s") from e
            finally:
                stop.set()
                worker.join(timeout=self.timeout_s)


class _Stop:
    """A transformers stopping criterion that ends generation once ``event`` is set (batch of one)."""

    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device)
