"""Diagnosis of a pasted log: a structured card that never depends on the language model."""

from __future__ import annotations

import logging

from pydantic import BaseModel, PrivateAttr

from shopfloor.assistant.pipeline.inspection import InspectedPhoto
from shopfloor.assistant.safety import neutralise, plain, safety_warning, unsafe_reason
from shopfloor.errors import BackendError, InputError, NotBuiltError
from shopfloor.index.tables import RATINGS
from shopfloor.sensors.status import MachineStatus

log = logging.getLogger(__name__)
MAX_CHARS = 10_000


CAUSE_KINDS = ("manual", "troubleshooting", "fmea")  # where causes and remedies may come from (never incidents)


class Cause(BaseModel):
    symptom: str = ""  # the table's symptom / trouble (or, in an FMEA, the failure mode)
    cause: str = ""
    remedy: str = ""  # only from a column whose role is a remedy / recommended action
    text: str = ""
    citation: str
    score: float  # dense similarity to the log; every cause shown passed the relevance cut-off
    kind: str = "passage"  # "troubleshooting" | "fmea" (a table row with roles) | "passage" (prose)
    effect: str = ""  # FMEA: the failure's effect
    controls: str = ""  # FMEA: current controls
    ratings: dict[str, str] = {}  # FMEA: severity / occurrence / detection / RPN as the table gives them
    risk: dict[str, str] = {}  # the same ratings by role (severity, occurrence, detection, rpn): any language's headers
    safety: str | None = None  # a warning when this passage weakens lock-out/tag-out or another safety step
    reviewed: bool = True  # False: from a document added through shopfloor that no engineer has approved yet
    provenance: str = ""  # who added the document (and approved it), for an unreviewed or flagged one


class SimilarIncident(BaseModel):
    date: str = ""
    machine_id: str = ""
    text: str
    action: str = ""
    downtime_h: str = ""
    citation: str
    reviewed: bool = True  # False: from a record added through shopfloor that no engineer has approved yet


class Diagnosis(BaseModel):
    log: str
    machine_id: str | None = None
    failure_mode: str | None = None
    confidence: float | None = None
    alternatives: list[tuple[str, float]] = []
    needs_review: bool = True
    review_reason: str | None = None
    labels: dict[str, dict] = {}  # other tasks (component, ...): {"label", "confidence", "needs_review"}
    causes: list[Cause] = []
    incidents: list[SimilarIncident] = []
    status: MachineStatus | None = None  # without charts (the card links to the Machines tab for those)
    next_step: str = ""
    summary: str | None = None
    summary_source: str = "none"  # "llm" | "none"
    inspection: InspectedPhoto | None = None  # a photo sent with the log: the image models' verdict (no heatmap)
    notes: list[str] = []
    _photo_heatmap: object = PrivateAttr(default=None)  # (H, W) array for the UI's overlay; never serialised

    @property
    def photo_heatmap(self):
        return self._photo_heatmap

    def to_markdown(self) -> str:
        from shopfloor.assistant.pipeline.render import diagnosis_markdown

        return diagnosis_markdown(self)


def diagnose(components, llm_settings, log_text: str, machine_id: str | None = None, llm=None,
             min_score: float | None = None, notes: tuple[str, ...] | None = None) -> Diagnosis:
    """Classifier -> manual passages and similar incidents -> machine status -> next step -> optional LLM summary.

    Only passages and rows whose dense similarity to the log reaches ``min_score`` (default: the
    index's calibrated no-answer threshold) are shown; when none does, the card says so. ``notes``: the chat's
    route already read the log's language (else it is read here).
    """
    from shopfloor.assistant.pipeline.routing import find_machine, language_note

    text = (log_text or "").strip()
    if not text:
        raise InputError("the log is empty: paste the technician's text")
    d = Diagnosis(log=text[:MAX_CHARS])
    if len(text) > MAX_CHARS:
        d.notes.append(f"log truncated to its first {MAX_CHARS} characters (was {len(text)})")
    foreign = list(notes) if notes is not None else [n for n in (language_note(d.log[:2000]),) if n]
    d.notes += foreign
    known = [m["id"] for m in components.machines()]
    if machine_id:
        match = find_machine(machine_id, known)
        if match is None:
            raise InputError(f"unknown machine {machine_id!r}; known machines: {', '.join(known) or 'none'}")
        d.machine_id = match
    else:
        d.machine_id = find_machine(text, known)
    _classify(components, d)
    if d.failure_mode and foreign:  # never a confident label on another language
        d.needs_review = True
        d.review_reason = "the log is not in English, the classifier's language: confirm the failure mode"
        for lab in d.labels.values():
            lab["needs_review"] = True
    _retrieve(components, d, min_score)
    _status(components, d)
    d.next_step = next_step(d)
    if llm is not None:
        _summarise(llm, llm_settings, d)
    return d


