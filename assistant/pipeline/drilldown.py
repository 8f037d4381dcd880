"""From a point of the Trends chart to what is behind it: the rows of one label in one period, the words more
frequent in them than before, the plant's cited documents about the label (the same relevance check as the 8D
draft and Diagnose) and the work orders already raised for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from shopfloor.assistant.pipeline.report8d import Row, Source, causes_about, of_label, rising_words
from shopfloor.assistant.pipeline.workorders import WorkOrder
from shopfloor.errors import InputError

if TYPE_CHECKING:
    from shopfloor.sensors.trends import Period


class LabelRows(BaseModel):
    """One point of a label's trend, opened."""

    label: str
    period: str = Field(..., description="The period opened (default: the latest one with rows of the label).")
    origin: str = Field(..., description="Where the rows came from (a task's classified rows or a file).")
    count: int = Field(..., description="Rows of the label in the period.")
    total: int = Field(..., description="Rows of every label in the period.")
    earlier: int = Field(..., description="Rows of the label before the period.")
    periods: list[str] = Field([], description="Every period with rows of the label, oldest first (other points).")
    rows: list[Row] = Field([], description="The label's rows of the period, newest first (at most ``limit``).")
    words: list[str] = Field([], description="Words of these rows more frequent than in the rows before the period.")
    causes: list[Source] = Field([], description="The plant's documents about the label, cited (none: see notes).")
    work_orders: list[WorkOrder] = Field([], description="Work orders raised for this failure mode or naming it.")
    notes: list[str] = []

    def to_markdown(self) -> str:
        share = f"{self.count / self.total:.0%}" if self.total else "0%"
        out = [f"**{self.label} in {self.period}: {self.count} of {self.total} rows ({share})**; {self.earlier} "
               "before it."]
        if self.words:
            out.append(f"Words more frequent than before: {', '.join(self.words)}.")
        if self.causes:
            out += ["", "**What your documents say about it** (cited; check before acting):"]
            out += [f"[{s.n}] {s.text} — _{s.citation}_" for s in self.causes]
        out += [f"_{n}_" for n in self.notes]
        if self.work_orders:
            out += ["", "**Work orders already raised for it:**"]
            out += [f"- #{w.id} {w.priority} {w.state}, {w.asset or 'no asset'}: {w.description[:120]}"
                    for w in self.work_orders]
        return "\n\n".join(out)


def drill(components, rows: list[Row], label: str, origin: str, period: Period = "month", at: str | None = None,
          min_score: float | None = None, limit: int = 200) -> LabelRows:
    """The rows of ``label`` in period ``at`` (a key like 2022-11 or 2022-W46; default: the label's latest)."""
    dated, mine = of_label(rows, label, period)
    periods = sorted({p for p, _ in mine})
    at = (at or "").strip() or periods[-1]
    if at not in {p for p, _ in dated}:
        raise InputError(f"no rows in {period} {at!r}; {label} has rows in: {', '.join(periods[-12:])}")
    now = sorted((r for p, r in mine if p == at), key=lambda r: r.date, reverse=True)
    words = rising_words([r.text for r in now], [r.text for p, r in dated if p < at])
    causes, notes = causes_about(components, label, words, min_score) if now else ([], [])
    sources = [Source(n=i, citation=c.citation, text=_what(c)) for i, c in enumerate(causes, start=1)]
    return LabelRows(label=label, period=at, origin=origin, count=len(now), total=sum(p == at for p, _ in dated),
                     earlier=sum(p < at for p, _ in mine), periods=periods, rows=now[:limit], words=words,
                     causes=sources, notes=notes)


def _what(c) -> str:
    """A cause as a technician scans it: where / symptom, cause, remedy (else the passage)."""
    parts = [v for v in (c.symptom, c.cause and f"cause: {c.cause}", c.remedy and f"remedy: {c.remedy}") if v]
    return ("; ".join(parts) if c.cause or c.remedy else c.text)[:600]


def about(orders: list[WorkOrder], label: str) -> list[WorkOrder]:
    """The work orders whose failure mode is ``label`` or whose text names it."""
    words = label.replace("_", " ").lower()
    return [w for w in orders if (w.failure_mode or "").lower() == label.lower() or words in w.description.lower()]
