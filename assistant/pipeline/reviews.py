"""The review store: classified rows, the review queue, corrections and retraining with them.

Callers are the Assistant facade (which checks the role and cleans text first); every write is
audited with the user's name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from shopfloor.assistant.safety import clean_text
from shopfloor.errors import InputError, ShopfloorError
from shopfloor.models import EMBEDDER

_INSERT = ("INSERT INTO classifications (task, text, label, confidence, needs_review, model, source) "
           "VALUES (?,?,?,?,?,?,?)")
_INSERT_DATED = ("INSERT INTO classifications (task, text, label, confidence, needs_review, model, source, occurred_at) "
                 "VALUES (?,?,?,?,?,?,?,?)")


class LabelledText(BaseModel):
    """One text labelled and stored (its row id is what a reviewer corrects)."""

    id: int = Field(..., description="Row id in the classifications table (use it to correct the label).")
    text: str
    label: str
    confidence: float
    alternatives: list[tuple[str, float]] = []
    needs_review: bool
    reason: str | None = None


def classify_texts(components, ws, texts: list[str], task: str, source: str, user: str) -> list[LabelledText]:
    """Label ``texts``; every row is stored (low confidence ones form the review queue), with one audit line."""
    from shopfloor.db import audit

    preds = components.classifier_for(task).predict([str(t) for t in texts])
    out = []
    with ws.connect() as conn:
        for t, p in zip(texts, preds, strict=True):
            cur = conn.execute(_INSERT, (task, str(t), p.label, p.confidence, int(p.needs_review), task, source))
            out.append(LabelledText(id=cur.lastrowid, text=str(t), label=p.label, confidence=p.confidence,
                                    alternatives=p.alternatives, needs_review=p.needs_review, reason=p.reason))
        conn.commit()  # the rows in their own transaction; audit() commits its line
        audit(conn, user, "classify", f"{len(out)} rows from {source}, task {task}: "
                                      f"{sum(1 for d in out if d.needs_review)} need review")
    return out


class ClassifyRun(BaseModel):
    """What labelling one file did (``shopfloor classify run --json``, the Batch tab's summary)."""

    task: str
    rows: int = Field(..., description="Rows labelled.")
    needs_review: int = Field(..., description="Rows under the model's confidence cut.")
    queued: int = Field(0, description="Of those, rows newly put on the review queue.")
    already_queued_or_reviewed: int = Field(0, description="Unsure rows whose text was queued or reviewed before.")
    dated: int = Field(0, description="Rows dated by the date column (the others by when they were classified).")
    label_counts: dict[str, int] = Field(default_factory=dict, description="Label -> rows, most common first.")
    output: str = Field(..., description="The labelled copy of the file.")
    seconds: float = 0.0
    rows_per_s: float = 0.0
    engine: str = "local"
    notes: list[str] = Field(default_factory=list, description="What to know about the input and the model.")


def classify_file(components, ws, path: str | Path, text_col: str, task: str, output: str | Path | None,
                  user: str, progress=None, sheet: str | None = None, date_col: str | None = None) -> ClassifyRun:
    """Label a CSV/XLSX file into a new file; every row is kept for the task's trends (dated by ``date_col`` when
    given, else by now) and the unsure ones not seen before go to the review queue."""
    from shopfloor.db import audit
    from shopfloor.finetune import classify_file as label_file

    name = Path(path).name
    rows: list[tuple[str, str, float, bool, str | None]] = []
    # Rows are collected as they are labelled and written after the run in one transaction with the audit line
    # (holding a write transaction through a long file would block reviewers meanwhile).
    clf = components.classifier_for(task)
    on_rows = None
    if progress is not None:
        from shopfloor.finetune.batch import estimate_rows

        total = estimate_rows(path)

        def on_rows(done: int) -> None:
            progress(done, max(total, done))
    summary = label_file(clf, path, text_col, output, progress=False, on_labelled=rows.extend, on_rows=on_rows,
                         sheet=sheet, date_col=date_col or None)
    dates = _row_dates([r[4] for r in rows]) if date_col else [None] * len(rows)
    with ws.connect() as conn:
        flagged = [(clean_text(t), lab, conf) for t, lab, conf, unsure, _ in rows if unsure]
        new = {t for t, _, _ in _not_queued(conn, task, flagged)}
        stored = []
        for (t, lab, conf, unsure, _), when in zip(rows, dates, strict=True):
            text = clean_text(t)
            queue = unsure and text in new
            if queue:
                new.discard(text)  # one queued row per new text
            stored.append((task, text, lab, conf, int(queue), task, name, when))
        conn.executemany(_INSERT_DATED, stored)
        audit(conn, user, "classify_file", f"{name}: {summary['rows']} rows, task {task}"
              + (f", dated by column {date_col}" if date_col else ""))
    queued = sum(r[4] for r in stored)
    return ClassifyRun(**{**summary, "notes": summary.get("notes", []) + _unmeasured(getattr(clf, "meta", None))},
                       task=task, queued=queued, already_queued_or_reviewed=len(flagged) - queued,
                       dated=sum(d is not None for d in dates))


def _unmeasured(meta: dict | None) -> list[str]:
    """A note when the task's model has no held-out estimate yet (so every row went to review)."""
    if not meta or meta.get("calibrated", True) or float(meta.get("threshold", 0)) <= 1.0:
        return []
    need = meta.get("rows_needed_for_calibration")
    head = (f"the {meta.get('task')} model was trained on {meta.get('n_train')} rows (reviewed rows and taxonomy "
            "descriptions) and has no held-out estimate yet, so every row goes to review")
    return [head + (f"; about {need} more reviewed rows and a retrain give one" if need else "")]


def _row_dates(cells: list[str | None]) -> list[str | None]:
    """The plant's date cells as ``YYYY-MM-DD HH:MM:SS`` (None where unreadable: the row is dated by now)."""
    from shopfloor.sensors.trends import parse_dates

    parsed = parse_dates([c or "" for c in cells])
    return [d.strftime("%Y-%m-%d %H:%M:%S") if d == d and d is not None else None for d in parsed]


def _not_queued(conn, task: str, flagged: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """The flagged rows whose text is neither waiting in the queue nor reviewed already (a re-upload adds none)."""
    known = {r[0] for r in conn.execute("SELECT text FROM classifications WHERE task = ? AND needs_review = 1 "
                                        "UNION SELECT text FROM reviews WHERE task = ?", (task, task))}
    out = []
    for row in flagged:
        if row[0] not in known:
            known.add(row[0])
            out.append(row)
    return out


_PENDING = ("FROM classifications c WHERE c.needs_review = 1 AND c.id = (SELECT min(c2.id) FROM classifications c2 "
            "WHERE c2.task = c.task AND c2.text = c.text AND c2.needs_review = 1) AND NOT EXISTS (SELECT 1 FROM "
            "reviews r WHERE r.task = c.task AND (r.classification_id = c.id OR r.text = c.text))")


def queue(ws, task: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """One page of rows waiting for review (least confident first; one row per distinct text) and how many wait.

    Each row carries the task's labels, most likely first (from the row's own prediction), so a reviewer
    picks among alternatives before the rest.
    """
    where, args = _PENDING, []
    if task:
        where += " AND c.task = ?"
        args.append(task)
    with ws.connect() as conn:
        total = conn.execute(f"SELECT count(*) {where}", args).fetchone()[0]
        rows = [dict(r) for r in conn.execute(
            f"SELECT c.id, c.task, c.text, c.label, c.confidence, c.source, c.created_at {where} "
            "ORDER BY c.confidence ASC, c.id ASC LIMIT ? OFFSET ?", (*args, max(1, limit), max(0, offset)))]
    return rows, int(total)


def row(ws, classification_id: int) -> dict:
    """One stored classification; InputError when there is none with that id."""
    with ws.connect() as conn:
        r = conn.execute("SELECT id, task, text, label, confidence, source, created_at FROM classifications "
                         "WHERE id = ?", (classification_id,)).fetchone()
    if r is None:
        raise InputError(f"no classification with id {classification_id}; list the queue for ids")
    return dict(r)


def correct(ws, classification_id: int, label: str, user: str, components=None, new_label: bool = False) -> dict:
    """Store the reviewed ``label`` of one classified row; from now on it steers predictions of that task.

    A label the task does not know yet is refused unless ``new_label`` says a new class is meant (a typo
    would otherwise become a class); one differing only in case is stored as the known spelling."""
    from shopfloor.finetune import add_review

    if not label:
        raise InputError("pick the correct label first")
    with ws.connect() as conn:
        row = conn.execute("SELECT task, text, label FROM classifications WHERE id = ?",
                           (classification_id,)).fetchone()
        if row is None:
            raise InputError(f"no classification with id {classification_id}; list the queue for ids")
        label = _known_label(conn, components, row["task"], label, new_label)
        review_id = add_review(conn, row["task"], row["text"], row["label"], label, user, classification_id)
    if components is not None:
        _steer(components, row["task"], row["text"], label)
    return {"review_id": review_id, "id": classification_id, "task": row["task"], "text": row["text"],
            "was": row["label"], "label": label}


class ColdStartCheck(BaseModel):
    """How a cold-start task's taxonomy guesses did on the rows people reviewed, against the simplest rule."""

    task: str
    reviewed: int
    cold_start_accuracy: float = Field(..., description="Share of reviewed rows the taxonomy guess got right.")
    majority_class_accuracy: float = Field(..., description="Always guessing the most common reviewed label.")
    warning: str | None = None


def cold_start_check(components, ws, task: str) -> ColdStartCheck | None:
    """For a cold-start task with reviewed rows: how often the taxonomy guess was right, against always guessing
    the most common reviewed label; ``warning`` when it is no better. None for a trained task or no reviews."""
    from collections import Counter

    from shopfloor.finetune import reviewed_rows

    if task not in components.cold_start_tasks() or task in components.trained_tasks():
        return None
    with ws.connect() as conn:
        rows = reviewed_rows(conn, task)
    if not rows:
        return None
    guesses = components.classifier_for(task).predict([t for t, _ in rows])
    right = sum(p.label == y for p, (_, y) in zip(guesses, rows, strict=True)) / len(rows)
    prior = Counter(y for _, y in rows).most_common(1)[0][1] / len(rows)
    warning = None if right > prior else (f"the taxonomy guesses ({right:.0%} right on {len(rows)} reviewed rows) are "
                                          f"no better than always picking the most common label ({prior:.0%}): train "
                                          "a model on the reviewed rows")
    return ColdStartCheck(task=task, reviewed=len(rows), cold_start_accuracy=right, majority_class_accuracy=prior,
                          warning=warning)


def _known_label(conn, components, task: str, label: str, new_label: bool) -> str:
    """``label`` as the task spells it; InputError for an unknown one unless ``new_label``."""
    import difflib

    known = [r[0] for r in conn.execute("SELECT DISTINCT label FROM reviews WHERE task = ?", (task,))]
    known += [r[0] for r in conn.execute("SELECT DISTINCT label FROM classifications WHERE task = ?", (task,))]
    if components is not None:
        try:
            known += list(components.classifier_for(task).labels)
        except (ShopfloorError, OSError):  # no model for the task: the labels seen so far decide
            pass
    same = {k.casefold(): k for k in known if k}
    if label.casefold() in same:
        return same[label.casefold()]
    if new_label or not same:
        return label
    close = difflib.get_close_matches(label, list(same.values()), n=1)
    raise InputError(f"{label!r} is not a label of {task}" + (f" (did you mean {close[0]!r}?)" if close else "")
                     + "; to add it as a new class, save it with 'new label' set")


def _steer(components, task: str, text: str, label: str) -> None:
    """The loaded classifier learns the reviewed label at once (nothing to do when none is loaded)."""
    from shopfloor.errors import NotBuiltError

    try:
        clf = components.classifiers()
    except NotBuiltError:
        return
    if task in clf.tasks:
        clf.remember(task, [text], [label])


class RetrainReport(BaseModel):
    """What a retrain of a text task did, and what it can and cannot yet say about the new model."""

    task: str
    reviewed_rows: int
    calib_accuracy: float | None = Field(None, description="On the held-out slice; None: too few rows to hold out.")
    calib_majority_accuracy: float | None = Field(None, description="Always the most common label, same slice.")
    n_calib: int = 0
    reviews_needed: int = Field(0, description="About how many more labelled rows give a held-out estimate.")
    auto_accept: bool = Field(False, description="False: every prediction goes to review.")
    labels: list[str] = []
    labels_without_examples: list[str] = Field([], description="Taxonomy labels kept from their description alone.")
    created: str = ""


def retrain(ws, task: str, user: str, data: Sequence[str | Path] | None = None, text_col: str = "text",
            label_col: str | None = None, epochs: int | None = None, progress=None) -> RetrainReport:
    """Retrain ``task`` on its recorded training files plus every reviewed correction; ``progress(stage, done,
    total)`` is told how training goes. A task trained from reviews alone keeps every label of the workspace
    taxonomy: a label nobody has reviewed yet learns from its description and is named in the result."""
    from shopfloor.db import audit
    from shopfloor.finetune import TrainConfig, reviewed_rows, train

    folder = ws.classifier_dir(task)
    prev = json.loads((folder / "train_config.json").read_text()) if (folder / "train_config.json").exists() else {}
    data = data or prev.get("data") or []
    with ws.connect() as conn:
        extra = reviewed_rows(conn, task)
    if not data and len({y for _, y in extra}) < 2:
        raise InputError(f"no training data recorded for task {task!r} and fewer than two reviewed labels; pass data "
                         "files or review more rows")
    described = [] if data else _unreviewed_labels(ws, task, {y for _, y in extra})
    kw: dict = {"epochs": epochs} if epochs else {}
    cfg = TrainConfig(text_col=prev.get("text_col", text_col), label_col=label_col or prev.get("label_col", task),
                      task=task, out=folder, base=prev.get("base", EMBEDDER), extra_rows=extra + described,
                      resume=False, target_precision=ws.config.classifier.target_precision,
                      text_kind=prev.get("text_kind", "maintenance log"), **kw)
    train(cfg, data, progress=False, on_step=progress)
    with ws.connect() as conn:
        audit(conn, user, "retrain", f"{task}: {len(extra)} reviewed rows added")
    meta = json.loads((folder / "classifier.json").read_text())
    return RetrainReport(task=task, reviewed_rows=len(extra), calib_accuracy=meta.get("calib_accuracy"),
                         calib_majority_accuracy=meta.get("calib_majority_accuracy"), n_calib=meta.get("n_calib", 0),
                         reviews_needed=meta.get("rows_needed_for_calibration", 0),
                         auto_accept=bool(meta.get("calibrated")), labels=meta.get("labels", []),
                         labels_without_examples=[y for _, y in described], created=meta["created"])


def _unreviewed_labels(ws, task: str, reviewed: set[str]) -> list[tuple[str, str]]:
    """(description, label) for each taxonomy label of ``task`` without a reviewed row (none without a taxonomy)."""
    from shopfloor.finetune.coldstart import label_text, load_taxonomy

    try:
        taxonomy = load_taxonomy(ws.taxonomy_path, task) if ws.taxonomy_path.exists() else {}
    except InputError:  # the task is not in the taxonomy
        return []
    return [(label_text(label, text), label) for label, text in taxonomy.items() if label not in reviewed]