def _classify(components, d: Diagnosis) -> None:
    try:
        mt = components.classifiers()
    except NotBuiltError as e:
        d.notes.append(str(e))
        return
    for task in mt.tasks:
        if mt.text_kind(task) != "maintenance log":  # a complaint classifier does not label a machine log
            continue
        p = mt.predict([d.log], task)[0]
        unlike = mt.unlike(d.log, task)
        if unlike and not p.needs_review:
            p.needs_review, p.reason = True, unlike
        if task == "failure_mode":
            d.failure_mode, d.confidence, d.alternatives = p.label, p.confidence, p.alternatives
            d.needs_review, d.review_reason = p.needs_review, p.reason
        else:
            d.labels[task] = {"label": p.label, "confidence": p.confidence, "needs_review": p.needs_review}


def _retrieve(components, d: Diagnosis, min_score: float | None) -> None:
    try:
        idx = components.index()
    except NotBuiltError as e:
        d.notes.append(str(e))
        return
    cut = cut_off(idx, min_score)
    # A confident label sharpens the query ("hydraulic leak"); an uncertain one (or one for another kind of
    # text) would only pull the search toward whatever that label resembles, so it is left out.
    label = f" {d.failure_mode.replace('_', ' ')}" if d.failure_mode and not d.needs_review else ""
    query = d.log + label
    machine = {"machine_id": d.machine_id} if d.machine_id else {}
    d.causes += find_causes(components, idx, query, d.machine_id, cut, d.notes, d.log)
    floor = max(cut, idx.off_topic_level(("incident",)))  # calibrated on the incident records themselves
    found = idx.search(query, k=3, filters={"doc_type": "incident", **machine})
    trust = components.trust()
    for h in [h for h in _relevant(found, floor, None, d.log) if _shares_a_rare_word(idx, d.log, h)]:
        d.incidents.append(_incident(h, trust.reviewed(h.source)))


def find_causes(components, idx, query: str, machine_id: str | None, cut: float, notes: list[str] | None,
                log: str = "", limit: int = 3, other_machines: bool = True) -> list[Cause]:
    """The best troubleshooting rows, FMEA rows and manual passages for ``query`` above the cut-off (the
    machine's own first, then any unless ``other_machines`` is False), each with a safety warning when its
    text would bypass a safeguard; why nothing was kept goes to ``notes``."""
    machine = {"machine_id": machine_id} if machine_id else {}
    hits = _relevant(idx.search(query, k=8, filters={"doc_type": CAUSE_KINDS, **machine}), cut, notes, log)
    if not hits and machine and other_machines:
        hits = _relevant(idx.search(query, k=8, filters={"doc_type": CAUSE_KINDS}), cut, notes, log)
    causes = []
    trust = components.trust()
    for h in hits[:limit]:
        cause = _cause(h)
        cause.reviewed, cause.provenance = trust.reviewed(h.source), trust.provenance(h.source)
        reason = unsafe_reason(" ".join((cause.cause, cause.remedy, cause.text)))
        if reason:
            cause.safety = safety_warning(reason, h.citation, cause.provenance)
        causes.append(cause)
    return causes


def cut_off(idx, min_score: float | None = None) -> float:
    """The relevance cut-off for causes: the chat threshold (or ``min_score``), raised to the level off-topic text
    reaches in this index's cause documents (short table rows attract any short sentence a little)."""
    return max(idx.no_answer_threshold if min_score is None else min_score, idx.off_topic_level(CAUSE_KINDS))


STRONG = 0.5  # a dense similarity this high needs no shared word (a paraphrase); below it, a shared word is required
_GENERIC = {"machine", "equipment", "unit", "system", "again"}


