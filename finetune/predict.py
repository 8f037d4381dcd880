"""Loading trained classifiers and predicting: one task, or several tasks sharing one base in memory."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from shopfloor.calibration import softmax
from shopfloor.errors import InputError, NotBuiltError
from shopfloor.finetune.artifacts import META, predict_logits
from shopfloor.finetune.memory import ReviewMemory
from shopfloor.finetune.modeling import load_base, load_head, load_tokenizer, resolve_base

log = logging.getLogger(__name__)
Runtime = Literal["auto", "torch"]


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

    def __init__(self, folders: dict[str, Path], runtime: Runtime = "auto"):
        from shopfloor.finetune import runtime as rt
        from shopfloor.finetune.ensemble import Members, weights

        if not folders:
            raise NotBuiltError("no classifier tasks found")
        self.folders = {task: Path(f) for task, f in folders.items()}
        self.meta = {task: read_meta(f) for task, f in folders.items()}
        bases = {m["base"] for m in self.meta.values()}
        if len(bases) > 1:
            raise InputError(f"tasks were trained on different bases {sorted(bases)}; load them separately")
        self.weights = {t: weights(m) for t, m in self.meta.items()}
        self.members = {t: Members(self.folders[t], self.meta[t]) for t in folders}
        encoded = [t for t in folders if "encoder" in self.weights[t]]
        use_ort = runtime == "auto" and rt.available()
        self._ort = {t: rt.OrtEncoder(self.folders[t] / rt.ENCODER_FILE) for t in encoded
                     if use_ort and (self.folders[t] / rt.ENCODER_FILE).exists()}
        # frozen sentence vectors come from the engine the task was trained with (torch when forced or unavailable)
        self._engine = {t: m.get("sentence_engine", "torch") if use_ort else "torch" for t, m in self.meta.items()}
        base = resolve_base(bases.pop())
        self.tokenizer = load_tokenizer(base) if encoded else None
        on_torch = [t for t in encoded if t not in self._ort]
        self.model, self.heads = self._load_encoder(base, on_torch) if on_torch else (None, {})
        self._lock = threading.Lock()  # set_adapter + forward must not interleave between threads
        self._domains: dict[str, dict | None] = {}
        self._memory: dict[str, ReviewMemory] = {}

    def _load_encoder(self, path: str, tasks: list[str]):
        from peft import PeftModel

        base, _ = load_base(path)
        model = PeftModel.from_pretrained(base, str(self.folders[tasks[0]] / "adapter"), adapter_name=tasks[0])
        for task in tasks[1:]:
            model.load_adapter(str(self.folders[task] / "adapter"), adapter_name=task)
        heads = {t: load_head(self.folders[t] / "head.safetensors", self.meta[t]["hidden_size"],
                              len(self.meta[t]["labels"])) for t in tasks}
        return model.eval(), heads

    @property
    def tasks(self) -> list[str]:
        return list(self.meta)

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
        score = domain_score(domain, text, self._engine[task])
        if score >= domain["threshold"]:
            return None
        return (f"unlike the {task} classifier's training texts (similarity {score:.2f} to the nearest, "
                f"below {domain['threshold']:.2f})")

    def _meta(self, task: str) -> dict:
        if task not in self.meta:
            raise InputError(f"unknown task {task!r}; available: {self.tasks}")
        return self.meta[task]

    def probabilities(self, texts: list[str], task: str):
        """(n, n_labels) calibrated probabilities of the task's ensemble (reviews not applied)."""
        return self._scores([str(t) if t is not None else "" for t in texts], task)[0]

    def _scores(self, texts: list[str], task: str, need_vectors: bool = False):
        from shopfloor.finetune.ensemble import as_logits, combine

        parts, vectors = self.member_probabilities(texts, task, need_vectors)
        return softmax(as_logits(combine(parts, self.weights[task])), self._meta(task)["temperature"]), vectors

    def member_probabilities(self, texts: list[str], task: str, need_vectors: bool = False):
        """({member: (n, n_labels) probabilities before averaging and calibration}, sentence vectors or None)."""
        from shopfloor.finetune.ensemble import sentence_vectors

        meta, w = self._meta(task), self.weights[task]
        vectors = sentence_vectors(texts, engine=self._engine[task]) if texts and ("sentence" in w or need_vectors) \
            else None
        parts = self.members[task].parts(texts, vectors)
        if task in self._ort:  # int8 ONNX Runtime (thread-safe: no lock needed)
            parts["encoder"] = softmax(self._ort[task].logits(self.tokenizer, texts, meta["max_length"]))
        elif "encoder" in w:
            with self._lock:
                self.model.set_adapter(task)
                logits = predict_logits(self.model, self.heads[task], self.tokenizer, texts, meta["pooling"],
                                        meta["max_length"])
            parts["encoder"] = softmax(logits)
        return parts, vectors

    def remember(self, task: str, texts: list[str], labels: list[str]) -> None:
        """Reviewed (text, label) pairs that change this task's predictions from now on, without retraining."""
        from shopfloor.finetune.ensemble import sentence_vectors

        self._meta(task)
        if texts:
            self._memory.setdefault(task, ReviewMemory()).add(texts, labels,
                                                              sentence_vectors(texts, engine=self._engine[task]))

    def remembered(self, task: str) -> int:
        """How many reviewed texts currently steer ``task``."""
        return len(self._memory.get(task, ()))

    def predict(self, texts: list[str], task: str, top: int = 3) -> list[Prediction]:
        meta = self._meta(task)
        texts = [str(t) if t is not None else "" for t in texts]
        memory = self._memory.get(task)
        probs, vectors = self._scores(texts, task, need_vectors=bool(memory))
        labels = meta["labels"]
        if memory and len(texts):
            probs, labels, _ = memory.blend(probs, labels, vectors)
        return [_prediction(t, p, labels, meta["threshold"], top) for t, p in zip(texts, probs, strict=True)]


