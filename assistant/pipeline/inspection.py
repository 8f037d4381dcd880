"""Photos in, verdicts out: the workspace's image models run, results stored, reviews, retraining.

Every inspected photo is kept under ``<workspace>/vision/images/<sha256>.<ext>`` (so a reviewer can
see it and a retrain can learn from it) and has one row in ``inspections`` keyed by its hash: the
same photo uploaded twice updates its row and never queues twice. A row needs review when the
classifier was unsure (confidence below its calibrated cut) or the anomaly model flagged a photo
the classifier had no defect class for.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field, PrivateAttr

from shopfloor.assistant.pipeline.service import Service
from shopfloor.assistant.policy import DEFAULT_USER, Action, User, requires
from shopfloor.assistant.safety import clean_text
from shopfloor.db import audit
from shopfloor.errors import InputError, NotBuiltError

MAX_IMAGES = 500  # per call
MAX_BYTES = 25_000_000  # per photo
_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


class Alternative(BaseModel):
    """Another label the model considered, with its confidence (photos and review items)."""

    label: str
    confidence: float


class InspectedPhoto(BaseModel):
    """One photo's verdict as stored: the image models' result, the row it has and the hash of its bytes; the
    heatmap (an (H, W) array for overlays) rides along as :attr:`heatmap`, never serialised."""

    id: int | None = Field(None, description="Row id of the stored photo (None when it could not be read).")
    image: str
    sha256: str | None = Field(None, description="SHA-256 of the photo's bytes: which upload this result is for "
                                                 "(results come in upload order; names may repeat).")
    label: str | None = None
    confidence: float | None = None
    alternatives: list[Alternative] = []
    needs_review: bool = False
    review_reason: str | None = None
    anomaly_score: float | None = Field(None, description="Anomaly model score; 1.0 is the threshold.")
    anomalous: bool | None = None
    unknown: bool = Field(False, description="Unlike the good parts and the classifier unsure of its class: "
                                             "possibly a kind of defect the classifier was never shown.")
    error: str | None = None
    _heatmap: object = PrivateAttr(default=None)

    @property
    def heatmap(self):
        """The (H, W) anomaly or class-activation map in [0, 1], or None."""
        return self._heatmap


class ImageRetrainReport(BaseModel):
    """What a retrain of the image classifier did, with its cross-validated figures."""

    images: int
    reviewed_images: int
    classes: list[str]
    cv_accuracy: float
    cv_macro_f1: float
    train_seconds: float

    def line(self) -> str:
        return (f"Retrained on {self.images} photos ({self.reviewed_images} reviewed) in {self.train_seconds} s: "
                f"cross-validated accuracy {self.cv_accuracy:.3f}, macro-F1 {self.cv_macro_f1:.3f}.")


class ImageModel(BaseModel):
    """What a trained image model is: a defect classifier (classes, cross-validated figures, review cut) or an
    anomaly model (the good photos it was fitted on, its alarm line's false-alarm target)."""

    kind: str = Field(..., description="'classifier' or 'anomaly'.")
    trained_at: str = ""
    classes: list[str] = Field(default_factory=list, description="Classifier: its defect classes.")
    images: int = Field(0, description="Photos it was trained or fitted on.")
    cv_accuracy: float | None = None
    cv_macro_f1: float | None = None
    review_threshold: float | None = Field(None, description="Classifier: below this confidence a photo is reviewed.")
    normal_class: str = Field("", description="Anomaly model: the class of good parts it was fitted on.")
    target_false_alarm: float | None = Field(None, description="Anomaly model: share of good parts flagged.")

    @classmethod
    def of(cls, meta: dict) -> ImageModel:
        images = meta.get("images", 0)
        fields = {k: v for k, v in meta.items() if k in cls.model_fields and k != "images"}
        return cls(**fields, images=sum(images.values()) if isinstance(images, dict) else int(images))


def _slot(limit: int) -> threading.BoundedSemaphore:
    """The process-wide gate for inspect work: at most ``limit`` calls decode and run models at once."""
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(limit, threading.BoundedSemaphore(limit))


def _size(src: bytes | Path) -> int:
    return len(src) if isinstance(src, bytes) else Path(src).stat().st_size


def _store(ws, name: str, src: bytes | Path) -> tuple[str, Path]:
    data = src if isinstance(src, bytes) else Path(src).read_bytes()  # one photo at a time
    sha = hashlib.sha256(data).hexdigest()
    from shopfloor.vision.images import SUFFIXES

    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in SUFFIXES else ".img"
    folder = ws.root / "vision" / "images"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}{suffix}"
    if not path.exists():
        path.write_bytes(data)
    return sha, path