def _shares_a_word(log: str, h) -> bool:
    """Whether the log and the hit share a content word (stemmed, shorthand expanded): the second signal that
    keeps a weak embedding match ("coffee machine out of milk" ~ "ignition switch wearing", 0.32) out."""
    from shopfloor.index.text import tokenize

    words = set(tokenize(log)) - {t for g in _GENERIC for t in tokenize(g)}
    return bool(words & set(tokenize(f"{h.section} {h.text}")))


def _shares_a_rare_word(idx, log: str, h) -> bool:
    """Whether a past incident shares a specific word with the log (one rarer than the median word of the index):
    a limit-switch log and "LEFT RUDDER CABLE NOT ATTACHED" share only "left"; a strong paraphrase is kept."""
    from shopfloor.index.text import tokenize

    if h.dense_score >= STRONG:
        return True
    secs = idx.sections()
    shared = set(tokenize(log)) & set(tokenize(f"{h.section} {h.text}"))
    return any(secs.idf(t) > secs.median_idf for t in shared)


def _relevant(hits, cut: float, notes: list[str] | None, log: str = "") -> list:
    """Hits at or above the cut-off (and sharing a word with the log, unless the match is strong) whose text
    is fit to quote; what was left out is said in the notes."""
    keep = [h for h in hits if h.dense_score >= cut and not h.metadata.get("text_problem")
            and (not log or h.dense_score >= STRONG or _shares_a_word(log, h))]
    if notes is not None and not keep and hits and not any(h.dense_score >= cut for h in hits):
        best = max(h.dense_score for h in hits)
        notes.append(f"no troubleshooting row, FMEA row or manual passage is close enough to this log (best "
                       f"similarity {best:.2f}, cut-off {cut:.2f}): nothing is quoted as a cause")
    elif notes is not None and not keep and hits and any(h.metadata.get("text_problem") for h in hits):
        notes.append("the closest passages come from pages whose text is broken (see the Knowledge tab): "
                       "not quoted")
    elif notes is not None and not keep and hits:
        notes.append("no troubleshooting row, FMEA row or manual passage shares a word with this log and is "
                       "close enough to it: nothing is quoted as a cause")
    return keep


def _incident(h, reviewed: bool) -> SimilarIncident:
    """A past incident read from its record: by the columns' roles, else by the incident table's own names."""
    row = h.table
    cols = h.metadata.get("columns") or {}

    def get(role: str, fallback_col: str) -> str:
        return row.get(role) if row is not None else str(cols.get(fallback_col, "") or "")

    return SimilarIncident(date=_safe(get("date", "date") or h.metadata.get("date", "")),
                           machine_id=_safe(h.metadata.get("machine_id", "")),
                           text=_safe(get("text", "text") or get("symptom", "") or h.text),
                           action=_safe(get("remedy", "action")), downtime_h=_safe(get("downtime", "downtime_h")),
                           citation=h.citation, reviewed=reviewed)


def _cause(h) -> Cause:
    row = h.table
    if row is None:
        return Cause(text=_safe(h.text), citation=h.citation, score=h.dense_score)
    kind = row.kind if row.kind in ("troubleshooting", "fmea") else "passage"

    def get(role: str) -> str:
        return _safe(row.get(role))

    ratings = {c: _safe(v) for c, v in row.ratings().items()}
    risk = {r: _safe(row.get(r)) for r in RATINGS if row.get(r)}
    where, symptom = _safe(row.where()), get("symptom") or get("failure_mode")
    return Cause(symptom=f"{where}: {symptom}" if where and symptom else symptom or where, cause=get("cause"),
                 remedy=get("remedy"), text=_safe(h.text), citation=h.citation, score=h.dense_score, kind=kind,
                 effect=get("effect"), controls=get("controls"), ratings=ratings, risk=risk)


def _safe(value) -> str:
    """Document text as shown on the card: plain text, instruction-like sentences removed."""
    return neutralise(plain(str(value or "")))


def _status(components, d: Diagnosis) -> None:
    if not d.machine_id:
        d.notes.append("no machine named: sensor status not included (pick a machine or write its id in the log)")
        return
    try:
        st = components.status(d.machine_id, charts=False)
    except (NotBuiltError, InputError) as e:
        d.notes.append(str(e))
        return
    d.status = st


