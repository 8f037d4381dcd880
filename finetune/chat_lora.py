"""LoRA fine-tuning of a chat language model on (messages, reply) examples, exported for llama.cpp.

The same design as the text classifiers (a frozen base, a small LoRA adapter trained with peft), applied to
the language model that writes answers: the base is the embedded SmolLM2-135M-Instruct (its GGUF dequantised
once into a Hugging Face folder, :func:`shopfloor.models.resolve_llm`), the loss is on the reply's tokens
only, and the adapter is written twice: as a peft folder (to train further or load in transformers) and as a
llama.cpp LoRA adapter GGUF, applied at run time on top of the GGUF as shipped, so serving needs no merged or
re-quantised model.

Example:
    >>> ex = [ChatExample(messages=[{"role": "user", "content": "Q?"}], reply="A [1].")]
    >>> train_chat_lora(ex, "models/answerer")          # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)
ADAPTER_GGUF = "adapter.gguf"
META = "answerer.json"
TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
# Hugging Face module name -> llama.cpp tensor name (the LLaMA family, SmolLM2 included)
_GGUF_NAMES = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
               "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
               "mlp.down_proj": "ffn_down"}


@dataclass
class ChatExample:
    """One training example: the chat as the model will see it, and the reply it should write."""

    messages: list[dict]
    reply: str
    kind: str = ""  # where it came from (for the report): "table row", "section", "refusal"...


@dataclass
class ChatLoraConfig:
    base: str = "smollm2-135m-instruct"
    r: int = 8
    alpha: int = 16
    dropout: float = 0.05
    lr: float = 3e-4
    epochs: int = 1
    max_length: int = 768  # prompt + reply tokens; longer prompts lose their oldest passage text
    seed: int = 0
    budget_s: float | None = None  # stop after this many seconds of training (the adapter is still saved)
    targets: tuple[str, ...] = TARGETS
    extra: dict = field(default_factory=dict)


Progress = Callable[[int, int, float, float], None]  # step, steps, loss, seconds so far


def _encode(tok, ex: ChatExample, max_length: int):
    """Token ids of prompt + reply and the index where the reply starts; the prompt is cut from the left of the
    last message if too long (the question and the reply are never cut)."""
    prompt = tok.apply_chat_template(ex.messages, add_generation_prompt=True, tokenize=False)
    reply = ex.reply.strip() + tok.eos_token
    p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
    r_ids = tok(reply, add_special_tokens=False)["input_ids"]
    if len(p_ids) + len(r_ids) > max_length:
        keep = max(0, max_length - len(r_ids))
        p_ids = p_ids[:keep // 2] + p_ids[len(p_ids) - (keep - keep // 2):]
    return p_ids + r_ids, len(p_ids)


def train_chat_lora(examples: list[ChatExample], out: str | Path, config: ChatLoraConfig | None = None,
                    progress: Progress | None = None) -> Path:
    """Train a LoRA adapter on ``examples`` (loss on the replies only); returns ``out``.

    One example per step (no padding), logits computed only where the reply is predicted: on 2 CPU cores a
    ~500-token example takes about a second. Writes ``adapter_model.safetensors`` (peft), ``adapter.gguf``
    (llama.cpp) and ``answerer.json`` (settings, examples, loss, time).
    """
    import torch
    from peft import LoraConfig, get_peft_model

    from shopfloor.models import load_llm

    cfg = config or ChatLoraConfig()
    if not examples:
        raise ValueError("no training examples")
    out = Path(out)
    t0 = time.perf_counter()
    torch.manual_seed(cfg.seed)
    tok, base = load_llm(cfg.base)
    import copy

    model = get_peft_model(copy.deepcopy(base), LoraConfig(
        r=cfg.r, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout, target_modules=list(cfg.targets),
        task_type="CAUSAL_LM"))
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    encoded = [_encode(tok, ex, cfg.max_length) for ex in examples]
    steps = len(encoded) * cfg.epochs
    warmup = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / steps))))
    inner = model.get_base_model()  # LlamaForCausalLM with LoRA layers in place
    order, losses, step, stopped = list(range(len(encoded))), [], 0, False
    rng = random.Random(cfg.seed)
    for _ in range(cfg.epochs):
        rng.shuffle(order)
        for i in order:
            ids, start = encoded[i]
            x = torch.tensor([ids])
            hidden = inner.model(input_ids=x).last_hidden_state[0, start - 1:-1]  # type: ignore[operator]
            logits = inner.lm_head(hidden)  # type: ignore[operator]  # (positions predicting the reply)
            loss = torch.nn.functional.cross_entropy(logits.float(), x[0, start:])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            losses.append(loss.detach().item())
            step += 1
            elapsed = time.perf_counter() - t0
            if progress:
                progress(step, steps, sum(losses[-20:]) / len(losses[-20:]), elapsed)
            if cfg.budget_s and elapsed > cfg.budget_s:
                stopped = True
                break
        if stopped:
            break
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    export_gguf_adapter(model, out / ADAPTER_GGUF, cfg.alpha)
    meta = {"config": {k: v for k, v in asdict(cfg).items() if k != "extra"}, "examples": len(examples),
            "kinds": {k: sum(e.kind == k for e in examples) for k in sorted({e.kind for e in examples})},
            "steps": step, "planned_steps": steps, "stopped_by_budget": stopped,
            "loss_first_20": _mean(losses[:20]), "loss_last_20": _mean(losses[-20:]),
            "train_s": round(time.perf_counter() - t0, 1), **cfg.extra}
    (out / META).write_text(json.dumps(meta, indent=2))
    return out


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def _permute(w, n_head: int):
    """llama.cpp stores the q and k projections with each head's rotary halves interleaved
    (``convert_hf_to_gguf.py``, LlamaModel.permute); a LoRA B matrix writes into those rows, so it is permuted
    the same way."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def export_gguf_adapter(model, path: str | Path, alpha: float) -> Path:
    """Write the LoRA weights of a peft LLaMA-family model as a llama.cpp adapter GGUF (general.type
    "adapter", adapter.type "lora", tensors ``blk.N.<name>.weight.lora_a`` / ``.lora_b``)."""
    import re

    import gguf
    import numpy as np

    config = model.get_base_model().config
    n_head, n_kv = config.num_attention_heads, config.num_key_value_heads
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(alpha))
    state = {k: v for k, v in model.state_dict().items() if "lora_" in k}
    pat = re.compile(r"layers\.(\d+)\.(self_attn\.\w+_proj|mlp\.\w+_proj)\.lora_([AB])\.(?:default\.)?weight$")
    n = 0
    for key in sorted(state):
        m = pat.search(key)
        if not m:
            continue
        layer, module, ab = int(m.group(1)), m.group(2), m.group(3)
        w = state[key].detach().float().cpu()
        if ab == "B" and module == "self_attn.q_proj":
            w = _permute(w, n_head)
        elif ab == "B" and module == "self_attn.k_proj":
            w = _permute(w, n_kv)
        name = f"blk.{layer}.{_GGUF_NAMES[module]}.weight.lora_{ab.lower()}"
        writer.add_tensor(name, np.ascontiguousarray(w.numpy().astype(np.float32)))
        n += 1
    if not n:
        raise ValueError("the model has no LoRA weights to export")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return Path(path)


def load_meta(path: str | Path) -> dict:
    f = Path(path) / META
    return json.loads(f.read_text()) if f.exists() else {}