def inspect(components, ws, files: list[tuple[str, bytes | Path]], source: str, user: str,
            progress=None) -> list[InspectedPhoto]:
    """Run every trained image model on ``files`` ((name, bytes or path) pairs); one stored result per photo, in
    order, with ``id`` (the inspections row; None for an unreadable photo) and the heatmap. Results follow the
    photos by position (two photos may share a name). At most ``server.inspect_workers`` calls
    run at once in a process; the others wait their turn.
    """
    from shopfloor.vision.model import run

    if not files:
        raise InputError("no photos given")
    if len(files) > MAX_IMAGES:
        raise InputError(f"{len(files)} photos in one call; at most {MAX_IMAGES} (split the batch or use the CLI)")
    big = [n for n, b in files if _size(b) > MAX_BYTES]
    if big:
        raise InputError(f"{big[0]}: larger than {MAX_BYTES // 1_000_000} MB")
    models = components.vision_models()
    with _slot(ws.config.server.inspect_workers):
        results = run(models, list(files), progress=progress)
    has_classes = any(m.kind == "classifier" for m in models)
    with ws.connect() as conn:
        out = [_record(conn, ws, name, src, r, has_classes, source, user)
               for (name, src), r in zip(files, results, strict=True)]
        audit(conn, user, "inspect", f"{len(files)} photo(s) from {source}: "
                                     f"{sum(1 for d in out if d.needs_review)} need review")
    return out


def _record(conn, ws, name: str, src: bytes | Path, r, has_classes: bool, source: str, user: str
            ) -> InspectedPhoto:
    """One result, its photo kept and its row written (an unreadable photo: no row)."""
    out = _recorded(conn, ws, name, src, r.to_dict(), has_classes, source, user)
    out._heatmap = r.heatmap
    return out


def _recorded(conn, ws, name: str, src: bytes | Path, d: dict, has_classes: bool, source: str, user: str
              ) -> InspectedPhoto:
    if d["error"] is not None:
        d["sha256"] = hashlib.sha256(src if isinstance(src, bytes) else Path(src).read_bytes()).hexdigest()
        return InspectedPhoto(**d)
    if not has_classes and d["anomalous"]:  # only an anomaly model: a person says what the defect is
        d["needs_review"] = True
        d["review_reason"] = "unlike the good parts: say what the defect is"
    sha, path = _store(ws, name, src)
    conn.execute(
        "INSERT INTO inspections (sha256, image, stored, label, confidence, alternatives, needs_review, "
        "anomaly_score, anomalous, source, user) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(sha256) DO "
        "UPDATE SET image=excluded.image, label=excluded.label, confidence=excluded.confidence, "
        "alternatives=excluded.alternatives, needs_review=excluded.needs_review, "
        "anomaly_score=excluded.anomaly_score, anomalous=excluded.anomalous, source=excluded.source, "
        "user=excluded.user, created_at=datetime('now')",
        (sha, name, str(path), d["label"], d["confidence"], json.dumps(d["alternatives"]),
         int(d["needs_review"]), d["anomaly_score"], None if d["anomalous"] is None else int(d["anomalous"]),
         source, user))
    d["id"] = conn.execute("SELECT id FROM inspections WHERE sha256 = ?", (sha,)).fetchone()[0]
    d["sha256"] = sha
    return InspectedPhoto(**d)


# a photo's reviewed class: its latest correction in the one review store
REVIEWED = "(SELECT r.label FROM reviews r WHERE r.inspection_id = i.id ORDER BY r.id DESC LIMIT 1)"


def labels(components) -> list[str]:
    """The classifier's classes (what a reviewer may pick), or [] without a classifier."""
    try:
        return next((list(m.classes) for m in components.vision_models() if m.kind == "classifier"), [])
    except NotBuiltError:
        return []


def queue(ws, limit: int = 20, offset: int = 0) -> tuple[list[dict], int]:
    """(one page of photos waiting for review, least confident first; how many wait in all)."""
    where = "WHERE needs_review = 1 AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.inspection_id = inspections.id)"
    with ws.connect() as conn:
        total = conn.execute(f"SELECT count(*) FROM inspections {where}").fetchone()[0]
        rows = conn.execute(
            f"SELECT id, image, stored, label, confidence, alternatives, anomaly_score, anomalous, source, user, "
            f"created_at FROM inspections {where} ORDER BY coalesce(confidence, 0), id LIMIT ? OFFSET ?",
            (max(1, min(int(limit), 200)), max(0, int(offset)))).fetchall()
    out = []
    for r in rows:
        d = dict(r)
        d["alternatives"] = json.loads(d["alternatives"] or "[]")
        d["anomalous"] = None if d["anomalous"] is None else bool(d["anomalous"])
        out.append(d)
    return out, total


