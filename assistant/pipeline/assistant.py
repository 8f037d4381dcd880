"""The Assistant: the one object the CLI, the UI and the REST API call. It knows nothing of any of them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from shopfloor.assistant.pipeline import knowledge, report8d, reviews
from shopfloor.assistant.pipeline.components import Components
from shopfloor.assistant.pipeline.diagnose import Diagnosis, diagnose
from shopfloor.assistant.pipeline.events import Answer, ChatEvent, Citation, Notice, Token
from shopfloor.assistant.pipeline.machines import Machines
from shopfloor.assistant.pipeline.report8d import Report8D
from shopfloor.assistant.pipeline.users import Users
from shopfloor.assistant.policy import DEFAULT_USER, Action, User, requires
from shopfloor.assistant.safety import clean_text
from shopfloor.documents import Record
from shopfloor.errors import BackendError, InputError, NotBuiltError
from shopfloor.sensors.trends import Chart, Period, TrendReport
from shopfloor.workspace import Workspace

log = logging.getLogger(__name__)
MAX_QUESTION = 2000  # characters; a longer chat message is cut with a notice


class Assistant:
    """Chat, diagnosis, batch classification, review and knowledge management over one workspace.

    Every public method takes ``user=`` (who is asking) and checks it against the permission table in
    :mod:`shopfloor.assistant.policy` before doing anything; without it the facade's ``default_user`` is used
    (the CLI's OS user; None in the server, so an edge that forgets to say who is asking is refused).
    Text from callers is cleaned of invalid Unicode here, once, for every edge.

    Example:
        >>> a = Assistant(user=cli_user())                           # doctest: +SKIP
        >>> a.diagnose("P101 brg nse rumbling, vib up").failure_mode  # doctest: +SKIP
        'bearing_wear'
    """

    def __init__(self, workspace: Workspace | None = None, use_llm: bool = True, user: User | None = None):
        self.ws = workspace or Workspace.open()
        self.components = Components(self.ws)
        self.default_user = user
        services = (self.ws, self.components, lambda: self.default_user)
        self.machines = Machines(*services)
        self.users = Users(*services)
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
                from shopfloor.assistant.llm import get_llm

                try:
                    self._llm = get_llm(self.ws.config.llm)
                except (BackendError, OSError) as e:
                    log.warning("language model unavailable: %s", e)
                    return None
            return self._llm

    # ---- diagnosis and chat ----------------------------------------------------------------------
    @requires(Action.diagnose)
    def diagnose(self, log_text: str, machine_id: str | None = None, summary: bool = True,
                 photo: tuple[str, bytes] | None = None, *, user: User = DEFAULT_USER) -> Diagnosis:
        """The diagnosis card of a pasted log (classifier, cited causes, similar incidents, status, next step).

        ``photo`` ((file name, bytes)) is inspected too and its verdict shown beside the text diagnosis.
        """
        from shopfloor.assistant.pipeline.ask import synthesis_on

        llm = self.llm() if summary and synthesis_on(self.ws.config.llm) else None  # llm.synthesis, as for chat
        d = diagnose(self.components.for_role(user.role.value), self.ws.config.llm, clean_text(log_text or ""),
                     clean_text(machine_id) if machine_id else None, llm,
                     self._threshold(self.ws.config.index.min_score))
        if photo is not None:
            try:
                r = self.inspect_photos([photo], source="diagnose", user=user)[0]
                d._photo_heatmap = r.pop("heatmap", None)
                d.inspection = r
            except NotBuiltError as e:
                d.notes.append(f"photo not inspected: {e}")
        return d

    @requires(Action.ask)
    def ask(self, question: str, history: list[dict] | None = None, *, user: User = DEFAULT_USER
            ) -> Iterator[ChatEvent]:
        """Events (:mod:`~shopfloor.assistant.pipeline.events`): Token and Notice ..., then one Answer.

        Every notice (language model down, message truncated, not English, ...) is also in the Answer's
        ``notes`` and written under its ``answer``, so callers that only show the answer show them.
        """
        question = clean_text(question or "").strip()
        if not question:
            raise InputError("the message is empty")
        history = [{"role": str(h.get("role", "")), "content": clean_text(h.get("content") or "")}
                   for h in (history or []) if isinstance(h, dict)]
        return self._ask_events(question, history, user)

    def _ask_events(self, question: str, history: list[dict], user: User) -> Iterator[ChatEvent]:
        from shopfloor.assistant.pipeline.routing import language_note
        from shopfloor.assistant.pipeline.words import language

        notes = [n for n in (language_note(question[:2000], self._documents_cjk()),) if n]
        for n in notes:
            yield Notice(text=n)
        for e in self._route(question, history, user):
            if isinstance(e, Notice):
                notes.append(e.text)
            yield _with_notes(e, notes, language(question)) if isinstance(e, Answer) else e

    def _documents_cjk(self) -> bool:
        try:
            return self.components.index().has_cjk
        except NotBuiltError:
            return False

    def _route(self, question: str, history: list[dict], user: User) -> Iterator[ChatEvent]:
        from shopfloor.assistant.pipeline.ask import answer_events
        from shopfloor.assistant.pipeline.routing import find_machine, route

        kind = route(question)
        if kind == "diagnose" and not user.can(Action.diagnose):
            kind = "ask"  # a viewer who pastes a log gets the manuals' answer, not the diagnosis card
        if kind == "diagnose":
            d = self.diagnose(question, user=user)
            text = d.to_markdown()
            yield Token(text=text)
            yield Answer(answer=text, citations=_diag_cites(d), route="diagnose", grounded=True,
                         diagnosis=d.model_dump(), notes=d.notes)
            return
        machine = find_machine(question, [m["id"] for m in self.components.machines()])
        if kind == "status" and machine:
            yield from self._status_events(machine, user)
            return
        if len(question) > MAX_QUESTION:
            yield Notice(text=f"question truncated to its first {MAX_QUESTION} characters (was {len(question)})")
        from shopfloor.assistant.pipeline.ask import synthesis_on

        cfg = self.ws.config.index
        llm = self.llm() if synthesis_on(self.ws.config.llm) else None  # not loaded when it would not be used
        yield from answer_events(self.components.for_role(user.role.value), llm, self.ws.config.llm,
                                 question[:MAX_QUESTION], history,
                                 cfg.k, self._threshold(cfg.min_score))

    def answer(self, question: str, history: list[dict] | None = None, *, user: User = DEFAULT_USER) -> Answer:
        """The final event of :meth:`ask` (for callers that do not stream)."""
        return [e for e in self.ask(question, history, user=user) if isinstance(e, Answer)][-1]

    def _threshold(self, configured: float | None) -> float:
        """The no-answer cut-off: ``index.min_score`` from config.yaml if set, else the one saved with the index."""
        if configured is not None:
            return configured
        try:
            return self.components.index().no_answer_threshold
        except NotBuiltError:
            from shopfloor.index import IndexConfig

            return IndexConfig().no_answer_threshold

    def _status_events(self, machine: str, user: User) -> Iterator[ChatEvent]:
        from shopfloor.assistant.pipeline.render import status_markdown

        st = self.machines.status(machine, user=user)
        text = f"### {machine}\n" + status_markdown(st)
        yield Token(text=text)
        yield Answer(answer=text, route="status", grounded=True, status=st.model_dump())

    # ---- classification, review, retraining --------------------------------------------------------
    @requires(Action.ask)
    def tasks(self, *, user: User = DEFAULT_USER) -> list[str]:
        """Names of the classification tasks: trained ones, then cold-start ones from the workspace taxonomy."""
        return self.components.tasks()

    @requires(Action.ask)
    def labels(self, task: str, *, user: User = DEFAULT_USER) -> list[str]:
        """The labels of one task ([] when there is no such task)."""
        try:
            return list(self.components.classifier_for(task).labels) if task else []
        except (NotBuiltError, InputError):
            return []

    @requires(Action.view_reviews)
    def cold_start_check(self, task: str, *, user: User = DEFAULT_USER) -> dict | None:
        """How a cold-start task's taxonomy guesses compare with the majority-class prior on its reviewed rows."""
        return reviews.cold_start_check(self.components, self.ws, task)

    @requires(Action.classify)
    def classify_texts(self, texts: list[str], task: str | None = None, source: str = "api", *,
                       user: User = DEFAULT_USER) -> list[dict]:
        """Label texts with one task; rows go to the classifications table (low confidence: the review queue);
        audited with the user and the number of rows."""
        return reviews.classify_texts(self.components, self.ws, [clean_text(t) for t in texts],
                                      task or self.ws.config.classifier.default_task, source, user.name)

    @requires(Action.classify)
    def classify_file(self, path: str | Path, text_col: str, task: str | None = None, output: str | Path | None = None,
                      progress: Callable | None = None, sheet: str | None = None, *, user: User = DEFAULT_USER) -> dict:
        """Label a CSV/XLSX file (``sheet``: which XLSX sheet); low-confidence rows are queued for review (audited).

        ``progress(rows_done, rows_estimated)`` is called after each chunk (the estimate counts lines, so
        multi-line cells can make it a little high).
        """
        return reviews.classify_file(self.components, self.ws, path, text_col,
                                     task or self.ws.config.classifier.default_task, output, user.name, progress,
                                     sheet)

    # ---- visual inspection ---------------------------------------------------------------------------
    @requires(Action.inspect)
    def inspect_photos(self, files: list[tuple[str, bytes | Path]], source: str = "api",
                       progress: Callable | None = None, *, user: User = DEFAULT_USER) -> list[dict]:
        """Run the image models on photos ((name, bytes or path) pairs; paths are read one photo at a time);
        one result per photo in order, stored, unsure ones queued for review."""
        from shopfloor.assistant.pipeline import inspection

        return inspection.inspect(self.components, self.ws, [(clean_text(n) or "photo", b) for n, b in files],
                                  source, user.name, progress)

    @requires(Action.ask)
    def inspection_models(self, *, user: User = DEFAULT_USER) -> list[dict]:
        """What each trained image model is (kind, classes, cross-validated figures, threshold); [] when none."""
        try:
            return [dict(m.meta) for m in self.components.vision_models()]
        except NotBuiltError:
            return []

    @requires(Action.inspect)
    def inspection_labels(self, *, user: User = DEFAULT_USER) -> list[str]:
        from shopfloor.assistant.pipeline import inspection

        return inspection.labels(self.components)

    @requires(Action.view_reviews)
    def inspection_queue(self, limit: int = 20, offset: int = 0, *, user: User = DEFAULT_USER) -> tuple[list[dict], int]:
        """One page of photos waiting for review (least confident first) and how many wait in all."""
        from shopfloor.assistant.pipeline import inspection

        return inspection.queue(self.ws, limit, offset)

    @requires(Action.view_reviews)
    def inspection_photo(self, inspection_id: int, *, user: User = DEFAULT_USER) -> dict:
        """One inspected photo's row (``stored`` is the file kept in the workspace)."""
        from shopfloor.assistant.pipeline import inspection
        from shopfloor.db import row_id

        return inspection.row(self.ws, row_id(inspection_id, "inspected photo"))

    @requires(Action.correct_label)
    def correct_inspection(self, inspection_id: int, label: str, *, user: User = DEFAULT_USER) -> dict:
        """Store a reviewed label for one photo (audited); the next image retrain learns from it."""
        from shopfloor.assistant.pipeline import inspection
        from shopfloor.db import row_id

        return inspection.correct(self.ws, row_id(inspection_id, "inspected photo"), clean_text(label or ""), user.name,
                                  inspection.labels(self.components))

    @requires(Action.retrain)
    def retrain_inspection(self, progress: Callable | None = None, *, user: User = DEFAULT_USER) -> dict:
        """Retrain the image classifier on its training folder plus every reviewed photo (audited)."""
        from shopfloor.assistant.pipeline import inspection

        return inspection.retrain(self.ws, user.name, progress)

    @requires(Action.view_reviews)
    def review_queue(self, task: str | None = None, limit: int = 50, offset: int = 0, *,
                     user: User = DEFAULT_USER) -> tuple[list[dict], int]:
        """One page of rows waiting for review (least confident first, one per distinct text) and how many wait."""
        return reviews.queue(self.ws, task, limit, offset)

    @requires(Action.view_reviews)
    def classified_row(self, classification_id: int, *, user: User = DEFAULT_USER) -> dict:
        """One stored classification (id, task, text, label, confidence, source, created_at)."""
        return reviews.row(self.ws, classification_id)

    @requires(Action.view_reviews)
    def label_choices(self, task: str, text: str, *, user: User = DEFAULT_USER) -> list[str]:
        """The task's labels for a reviewer's picker: the model's most likely ones for ``text`` first."""
        clf = self.components.classifier_for(task)
        p = clf.predict([text], top=5)[0]
        return list(dict.fromkeys([p.label, *(a for a, _ in p.alternatives), *clf.labels]))

    @requires(Action.correct_label)
    def correct(self, classification_id: int, label: str, *, new_label: bool = False, user: User = DEFAULT_USER
                ) -> dict:
        """Store a reviewed label for one classified row (audited); it steers that task's predictions at once.
        A label the task does not know is refused unless ``new_label`` (a typo is not a new class).

        Returns ``{"review_id", "id", "task", "text", "was", "label"}``.
        """
        from shopfloor.db import row_id

        return reviews.correct(self.ws, row_id(classification_id, "classified row"), clean_text(label or "").strip(),
                               user.name, self.components, new_label=new_label)

    @requires(Action.retrain)
    def retrain(self, task: str, data: Sequence[str | Path] | None = None, text_col: str = "text",
                label_col: str | None = None, epochs: int | None = None, *, user: User = DEFAULT_USER) -> dict:
        """Retrain ``task`` on its original data plus every reviewed correction (audited)."""
        return reviews.retrain(self.ws, task, user.name, data, text_col, label_col, epochs)

    # ---- feedback ------------------------------------------------------------------------------------
    @requires(Action.feedback)
    def record_feedback(self, question: str, answer: str, rating: int, comment: str = "", *,
                        user: User = DEFAULT_USER) -> None:
        """Store a helpful / not helpful rating of an answer with the user's name."""
        from shopfloor.db import record_feedback

        if rating not in (-1, 1):
            raise InputError(f"rating must be 1 (helpful) or -1 (not helpful), got {rating}")
        with self.ws.connect() as conn:
            record_feedback(conn, clean_text(question), clean_text(answer), rating, clean_text(comment or ""), user.name)

    # ---- knowledge ------------------------------------------------------------------------------------
    @requires(Action.upload_document)
    def add_documents(self, paths: Sequence[str | Path], *, user: User = DEFAULT_USER) -> dict:
        """Index new or changed documents; who added each is kept for provenance (and audited)."""
        return knowledge.add(self.components, self.ws, paths, user.name)

    @requires(Action.ask)
    def list_sources(self, *, user: User = DEFAULT_USER) -> list[dict]:
        """The indexed sources with their type and chunk count."""
        return knowledge.sources(self.components.for_role(user.role.value))

    @requires(Action.approve_document)
    def approve_document(self, source: str, *, user: User = DEFAULT_USER) -> Record:
        """Approve a document added through shopfloor (audited): its text may then be a next step."""
        return knowledge.approve(self.ws, source, user.name)

    @requires(Action.restrict_document)
    def restrict_document(self, pattern: str, role: str, *, user: User = DEFAULT_USER) -> str:
        """Limit a document or a folder ("contracts/") to ``role`` and above, in every client (audited)."""
        return knowledge.restrict(self.ws, clean_text(pattern or ""), role, user.name)

    @requires(Action.remove_document)
    def remove_source(self, source: str, *, user: User = DEFAULT_USER) -> int:
        """Remove one source from the index (audited); returns the number of chunks removed."""
        return knowledge.remove(self.components, self.ws, source, user.name)

    @requires(Action.view_trends)
    def trends(self, task: str, period: Period = "month", chart: Chart = "laney", *,
               user: User = DEFAULT_USER) -> TrendReport:
        """Which labels of ``task`` are rising among the workspace's classified rows (a TrendReport)."""
        from shopfloor.assistant.pipeline.trends import workspace_trends

        return workspace_trends(self.ws, task, period, chart)

    @requires(Action.draft_report)
    def report_8d(self, task: str, label: str, period: Period = "month", *, user: User = DEFAULT_USER) -> Report8D:
        """An 8D report draft for ``label`` in the latest period of ``task``'s classified rows (cited; audited)."""
        return report8d.for_task(self.components.for_role(user.role.value), self.ws, clean_text(task),
                                 clean_text(label), period, user.name)

    @requires(Action.draft_report)
    def report_8d_file(self, path: str | Path, date_col: str, label_col: str, text_col: str, label: str,
                       period: Period = "month", *, user: User = DEFAULT_USER) -> Report8D:
        """An 8D report draft for ``label`` from a CSV/XLSX with a date, a label and a text column."""
        return report8d.for_file(self.components.for_role(user.role.value), self.ws, path,
                                 (date_col, label_col, text_col), clean_text(label), period, user.name)

    @requires(Action.view_trends)
    def trends_file(self, path: str | Path, date_col: str, label_col: str, period: Period = "month",
                    chart: Chart = "laney", *, user: User = DEFAULT_USER) -> TrendReport:
        """Which labels are rising in an uploaded CSV/XLSX with a date and a label column."""
        from shopfloor.assistant.pipeline.trends import file_trends

        return file_trends(path, date_col, label_col, period, chart)


def _with_notes(done: Answer, notices: list[str], lang: str = "en") -> Answer:
    notes = [*notices, *(n for n in done.notes if n not in notices)]
    unseen = "".join(f"\n\n_note: {n}_" for n in notes if n not in done.answer)
    return done.model_copy(update={"notes": notes, "answer": done.answer + unseen, "language": lang})


def _diag_cites(d: Diagnosis) -> list[Citation]:
    cites = [Citation(n=n, citation=c.citation, text=c.text, safety=c.safety) for n, c in enumerate(d.causes, start=1)]
    return cites + [Citation(n=len(cites) + n, citation=i.citation, text=i.text)
                    for n, i in enumerate(d.incidents, start=1)]
