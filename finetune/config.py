"""Typed training settings for a classifier; saved as ``train_config.json`` beside the adapter it produced."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from shopfloor.models import EMBEDDER

Pooling = Literal["auto", "mean", "last"]
Member = Literal["encoder", "keywords", "sentence"]
MEMBERS: tuple[str, ...] = ("encoder", "keywords", "sentence")


@dataclass
class TrainConfig:
    """How to fine-tune a LoRA adapter and a classification head for one task.

    The defaults are what `shopfloor classify train` uses and what the benchmarks measure.

    Example:
        >>> TrainConfig(text_col="text", label_col="label", out="models/fm").epochs
        12
    """

    text_col: str = "text"  # column holding the free text
    label_col: str = "label"  # column holding the label
    out: str | Path = "classifier"  # output folder (adapter, head, label map, calibration, metrics, card)
    task: str = "default"  # task name (failure_mode, component, ...): one adapter per task on a shared base
    base: str = EMBEDDER  # registry name (all-MiniLM-L6-v2 | smollm2-135m-instruct), local HF folder or hub id
    seed: int = 13
    epochs: int = 12  # at most this many passes over the training rows (fewer when the time budget says so)
    time_budget_s: float = 600.0  # the whole training run should end within this (seconds); epochs/steps are chosen
    batch_size: int = 16
    lr: float = 1e-3  # LoRA + head learning rate (AdamW, linear decay after 6 % warm-up)
    max_length: int | None = None  # tokens per text; None: the 95th percentile of the training texts (16..256)
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    pooling: Pooling = "auto"  # mean for encoders, last token for decoder LMs
    class_weighting: Literal["sqrt_inverse", "none"] = "sqrt_inverse"  # counters heavy class imbalance
    calib_fraction: float = 0.15  # held out (stratified) for temperature scaling and the review threshold
    target_precision: float = 0.9  # predictions below the confidence reaching this precision -> needs_review
    max_rows: int | None = None  # cap on training rows (stratified sample) for quick runs
    resume: bool = True  # continue from the last epoch checkpoint in <out>/checkpoints if present
    extra_rows: list[tuple[str, str]] = field(default_factory=list)  # (text, label) from reviewed corrections
    data: list[str] = field(default_factory=list)  # training files, recorded so that a retrain can find them
    text_kind: str = "maintenance log"  # what the texts are; diagnosis applies only maintenance-log tasks
    members: tuple[str, ...] = MEMBERS  # ensemble: LoRA encoder head, n-gram keywords LR, frozen-sentence LR
    onnx: bool = True  # also save the encoder as int8 ONNX (fast inference; needs onnxruntime, else torch is used)

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "lora_r"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.max_length is not None and not 8 <= self.max_length <= 512:
            raise ValueError(f"max_length must be in [8, 512] or None (from the data), got {self.max_length}")
        if not self.time_budget_s > 0:
            raise ValueError(f"time_budget_s must be > 0 seconds, got {self.time_budget_s}")
        self.members = tuple(self.members)
        bad = [m for m in self.members if m not in MEMBERS]
        if bad or not self.members:
            raise ValueError(f"members must be a non-empty subset of {list(MEMBERS)}, got {list(self.members)}")
        if not 0.0 < self.lr < 1.0:
            raise ValueError(f"lr must be in (0, 1), got {self.lr}")
        if not 0.0 <= self.calib_fraction < 0.5:
            raise ValueError(f"calib_fraction must be in [0, 0.5), got {self.calib_fraction}")
        if not 0.0 < self.target_precision <= 1.0:
            raise ValueError(f"target_precision must be in (0, 1], got {self.target_precision}")
        if self.pooling not in ("auto", "mean", "last"):
            raise ValueError(f"pooling must be 'auto', 'mean' or 'last', got {self.pooling!r}")
        if self.class_weighting not in ("sqrt_inverse", "none"):
            raise ValueError(f"class_weighting must be 'sqrt_inverse' or 'none', got {self.class_weighting!r}")
        self.out = Path(self.out)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["out"] = str(self.out)
        d.pop("extra_rows")
        d["members"] = list(self.members)
        return d