def _prediction(text: str, p, labels: list[str], threshold: float, top: int) -> Prediction:
    order = p.argsort()[::-1][:top]
    label, conf = labels[order[0]], float(p[order[0]])
    alts = [(labels[i], float(p[i])) for i in order[1:]]
    if not text.strip():
        return Prediction(label, conf, alts, True, "empty text")
    if threshold > 1.0:  # artifacts.NO_AUTO_ACCEPT: too few held-out rows to trust any threshold yet
        return Prediction(label, conf, alts, True, "every row is reviewed until enough reviewed rows give a held-out "
                                                   "estimate")
    if conf < threshold:
        return Prediction(label, conf, alts, True, f"confidence {conf:.2f} below review threshold {threshold:.2f}")
    return Prediction(label, conf, alts, False, None)


class Classifier:
    """One trained task: ``Classifier.load(dir).predict(texts)``."""

    def __init__(self, runtime: MultiTaskClassifier, task: str, folder: Path | None = None):
        self._rt, self.task, self.folder = runtime, task, folder

    @classmethod
    def load(cls, folder: str | Path, runtime: Runtime = "auto") -> Classifier:
        """``runtime``: "auto" uses the int8 ONNX encoder when saved and onnxruntime is installed; "torch" never."""
        task = read_meta(folder)["task"]
        return cls(MultiTaskClassifier({task: Path(folder)}, runtime), task, Path(folder))

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

    def remember(self, texts: list[str], labels: list[str]) -> None:
        """Reviewed labels that steer predictions at once (see :mod:`shopfloor.finetune.memory`)."""
        self._rt.remember(self.task, texts, labels)


def load_tasks(root: str | Path, runtime: Runtime = "auto") -> MultiTaskClassifier:
    """Every task folder under ``root`` (each holding classifier.json) on one shared base."""
    root = Path(root)
    folders = {read_meta(p.parent)["task"]: p.parent for p in sorted(root.glob(f"*/{META}"))}
    if not folders:
        raise NotBuiltError(f"no classifiers under {root}: run `shopfloor demo` or `shopfloor classify train`")
    return MultiTaskClassifier(folders, runtime)
