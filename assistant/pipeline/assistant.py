"""The Assistant: the one object the CLI, the UI and the REST API call. It knows nothing of any of them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from assistant.errors import BackendError, InputError, NotBuiltError
from assistant.pipeline.components import Components
from assistant.pipeline.diagnose import Diagnosis, diagnose
from assistant.workspace import Workspace

log = logging.getLogger(__name__)
MAX_QUESTION = 2000  # characters; a longer chat message is cut with a notice


class Assistant:
    """Chat, diagnosis, batch classification, review and knowledge management over one workspace.

    Example:
        >>> a = Assistant()                                           # doctest: +SKIP
        >>> a.diagnose("P101 brg nse rumbling, vib up").failure_mode  # doctest: +SKIP
        'bearing_wear'
    """

    def __init__(self, workspace: Workspace | None = None, use_llm: bool = True):
        self.ws = workspace or Workspace.open()
        self.components = Components(self.ws)
        self.use_llm = use_llm
        self._llm = None
        self._llm_lock = threading.Lock()

    # ---- language model -------------------------------------------------------------------------
    def llm(self):
        """The configured backend, loaded on first use; None when switched off or failing to load."""
        if not self.use_llm or self.ws.config.llm.backend == "none":
            return None
        with self._llm_lock:
            if self._llm is None:
                from assistant.llm import get_llm

                try:
                    self._llm = get_llm(self.ws.config.llm)
                except (BackendError, OSError) as e:
                    log.warning("language model unavailable: %s", e)
                    return None
            return self._llm

    # ---- diagnosis and chat ----------------------------------------------------------------------
    def diagnose(self, log_text: str, machine_id: str | None = None, summary: bool = True) -> Diagnosis:
        return diagnose(self.components, self.ws.config.llm, log_text, machine_id or None,
                        self.llm() if summary else None)

    def ask(self, question: str, history: list[dict] | None = None) -> Iterator[dict]:
        """Events: {"type": "token"|"notice", "text"} ..., then one {"type": "done", "answer", "citations", ...}.

        Every notice (language model down, message truncated, not English, ...) is also in the done
        event's "notes" and written under its "answer", so callers that only show the answer show them.
        """
        from assistant.pipeline.routing import language_note

        question = (question or "").strip()
        if not question:
            raise InputError("the message is empty")
        notes = [n for n in (language_note(question[:2000]),) if n]
        for n in notes:
            yield {"type": "notice", "text": n}
        for e in self._route(question, history or []):
            if e["type"] == "notice":
                notes.append(e["text"])
            if e["type"] == "done":
                yield _with_notes(e, notes)
            else:
                yield e

    def _route(self, question: str, history: list[dict]) -> Iterator[dict]:
        from assistant.pipeline.ask import answer_events
        from assistant.pipeline.routing import find_machine, route

        kind = route(question)
        if kind == "diagnose":
            d = self.diagnose(question)
            text = d.to_markdown()
            yield {"type": "token", "text": text}
            yield {"type": "done", "answer": text, "citations": _diag_cites(d), "route": "diagnose", "grounded": True,
                   "diagnosis": d.model_dump(), "status": None, "notes": d.notes}
            return
        machine = find_machine(question, [m["id"] for m in self.components.machines()])
        if kind == "status" and machine:
            yield from self._status_events(machine)
            return
        if len(question) > MAX_QUESTION:
            yield {"type": "notice", "text": f"question truncated to its first {MAX_QUESTION} characters "
                                             f"(was {len(question)})"}
        cfg = self.ws.config.index
        yield from answer_events(self.components, self.llm(), self.ws.config.llm, question[:MAX_QUESTION], history,
                                 cfg.k, self._threshold(cfg.min_score))

    def answer(self, question: str, history: list[dict] | None = None) -> dict:
        """The final event of :meth:`ask` (for callers that do not stream)."""
        return [e for e in self.ask(question, history) if e["type"] == "done"][-1]

    def _threshold(self, configured: float) -> float:
        try:
            return self.components.index().no_answer_threshold
        except NotBuiltError:
            return configured

    def _status_events(self, machine: str) -> Iterator[dict]:
        from assistant.pipeline.render import status_markdown

        st = self.machine_status(machine)
        text = f"### {machine}\n" + status_markdown(st)
        yield {"type": "token", "text": text}
        yield {"type": "done", "answer": text, "citations": [], "route": "status", "grounded": True,
               "diagnosis": None, "status": st}

    # ---- machines ---------------------------------------------------------------------------------
    def list_machines(self) -> list[dict]:
        return self.components.machines()

    def machine_status(self, machine_id: str) -> dict:
        return self.components.status(machine_id).model_dump()

    # ---- classification, review, retraining --------------------------------------------------------
    def tasks(self) -> list[str]:
        return self.components.tasks()

    def classify_texts(self, texts: list[str], task: str | None = None, source: str = "api") -> list[dict]:
        task = task or self.ws.config.classifier.default_task
        preds = self.components.classifiers().predict([str(t) for t in texts], task)
        out = []
        with self.ws.connect() as conn:
            for t, p in zip(texts, preds, strict=True):
                cur = conn.execute("INSERT INTO classifications (task, text, label, confidence, needs_review, model, "
                                   "source) VALUES (?,?,?,?,?,?,?)",
                                   (task, str(t), p.label, p.confidence, int(p.needs_review), task, source))
                out.append({"id": cur.lastrowid, "text": str(t), "label": p.label, "confidence": p.confidence,
                            "alternatives": p.alternatives, "needs_review": p.needs_review, "reason": p.reason})
        return out

    def classify_file(self, path: str | Path, text_col: str, task: str | None = None, output: str | Path | None = None,
                      progress: Callable | None = None) -> dict:
        """Label a CSV/XLSX file; low-confidence rows are stored in the review queue."""
        import pandas as pd

        from finetune import classify_file

        task = task or self.ws.config.classifier.default_task
        mt = self.components.classifiers()
        clf = _TaskView(mt, task)
        summary = classify_file(clf, path, text_col, output, progress=False)
        out = pd.read_csv(summary["output"], dtype={text_col: str}, keep_default_na=False) \
            if summary["output"].endswith(".csv") else pd.read_excel(summary["output"], dtype={text_col: str}).fillna("")
        lab = "label_pred" if "label_pred" in out.columns else "label"
        rev = "needs_review_pred" if "needs_review_pred" in out.columns else "needs_review"
        conf = "confidence_pred" if "confidence_pred" in out.columns else "confidence"
        flagged = out[out[rev].astype(bool)]
        with self.ws.connect() as conn:
            conn.executemany("INSERT INTO classifications (task, text, label, confidence, needs_review, model, source) "
                             "VALUES (?,?,?,?,1,?,?)",
                             [(task, str(r[text_col]), r[lab], float(r[conf]), task, Path(path).name)
                              for _, r in flagged.iterrows()])
        summary["task"] = task
        return summary

    def review_queue(self, task: str | None = None, limit: int = 50) -> list[dict]:
        q = ("SELECT c.id, c.task, c.text, c.label, c.confidence, c.source, c.created_at FROM classifications c "
             "LEFT JOIN reviews r ON r.classification_id = c.id WHERE c.needs_review = 1 AND r.id IS NULL")
        args: list = []
        if task:
            q += " AND c.task = ?"
            args.append(task)
        with self.ws.connect() as conn:
            return [dict(r) for r in conn.execute(q + " ORDER BY c.confidence ASC LIMIT ?", (*args, limit))]

    def correct(self, classification_id: int, label: str, user: str) -> int:
        from finetune import add_review

        with self.ws.connect() as conn:
            row = conn.execute("SELECT task, text, label FROM classifications WHERE id = ?",
                               (classification_id,)).fetchone()
            if row is None:
                raise InputError(f"no classification with id {classification_id}")
            return add_review(conn, row["task"], row["text"], row["label"], label, user, classification_id)

    def retrain(self, task: str, user: str, data: list[str | Path] | None = None, text_col: str = "text",
                label_col: str | None = None, epochs: int | None = None) -> dict:
        """Retrain ``task`` on its original data plus every reviewed correction; audited."""
        import json

        from assistant.db import audit
        from finetune import TrainConfig, reviewed_rows, train

        folder = self.ws.classifier_dir(task)
        prev = json.loads((folder / "train_config.json").read_text()) if (folder / "train_config.json").exists() else {}
        data = data or prev.get("data")
        if not data:
            raise InputError(f"no training data recorded for task {task!r}; pass data files")
        with self.ws.connect() as conn:
            extra = reviewed_rows(conn, task)
        kw = {"epochs": epochs} if epochs else {}
        cfg = TrainConfig(text_col=prev.get("text_col", text_col), label_col=label_col or prev.get("label_col", task),
                          task=task, out=folder, base=prev.get("base", "all-MiniLM-L6-v2"), extra_rows=extra,
                          resume=False, **kw)
        train(cfg, data, progress=False)
        with self.ws.connect() as conn:
            audit(conn, user, "retrain", f"{task}: {len(extra)} reviewed rows added")
        meta = json.loads((folder / "classifier.json").read_text())
        return {"task": task, "reviewed_rows": len(extra), "calib_accuracy": meta.get("calib_accuracy"),
                "created": meta["created"]}

    # ---- feedback ------------------------------------------------------------------------------------
    def record_feedback(self, question: str, answer: str, rating: int, comment: str = "", user: str = "anonymous") -> None:
        if rating not in (-1, 1):
            raise InputError(f"rating must be 1 (helpful) or -1 (not helpful), got {rating}")
        with self.ws.connect() as conn:
            conn.execute("INSERT INTO feedback (question, answer, rating, comment, user) VALUES (?,?,?,?,?)",
                         (question, answer, rating, comment, user))

    # ---- knowledge ------------------------------------------------------------------------------------
    def add_documents(self, paths: list[str | Path], user: str) -> dict:
        from assistant.db import audit
        from index import Index

        try:
            idx = self.components.index()
            report = idx.add(paths, progress=False)
        except NotBuiltError:
            idx = Index.build(paths, self.ws.index_dir, progress=False)
            report = idx.last_report
        with self.ws.connect() as conn:
            audit(conn, user, "upload", ", ".join(Path(p).name for p in paths))
        return {"files": report.files, "chunks": report.chunks, "skipped": report.skipped}

    def list_sources(self) -> list[dict]:
        try:
            return self.components.index().sources()
        except NotBuiltError:
            return []

    def remove_source(self, source: str, user: str) -> int:
        from assistant.db import audit

        n = self.components.index().remove(source)
        with self.ws.connect() as conn:
            audit(conn, user, "remove", source)
        return n

    def audit_log(self, limit: int = 100) -> list[dict]:
        with self.ws.connect() as conn:
            return [dict(r) for r in conn.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))]


class _TaskView:
    """A single-task view of a multi-task classifier (what finetune.classify_file expects)."""

    def __init__(self, mt, task: str):
        self._mt, self.task, self.folder = mt, task, None
        self.labels = mt.labels(task)

    def predict(self, texts):
        return self._mt.predict(texts, self.task)


def _with_notes(done: dict, notices: list[str]) -> dict:
    notes = [*notices, *(n for n in done.get("notes", []) if n not in notices)]
    unseen = "".join(f"\n\n_note: {n}_" for n in notes if n not in done["answer"])
    return {**done, "notes": notes, "answer": done["answer"] + unseen}


def _diag_cites(d: Diagnosis) -> list[dict]:
    cites = [{"n": n, "citation": c.citation, "text": c.text} for n, c in enumerate(d.causes, start=1)]
    return cites + [{"n": len(cites) + n, "citation": i.citation, "text": i.text}
                    for n, i in enumerate(d.incidents, start=1)]
