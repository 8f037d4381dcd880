"""The network: a Hugging Face base with LoRA adapters (peft, one per task) and a linear head per task.

Heads live outside peft so that tasks with different label counts share one base in memory
(peft's ``modules_to_save`` head would need the same shape for every adapter). Each head is saved
and reloaded explicitly (``head.safetensors``), which also rules out the known pitfall of a head
silently reloading with random weights; tests check reloaded predictions are identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

ENCODER_TARGETS = ["query", "key", "value", "dense"]  # BERT-style blocks (MiniLM)
DECODER_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]  # Llama-style blocks (SmolLM2)
LLM_NAMES = {"smollm2", "smollm2-135m", "smollm2-135m-instruct"}


def resolve_base(name: str) -> str:
    """A local folder for the registry names; any other name is a local folder or a hub id."""
    from shopfloor import models

    if name.lower() in LLM_NAMES:
        return models.resolve_llm()
    if name.lower() in models.EMBEDDER_ALIASES:
        return models.resolve_embedder()
    return str(name)


def load_tokenizer(path: str):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    tok.padding_side = "right"
    return tok


def load_base(path: str):
    """The bare transformer (no task head) and whether it is a decoder-only LM."""
    from transformers import AutoConfig, AutoModel

    cfg = AutoConfig.from_pretrained(path)
    decoder = bool(getattr(cfg, "is_decoder", False)) or cfg.model_type in ("llama", "mistral", "qwen2", "gpt2", "phi3")
    return AutoModel.from_pretrained(path, dtype="float32"), decoder


def lora_config(r: int, alpha: int, dropout: float, decoder: bool):
    from peft import LoraConfig

    return LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, bias="none",
                      target_modules=DECODER_TARGETS if decoder else ENCODER_TARGETS)


def pool(hidden: torch.Tensor, mask: torch.Tensor, how: str) -> torch.Tensor:
    """(batch, seq, hidden) -> (batch, hidden): masked mean, or the last non-padding token."""
    import torch

    if how == "last":
        last = mask.sum(dim=1) - 1
        return hidden[torch.arange(hidden.size(0)), last]
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)


def make_head(hidden_size: int, n_labels: int):
    import torch

    return torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(hidden_size, n_labels))


def save_head(head, path: Path) -> None:
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in head.state_dict().items()}, str(path))


def load_head(path: Path, hidden_size: int, n_labels: int):
    from safetensors.torch import load_file

    head = make_head(hidden_size, n_labels)
    head.load_state_dict(load_file(str(path)))
    return head.eval()


def forward_logits(model, head, batch: dict, pooling: str):
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    return head(pool(out.last_hidden_state, batch["attention_mask"], pooling))
