"""The review store: classified rows, the review queue, corrections and retraining with them.

Callers are the Assistant facade (which checks the role and cleans text first); every write is
audited with the user's name.
"""

from __future__ import annotations

import json
from pathlib import Path

from shopfloor.assistant.safety import clean_text
from shopfloor.errors import InputError

_INSERT = ("INSERT INTO classifications (task, text, label, confidence, needs_review, model, source) "
           "VALUES (?,?,?,?,?,?,?)")


def classify_texts(components, ws, texts: list[str], task: str, source: str) -> list[dict]:
    """Label ``texts``; every row is stored (low confidence ones form the review queue)."""
    preds = components.classifiers().predict([str(t) for t in texts], task)
    out = []
    with ws.connect() as conn:
        for t, p in zip(texts, preds, strict=True):
            cur = conn.execute(_INSERT, (task, str(t), p.label, p.confidence, int(p.needs_review), task, source))
            out.append({"id": cur.lastrowid, "text": str(t), "label": p.label, "confidence": p.confidence,
                        "alternatives": p.alternatives, "needs_review": p.needs_review, "reason": p.reason})
    return out


def classify_file(components, ws, path: str | Path, text_col: str, task: str, output: str | Path | None,
                  user: str, progress=None) -> dict:
    """Label a CSV/XLSX file into a new file; its flagged rows go to the review queue."""
    from shopfloor.db import audit
    from shopfloor.finetune import classify_file as label_file

    name, flagged = Path(path).name, []
    # Flagged rows are collected as they are labelled and written after the run in one transaction with the
    # audit line (holding a write transaction through a long file would block reviewers meanwhile).
    clf = components.classifiers().task(task)
    on_rows = None
    if progress is not None:
        from shopfloor.finetune.batch import estimate_rows

        total = estimate_rows(path)

        def on_rows(done: int) -> None:
            progress(done, max(total, done))
    summary = label_file(clf, path, text_col, output, progress=False, on_flagged=flagged.extend, on_rows=on_rows)
    with ws.connect() as conn:
        conn.executemany(_INSERT, [(task, clean_text(t), lab, conf, 1, task, name) for t, lab, conf in flagged])
        audit(conn, user, "classify_file", f"{name}: {summary['rows']} rows, task {task}")
    summary["task"] = task
    return summary


def queue(ws, task: str | None = None, limit: int = 50) -> list[dict]:
    """Rows flagged for review and not yet reviewed, least confident first."""
    q = ("SELECT c.id, c.task, c.text, c.label, c.confidence, c.source, c.created_at FROM classifications c "
         "LEFT JOIN reviews r ON r.classification_id = c.id WHERE c.needs_review = 1 AND r.id IS NULL")
    args: list = []
    if task:
        q += " AND c.task = ?"
        args.append(task)
    with ws.connect() as conn:
        return [dict(r) for r in conn.execute(q + " ORDER BY c.confidence ASC LIMIT ?", (*args, limit))]


def correct(ws, classification_id: int, label: str, user: str) -> int:
    """Store the reviewed ``label`` of one classified row; returns the review id."""
    from shopfloor.finetune import add_review

    if not label:
        raise InputError("pick the correct label first")
    with ws.connect() as conn:
        row = conn.execute("SELECT task, text, label FROM classifications WHERE id = ?",
                           (classification_id,)).fetchone()
        if row is None:
            raise InputError(f"no classification with id {classification_id}")
        return add_review(conn, row["task"], row["text"], row["label"], label, user, classification_id)


def retrain(ws, task: str, user: str, data: list[str | Path] | None = None, text_col: str = "text",
            label_col: str | None = None, epochs: int | None = None) -> dict:
    """Retrain ``task`` on its recorded training files plus every reviewed correction."""
    from shopfloor.db import audit
    from shopfloor.finetune import TrainConfig, reviewed_rows, train

    folder = ws.classifier_dir(task)
    prev = json.loads((folder / "train_config.json").read_text()) if (folder / "train_config.json").exists() else {}
    data = data or prev.get("data")
    if not data:
        raise InputError(f"no training data recorded for task {task!r}; pass data files")
    with ws.connect() as conn:
        extra = reviewed_rows(conn, task)
    kw = {"epochs": epochs} if epochs else {}
    cfg = TrainConfig(text_col=prev.get("text_col", text_col), label_col=label_col or prev.get("label_col", task),
                      task=task, out=folder, base=prev.get("base", "all-MiniLM-L6-v2"), extra_rows=extra,
                      resume=False, target_precision=ws.config.classifier.target_precision,
                      text_kind=prev.get("text_kind", "maintenance log"), **kw)
    train(cfg, data, progress=False)
    with ws.connect() as conn:
        audit(conn, user, "retrain", f"{task}: {len(extra)} reviewed rows added")
    meta = json.loads((folder / "classifier.json").read_text())
    return {"task": task, "reviewed_rows": len(extra), "calib_accuracy": meta.get("calib_accuracy"),
            "created": meta["created"]}
