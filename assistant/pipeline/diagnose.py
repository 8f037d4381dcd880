"""Diagnosis of a pasted log: a structured card that never depends on the language model."""

from __future__ import annotations

import logging

from pydantic import BaseModel

from shopfloor.assistant.safety import neutralise, plain, safety_warning, unsafe_reason
from shopfloor.errors import BackendError, InputError, NotBuiltError
from shopfloor.sensors.status import MachineStatus

log = logging.getLogger(__name__)
MAX_CHARS = 10_000


class Cause(BaseModel):
    symptom: str = ""
    cause: str = ""
    remedy: str = ""
    text: str = ""
    citation: str
    score: float
    safety: str | None = None  # a warning when this passage weakens lock-out/tag-out or another safety step


class SimilarIncident(BaseModel):
    date: str = ""
    machine_id: str = ""
    text: str
    action: str = ""
    downtime_h: str = ""
    citation: str


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
    notes: list[str] = []

    def to_markdown(self) -> str:
        from shopfloor.assistant.pipeline.render import diagnosis_markdown

        return diagnosis_markdown(self)


def diagnose(components, llm_settings, log_text: str, machine_id: str | None = None, llm=None) -> Diagnosis:
    """Classifier -> manual passages and similar incidents -> machine status -> next step -> optional LLM summary."""
    from shopfloor.assistant.pipeline.routing import find_machine, language_note

    text = (log_text or "").strip()
    if not text:
        raise InputError("the log is empty: paste the technician's text")
    d = Diagnosis(log=text[:MAX_CHARS])
    if len(text) > MAX_CHARS:
        d.notes.append(f"log truncated to its first {MAX_CHARS} characters (was {len(text)})")
    d.notes += [n for n in (language_note(d.log[:2000]),) if n]
    known = [m["id"] for m in components.machines()]
    if machine_id:
        match = find_machine(machine_id, known)
        if match is None:
            raise InputError(f"unknown machine {machine_id!r}; known machines: {', '.join(known) or 'none'}")
        d.machine_id = match
    else:
        d.machine_id = find_machine(text, known)
    _classify(components, d)
    _retrieve(components, d)
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
        p = mt.predict([d.log], task)[0]
        if task == "failure_mode":
            d.failure_mode, d.confidence, d.alternatives = p.label, p.confidence, p.alternatives
            d.needs_review, d.review_reason = p.needs_review, p.reason
        elif task != "complaint_category":
            d.labels[task] = {"label": p.label, "confidence": p.confidence, "needs_review": p.needs_review}


def _retrieve(components, d: Diagnosis) -> None:
    try:
        idx = components.index()
    except NotBuiltError as e:
        d.notes.append(str(e))
        return
    query = d.log + (f" {d.failure_mode.replace('_', ' ')}" if d.failure_mode else "")
    machine = {"machine_id": d.machine_id} if d.machine_id else {}
    hits = idx.search(query, k=3, filters={"doc_type": "manual", **machine})
    if not hits and machine:
        hits = idx.search(query, k=3, filters={"doc_type": "manual"})
    for h in hits:
        cols = h.metadata.get("columns", {}) if isinstance(h.metadata, dict) else {}
        cause = Cause(symptom=_safe(cols.get("Symptom", cols.get("Meaning", ""))),
                      cause=_safe(cols.get("Possible cause", "")),
                      remedy=_safe(cols.get("Remedy", cols.get("First action", ""))), text=_safe(h.text),
                      citation=h.citation, score=h.dense_score)
        reason = unsafe_reason(" ".join((cause.cause, cause.remedy, cause.text)))
        if reason:
            cause.safety = safety_warning(reason, h.citation, components.provenance(h.source))
        d.causes.append(cause)
    for h in idx.search(query, k=3, filters={"doc_type": "incident", **machine}):
        cols = h.metadata.get("columns", {})
        d.incidents.append(SimilarIncident(date=_safe(cols.get("date", h.metadata.get("date", ""))),
                                           machine_id=_safe(h.metadata.get("machine_id", "")),
                                           text=_safe(cols.get("text", h.text)), action=_safe(cols.get("action", "")),
                                           downtime_h=_safe(cols.get("downtime_h", "")), citation=h.citation))


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
    safe = [c for c in d.causes if not c.safety and (c.remedy or c.text)]
    if d.causes and d.causes[0].safety:  # never turn a safety-weakening passage into the next step
        steps.append(f"{d.causes[0].safety} Lock out and tag out the machine before any work, and ask the safety "
                     "officer about that document.")
    if safe:
        steps.append(f"Lock out the machine, then: {safe[0].remedy or safe[0].text[:200]} (see {safe[0].citation}).")
    elif flagged and not d.causes[0].safety:
        steps.append(flagged[0].safety)
    if d.failure_mode and d.needs_review:  # no classifier at all is said in the notes, not as "uncertain"
        steps.append("The classification is uncertain: confirm the failure mode before ordering parts.")
    st = d.status
    if st and ((st.failure_probability or 0) >= 0.3 or st.spc_violations):
        steps.append("Sensor data is abnormal: check the control charts on the Machines tab before restarting.")
    if st and st.rul is not None and st.rul < 30:
        steps.append(f"Remaining useful life is about {st.rul:.0f} cycles: plan the overhaul now.")
    return " ".join(steps) or "No matching manual entry: escalate to the maintenance engineer."


def _summarise(llm, settings, d: Diagnosis) -> None:
    from shopfloor.assistant.llm import complete
    from shopfloor.assistant.pipeline.grounding import support
    from shopfloor.prompts import render

    facts = render("diagnosis_summary", log=d.log[:1000], machine=d.machine_id, failure_mode=d.failure_mode or "unknown",
                   confidence=d.confidence or 0.0, needs_review=d.needs_review,
                   causes=[c.model_dump() for c in d.causes if not c.safety][:2],
                   incidents=[i.model_dump() for i in d.incidents[:2]],
                   status=d.status)
    try:
        text = complete(llm, [{"role": "system", "content": render("system")}, {"role": "user", "content": facts}],
                        min(settings.max_new_tokens, 96), settings.temperature)
    except BackendError as e:
        d.notes.append(f"summary unavailable ({e}); the structured diagnosis above is complete without it")
        return
    if support(text, [facts]) < 0.6:
        d.notes.append("the language model's summary did not stick to the facts and was dropped")
        return
    d.summary, d.summary_source = text, "llm"