def next_step(d: Diagnosis) -> str:
    """A rule-based recommendation from the structured facts (no language model involved)."""
    steps = []
    flagged = [c for c in d.causes if c.safety]
    # unreviewed text is never a next step: an engineer approves the document first
    safe = [c for c in d.causes if not c.safety and c.reviewed and (c.remedy or c.text)]
    if d.causes and d.causes[0].safety:  # never turn a safety-weakening passage into the next step
        steps.append(f"{d.causes[0].safety} Lock out and tag out the machine before any work, and ask the safety "
                     "officer about that document.")
    elif d.causes and not d.causes[0].reviewed:
        steps.append(f"The closest entry ({d.causes[0].citation}) is in a document no engineer has approved yet "
                     f"({d.causes[0].provenance}): have it reviewed before acting on it.")
    # The step comes from the best-matching entry (or a row of the same entry: an FMEA repeats a failure mode
    # once per cause), never from a lower-ranked row just because that one happens to have a remedy filled in.
    top = safe[0] if safe else None
    same = [c for c in safe if top and c.symptom and c.symptom == top.symptom] or ([top] if top else [])
    with_remedy = [c for c in same if c.remedy]
    if with_remedy:
        c = with_remedy[0]
        steps.append(f"Lock out the machine, then: {c.remedy} (see {c.citation}).")
    elif top and top.cause:
        steps.append(f"Lock out the machine and check the likely cause first: {top.cause} (see {top.citation}); "
                     "the table gives no remedy for it.")
    elif top:
        steps.append(f"The closest entry is a manual passage, not a troubleshooting row: read it before acting "
                     f"({top.citation}).")
        row = next((c for c in safe if c.remedy), None)  # a lower-ranked row is named as such, never as the step
        if row is not None:
            steps.append(f"A less close troubleshooting row ({row.symptom or row.citation}) says: {row.remedy} "
                         f"(see {row.citation}).")
    elif flagged and not d.causes[0].safety and flagged[0].safety:
        steps.append(flagged[0].safety)
    if not steps:
        steps.append("No matching manual entry: escalate to the maintenance engineer.")
    if d.failure_mode and d.needs_review:  # no classifier at all is said in the notes, not as "uncertain"
        steps.append("The classification is uncertain: confirm the failure mode before ordering parts.")
    st = d.status
    if st and ((st.failure_probability or 0) >= 0.3 or st.spc_violations):
        steps.append("Sensor data is abnormal: check the control charts on the Machines tab before restarting.")
    if st and st.rul is not None and st.rul < 30:
        steps.append(f"Remaining useful life is about {st.rul:.0f} cycles: plan the overhaul now.")
    return " ".join(steps)


def _summarise(llm, settings, d: Diagnosis) -> None:
    from shopfloor.assistant.llm import complete
    from shopfloor.assistant.pipeline.grounding import supported_sentences
    from shopfloor.prompts import render

    facts = render("diagnosis_summary", log=d.log[:1000], machine=d.machine_id, failure_mode=d.failure_mode or "unknown",
                   confidence=d.confidence or 0.0, needs_review=d.needs_review,
                   causes=[c.model_dump() for c in d.causes if not c.safety and c.reviewed][:2],
                   incidents=[i.model_dump() for i in d.incidents if i.reviewed][:2],
                   status=d.status)
    try:
        text = complete(llm, [{"role": "system", "content": render("system")}, {"role": "user", "content": facts}],
                        min(settings.max_new_tokens, 96), settings.temperature)
    except BackendError as e:
        d.notes.append(f"summary unavailable ({e}); the structured diagnosis above is complete without it")
        return
    from shopfloor.index.text import tokenize

    # what the log itself says is not evidence for a sentence about it (an echo of the log is no summary)
    known = facts.replace(d.log[:1000], " ")
    kept = supported_sentences(text, [known], exclude=frozenset(tokenize(d.log[:1000])))
    if not kept:
        d.notes.append("the language model's summary did not stick to the facts, so it is not shown")
        return
    d.summary, d.summary_source = " ".join(kept), "llm"

