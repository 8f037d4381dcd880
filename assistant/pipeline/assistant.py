"""The Assistant: the one object the CLI, the UI and the REST API call. It knows nothing of any of them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from shopfloor.assistant.pipeline.components import Components
from shopfloor.assistant.pipeline.diagnose import Diagnosis, diagnose
from shopfloor.assistant.pipeline.events import Answer, ChatEvent, Citation, Notice, Token
from shopfloor.assistant.pipeline.inspection import Inspection
from shopfloor.assistant.pipeline.knowledge import Knowledge
from shopfloor.assistant.pipeline.machines import Machines
from shopfloor.assistant.pipeline.quality import Quality
from shopfloor.assistant.pipeline.review import Reviews
from shopfloor.assistant.pipeline.routing import Route
from shopfloor.assistant.pipeline.texts import Texts
from shopfloor.assistant.pipeline.users import Users
from shopfloor.assistant.pipeline.workorders import WorkOrders
from shopfloor.assistant.policy import DEFAULT_USER, Action, User, requires
from shopfloor.assistant.safety import clean_text
from shopfloor.errors import BackendError, InputError, NotBuiltError
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
        self.knowledge = Knowledge(*services)
        self.inspection = Inspection(*services)
        self.texts = Texts(*services)
        self.reviews = Reviews(*services)
        self.quality = Quality(*services)
        self.workorders = WorkOrders(*services, diagnose=lambda log, machine, who: self._diagnosis(
            log, machine, False, None, who), alarm=lambda alarm_id, who: self.machines.alarm(alarm_id, user=who))
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
        return self._diagnosis(log_text, machine_id, summary, photo, user)

    def _diagnosis(self, log_text: str, machine_id: str | None, summary: bool, photo: tuple[str, bytes] | None,
                   user: User, notes: tuple[str, ...] | None = None) -> Diagnosis:
        from shopfloor.assistant.pipeline.ask import synthesis_on

        llm = self.llm() if summary and synthesis_on(self.ws.config.llm) else None  # llm.synthesis, as for chat
        d = diagnose(self.components.for_role(user.role.value), self.ws.config.llm, clean_text(log_text or ""),
                     clean_text(machine_id) if machine_id else None, llm,
                     self._threshold(self.ws.config.index.min_score), notes)
        if photo is not None:
            try:
                r = self.inspection.run([photo], source="diagnose", user=user)[0]
                d._photo_heatmap = r.heatmap
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
        from shopfloor.assistant.pipeline.routing import decide
        from shopfloor.assistant.pipeline.words import language

        route = decide(question, [m["id"] for m in self.components.machines()], user.can(Action.diagnose),
                       self._documents_cjk())
        notes = list(route.notes)
        for n in notes:
            yield Notice(text=n)
        for e in self._routed(route, question, history, user):
            if isinstance(e, Notice):
                notes.append(e.text)
            yield _with_notes(e, notes, language(question)) if isinstance(e, Answer) else e

    def _documents_cjk(self) -> bool:
        try:
            return self.components.index().has_cjk
        except NotBuiltError:
            return False

    def _routed(self, route: Route, question: str, history: list[dict], user: User) -> Iterator[ChatEvent]:
        from shopfloor.assistant.pipeline.ask import answer_events, synthesis_on

        if route.kind == "diagnose":
            d = self._diagnosis(question, None, True, None, user, route.notes)
            text = d.to_markdown()
            yield Token(text=text)
            yield Answer(answer=text, citations=_diag_cites(d), route="diagnose", grounded=True,
                         diagnosis=d.model_dump(), notes=d.notes)
            return
        if route.kind == "status" and route.machine:
            yield from self._status_events(route.machine, user)
            return
        if len(question) > MAX_QUESTION:
            yield Notice(text=f"question truncated to its first {MAX_QUESTION} characters (was {len(question)})")
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


def _with_notes(done: Answer, notices: list[str], lang: str = "en") -> Answer:
    notes = [*notices, *(n for n in done.notes if n not in notices)]
    unseen = "".join(f"\n\n_note: {n}_" for n in notes if n not in done.answer)
    return done.model_copy(update={"notes": notes, "answer": done.answer + unseen, "language": lang})


def _diag_cites(d: Diagnosis) -> list[Citation]:
    cites = [Citation(n=n, citation=c.citation, text=c.text, safety=c.safety) for n, c in enumerate(d.causes, start=1)]
    return cites + [Citation(n=len(cites) + n, citation=i.citation, text=i.text)
                    for n, i in enumerate(d.incidents, start=1)]