def row(ws, inspection_id: int) -> dict:
    with ws.connect() as conn:
        r = conn.execute("SELECT * FROM inspections WHERE id = ?", (int(inspection_id),)).fetchone()
    if r is None:
        raise InputError(f"no inspected photo with id {inspection_id}")
    return dict(r)


def correct(ws, inspection_id: int, label: str, user: str, allowed: list[str]) -> dict:
    """Store the reviewed label of one photo (audited). A new class name is allowed: the next retrain learns it."""
    label = label.strip()
    if not label:
        raise InputError("pick a label first")
    if len(label) > 60 or any(ch in label for ch in "/\\\n\r\t"):
        raise InputError("a label is a short name without slashes or line breaks")
    r = row(ws, inspection_id)
    with ws.connect() as conn:
        cur = conn.execute("INSERT INTO reviews (inspection_id, task, text, predicted, label, user) "
                           "VALUES (?, 'inspection', ?, ?, ?, ?)", (int(inspection_id), r["image"], r["label"], label,
                                                                    user))
        audit(conn, user, "inspect_review", f"photo {inspection_id} ({r['image']}): {r['label']} -> {label}"
                                            + ("" if label in allowed else " (new class)"))
    return {"review_id": cur.lastrowid, "id": int(inspection_id), "image": r["image"], "label": label,
            "was": r["label"], "new_class": label not in allowed}


def reviewed(ws) -> list[tuple[Path, str]]:
    with ws.connect() as conn:
        rows = conn.execute(f"SELECT i.stored, {REVIEWED} FROM inspections i WHERE {REVIEWED} IS NOT NULL").fetchall()
    return [(Path(s), lab) for s, lab in rows if Path(s).exists()]


def retrain(ws, user: str, progress=None) -> ImageRetrainReport:
    """Retrain the image classifier on its recorded training folder plus every reviewed photo (audited)."""
    from shopfloor.vision.classifier import DefectClassifier
    from shopfloor.vision.images import ImageSet, read_folder
    from shopfloor.vision.model import load_model

    folder = ws.vision_dir("classifier")
    if not (folder / "model.json").exists():
        raise NotBuiltError("no image classifier to retrain: train one with `shopfloor inspect train`")
    prev = load_model(folder)
    src = prev.meta.get("data")
    folder_in = (ws.root / src) if src and not Path(src).is_absolute() else Path(src or "")
    if not src or not folder_in.is_dir():
        raise InputError(f"the classifier's training folder ({src}) is gone; train again with --data DIR")
    base = read_folder(folder_in)
    extra = reviewed(ws)
    data = ImageSet(base.paths + [p for p, _ in extra], base.labels + [lab for _, lab in extra],
                    sorted(set(base.classes) | {lab for _, lab in extra}))
    model = DefectClassifier.train(data, augment_views=int(prev.meta.get("augment_views", 1)),
                                   target_precision=float(prev.meta.get("target_precision", 0.95)),
                                   source=src, extra=len(extra), progress=progress or (lambda *a: None))
    model.save(folder)
    with ws.connect() as conn:
        audit(conn, user, "inspect_retrain", f"{len(data.paths)} photos, {len(extra)} reviewed")
    return ImageRetrainReport(images=len(data.paths), reviewed_images=len(extra), classes=model.classes,
                              cv_accuracy=model.meta["cv_accuracy"], cv_macro_f1=model.meta["cv_macro_f1"],
                              train_seconds=model.meta["train_seconds"])


class Inspection(Service):
    """``assistant.inspection``: photos through the image models, their review queue, image retraining."""

    @requires(Action.inspect)
    def run(self, files: list[tuple[str, bytes | Path]], source: str = "api",
                       progress: Callable | None = None, *, user: User = DEFAULT_USER) -> list[InspectedPhoto]:
        """Run the image models on photos ((name, bytes or path) pairs; paths are read one photo at a time);
        one result per photo in order, stored, unsure ones queued for review."""
        return inspect(self.components, self.ws, [(clean_text(n) or "photo", b) for n, b in files],
                                  source, user.name, progress)

    @requires(Action.ask)
    def models(self, *, user: User = DEFAULT_USER) -> list[ImageModel]:
        """What each trained image model is (kind, classes, cross-validated figures, threshold); [] when none."""
        try:
            return [ImageModel.of(m.meta) for m in self.components.vision_models()]
        except NotBuiltError:
            return []

    @requires(Action.inspect)
    def labels(self, *, user: User = DEFAULT_USER) -> list[str]:
        return labels(self.components)

    @requires(Action.retrain)
    def retrain(self, progress: Callable | None = None, *, user: User = DEFAULT_USER) -> ImageRetrainReport:
        """Retrain the image classifier on its training folder plus every reviewed photo (audited)."""
        return retrain(self.ws, user.name, progress)
