"""Loading trained classifiers and predicting: one task, or several tasks sharing one base in memory."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from shopfloor.calibration import softmax
from shopfloor.errors import InputError, NotBuiltError
from shopfloor.finetune.artifacts import META, predict_logits
from shopfloor.finetune.modeling import load_base, load_head, load_tokenizer, resolve_base

log = logging.getLogger(__name__)


@dataclass
class Prediction:
    """A label a quality engineer can trust, or an honest request for review."""

    label: str
    confidence: float  # calibrated probability of ``label``
    alternatives: list[tuple[str, float]] = field(default_factory=list)  # next best labels with probabilities
    needs_review: bool = False
    reason: str | None = None  # why it needs review


@runtime_checkable
class TextClassifier(Protocol):
    """What every consumer of a classifier needs (batch files, evaluation, the assistant).

    :class:`Classifier` (a trained task), :class:`ColdStartClassifier` (zero-shot from a taxonomy)
    and ``MultiTaskClassifier.task(name)`` all satisfy it.
    """

    task: str

    @property
    def labels(self) -> list[str]: ...

    def predict(self, texts: list[str], top: int = 3) -> list[Prediction]: ...


def read_meta(folder: str | Path) -> dict:
    path = Path(folder) / META
    if not path.exists():
        raise NotBuiltError(f"no classifier at {folder}: train one with `shopfloor classify train ... --out {folder}`"
                            " (or run `shopfloor demo`)")
    return json.loads(path.read_text())


class MultiTaskClassifier:
    """Several task adapters on one base model: one load serves all tasks.

    Example:
        >>> mt = load_tasks("workspace/models/classifier")            # doctest: +SKIP
        >>> mt.predict(["brg nse P-101"], task="component")[0].label  # doctest: +SKIP
        'bearing'
    """

    def __init__(self, folders: dict[str, Path]):
        from peft import PeftModel

        if not folders:
            raise NotBuiltError("no classifier tasks found")
        self.folders = {task: Path(f) for task, f in folders.items()}
        self.meta = {task: read_meta(f) for task, f in folders.items()}
        bases = {m["base"] for m in self.meta.values()}
        if len(bases) > 1:
            raise InputError(f"tasks were trained on different bases {sorted(bases)}; load them separately")
        path = resolve_base(bases.pop())
        self.tokenizer = load_tokenizer(path)
        base, _ = load_base(path)
        tasks = list(folders)
        self.model = PeftModel.from_pretrained(base, str(folders[tasks[0]] / "adapter"), adapter_name=tasks[0])
        for task in tasks[1:]:
            self.model.load_adapter(str(folders[task] / "adapter"), adapter_name=task)
        self.model.eval()
        self.heads = {t: load_head(folders[t] / "head.safetensors", self.meta[t]["hidden_size"],
                                   len(self.meta[t]["labels"])) for t in tasks}
        self._lock = threading.Lock()  # set_adapter + forward must not interleave between threads
        self._domains: dict[str, dict | None] = {}

    @property
    def tasks(self) -> list[str]:
        return list(self.heads)

    def task(self, name: str) -> Classifier:
        """One task of this runtime as a :class:`TextClassifier` (shares the loaded base)."""
        self._meta(name)  # unknown task: InputError naming the trained ones
        return Classifier(self, name, self.folders[name])

    def labels(self, task: str) -> list[str]:
        return self._meta(task)["labels"]

    def text_kind(self, task: str) -> str:
        """The kind of text the task was trained on ("maintenance log", "complaint", ...)."""
        return self._meta(task).get("text_kind", "maintenance log")

    def unlike(self, text: str, task: str) -> str | None:
        """Why ``text`` is unlike the task's training texts (its label must be reviewed), or None.

        A task trained before domains were kept (no ``domain.npz``) finds nothing unlike.
        """
        from shopfloor.finetune.domain import domain_score, load_domain

        self._meta(task)
        if task not in self._domains:
            self._domains[task] = load_domain(self.folders[task])
        domain = self._domains[task]
        if domain is None:
            return None
        score = domain_score(domain, text)
        if score >= domain["threshold"]:
            return None
        return (f"unlike the {task} classifier's training texts (similarity {score:.2f} to the nearest, "
                f"below {domain['threshold']:.2f})")

    def _meta(self, task: str) -> dict:
        if task not in self.meta:
            raise InputError(f"unknown task {task!r}; available: {self.tasks}")
        return self.meta[task]

    def probabilities(self, texts: list[str], task: str):
        meta = self._meta(task)
        texts = [str(t) if t is not None else "" for t in texts]
        with self._lock:
            self.model.set_adapter(task)
            logits = predict_logits(self.model, self.heads[task], self.tokenizer, texts, meta["pooling"],
                                    meta["max_length"])
        return softmax(logits, meta["temperature"])

    def predict(self, texts: list[str], task: str, top: int = 3) -> list[Prediction]:
        meta = self._meta(task)
        probs = self.probabilities(texts, task)
        return [_prediction(t, p, meta["labels"], meta["threshold"], top) for t, p in zip(texts, probs, strict=True)]


def _prediction(text: str, p, labels: list[str], threshold: float, top: int) -> Prediction:
    order = p.argsort()[::-1][:top]
    label, conf = labels[order[0]], float(p[order[0]])
    alts = [(labels[i], float(p[i])) for i in order[1:]]
    if not text.strip():
        return Prediction(label, conf, alts, True, "empty text")
    if conf < threshold:
        return Prediction(label, conf, alts, True, f"confidence {conf:.2f} below review threshold {threshold:.2f}")
    return Prediction(label, conf, alts, False, None)


class Classifier:
    """One trained task: ``Classifier.load(dir).predict(texts)``."""

    def __init__(self, runtime: MultiTaskClassifier, task: str, folder: Path | None = None):
        self._rt, self.task, self.folder = runtime, task, folder

    @classmethod
    def load(cls, folder: str | Path) -> Classifier:
        task = read_meta(folder)["task"]
        return cls(MultiTaskClassifier({task: Path(folder)}), task, Path(folder))

    @property
    def labels(self) -> list[str]:
        return self._rt.labels(self.task)

    @property
    def meta(self) -> dict:
        return self._rt.meta[self.task]

    def predict(self, texts: list[str], top: int = 3) -> list[Prediction]:
        return self._rt.predict(texts, self.task, top)

    def probabilities(self, texts: list[str]):
        return self._rt.probabilities(texts, self.task)


def load_tasks(root: str | Path) -> MultiTaskClassifier:
    """Every task folder under ``root`` (each holding classifier.json) on one shared base."""
    root = Path(root)
    folders = {read_meta(p.parent)["task"]: p.parent for p in sorted(root.glob(f"*/{META}"))}
    if not folders:
        raise NotBuiltError(f"no classifiers under {root}: run `shopfloor demo` or `shopfloor classify train`")
    return MultiTaskClassifier(folders)
