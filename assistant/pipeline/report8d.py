"""An 8D report draft for a complaint cluster (a label in its latest period): the problem from the plant's own rows,
containment, root-cause candidates, corrective actions and prevention from the plant's cited troubleshooting
tables, FMEA rows and manuals.

Every line states where it comes from: the rows (``[data]``) or a numbered source. Nothing is written that the
documents do not say: a discipline with no matching entry says so and is left for the team (D1 team and D8
closure are always theirs). The same relevance cut-off, review marks and safety warnings as Diagnose apply.
Exports (Markdown, DOCX, PDF) take the Markdown text, so what an engineer edited is what is exported.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, NoReturn

from pydantic import BaseModel, Field

from shopfloor.assistant.pipeline.inspection import REVIEWED
from shopfloor.errors import InputError, NotFoundError
from shopfloor.index.text import STOPWORDS, tokenize

if TYPE_CHECKING:
    from shopfloor.assistant.pipeline.diagnose import Cause
    from shopfloor.sensors.trends import Period


class Section(BaseModel):
    key: str  # "D2"
    title: str
    lines: list[str]


class Source(BaseModel):
    n: int
    citation: str
    text: str = ""


class Row(BaseModel):
    """One classified row: when, its label, its text, and where it is kept (a classification id or a file row)."""

    date: str
    label: str
    text: str
    ref: str


class Report8D(BaseModel):
    """The draft: D1..D8, the numbered sources, and what the draft could not say."""

    label: str
    period: str = Field(..., description="The period the cluster is counted in (the latest one with rows).")
    origin: str = Field(..., description="Where the rows came from (a task's classified rows or a file).")
    words: list[str] = Field([], description="Words of the period's texts that are more frequent than before it.")
    sections: list[Section]
    sources: list[Source] = []
    notes: list[str] = []

    def to_markdown(self) -> str:
        out = [f"# 8D report (draft): {self.label}, {self.period}", "",
               f"_Drafted from {self.origin}. Every line cites the rows ([data]) or a source; edit before sending._"]
        for s in self.sections:
            out += ["", f"## {s.key} {s.title}", ""] + [f"- {line}" for line in s.lines]
        if self.sources:
            out += ["", "## Sources", ""] + [f"[{s.n}] {s.citation}" for s in self.sources]
        return "\n".join(out) + "\n"


def for_task(components, ws, task: str, label: str, period: Period, user: str, since: str | None = None) -> Report8D:
    """The draft from a task's classified rows (audited: who drafted which report)."""
    return _audited(components, ws, task_rows(ws, task), label, f"the classified rows of task {task}", task, period,
                    user, since)


def for_file(components, ws, path, cols: tuple[str, str, str | None], label: str, period: Period, user: str,
             since: str | None = None) -> Report8D:
    """The draft from a file's rows (``cols``: date, label and text column, None: the longest texts; audited)."""
    from pathlib import Path

    name = Path(path).name
    return _audited(components, ws, file_rows(path, *cols), label, f"the rows of {name}", name, period, user, since)


def _audited(components, ws, rows: list[Row], label: str, origin: str, what: str, period: Period,
             user: str, since: str | None = None) -> Report8D:
    from shopfloor.db import audit

    rep = draft(components, rows, label, origin, period, ws.config.index.min_score, since)
    with ws.connect() as conn:
        audit(conn, user, "report_8d", f"{what}: {label} {rep.period}")
    return rep


_TASK_ROWS = ("SELECT c.id, COALESCE(c.occurred_at, c.created_at), c.text, COALESCE("
              "(SELECT r.label FROM reviews r WHERE r.classification_id = c.id ORDER BY r.id DESC LIMIT 1), "
              "(SELECT r.label FROM reviews r WHERE r.task = c.task AND r.text = c.text ORDER BY r.id DESC LIMIT 1), "
              "c.label) FROM classifications c WHERE c.task = ?")


# Besides the text tasks, two labelled streams the workspace keeps: inspected photos (their defect class, a reviewer's
# correction first) and work orders (their failure mode), each dated by when it was made.
OTHER_SOURCES = {
    "inspection": (f"SELECT i.id, i.created_at, i.image, COALESCE({REVIEWED}, i.label) FROM inspections i "
                   f"WHERE COALESCE({REVIEWED}, i.label) IS NOT NULL", "inspection"),
    "workorders": ("SELECT id, created_at, json_extract(payload, '$.description'), "
                   "json_extract(payload, '$.failure_mode') FROM workorders "
                   "WHERE json_extract(payload, '$.failure_mode') IS NOT NULL", "work order"),
}


def task_rows(ws, task: str) -> list[Row]:
    """A task's classified rows, each dated by the date its file gave it (else when it was classified); a reviewed
    correction counts with its corrected label, for every copy of the reviewed text. ``inspection`` and
    ``workorders`` (unless a text task has that name) are the inspected photos and the work orders."""
    with ws.connect() as conn:
        rows = conn.execute(_TASK_ROWS, (task,)).fetchall()
        if not rows and task in OTHER_SOURCES:
            sql, what = OTHER_SOURCES[task]
            return [Row(date=str(r[1]), label=str(r[3]), text=str(r[2] or ""), ref=f"{what} #{r[0]}")
                    for r in conn.execute(sql)] or _none(task)
    if not rows:
        _none(task)
    return [Row(date=str(r[1]), label=str(r[3]), text=str(r[2] or ""), ref=f"classification #{r[0]}") for r in rows]


def _none(task: str) -> NoReturn:
    raise NotFoundError(f"no classified rows of task {task!r} in this workspace yet: classify a file in the Batch tab "
                        "first, or use a file with a date and a label column")


def file_rows(path, date_col: str, label_col: str, text_col: str | None) -> list[Row]:
    """The rows of a CSV/XLSX with a date, a label and a text column (None: the column with the longest texts)."""
    from shopfloor.finetune.data import read_table

    df = read_table(path, [date_col, label_col, *([text_col] if text_col else [])])
    if not text_col:
        rest = [c for c in df.columns if c not in (date_col, label_col)]
        if not rest:
            raise InputError("the file has no text column besides the date and the label")
        text_col = max(rest, key=lambda c: df[c].astype(str).str.len().mean())
    return [Row(date=str(d), label=str(lab), text=str(t), ref=f"row {i + 2}")
            for i, (d, lab, t) in enumerate(zip(df[date_col], df[label_col], df[text_col], strict=True))]


def draft(components, rows: list[Row], label: str, origin: str, period: Period = "month",
          min_score: float | None = None, since: str | None = None) -> Report8D:
    """The 8D draft for ``label`` in the latest ``period`` of ``rows`` (``since``: in the rows from that day on,
    against those before it)."""
    dated, mine = of_label(rows, label, period)
    if since:
        start = _day(since)
        latest, span = f"since {start}", start

        def recent(p: str, r: Row) -> bool:
            return r.date >= start
    else:
        latest = span = max(p for p, _ in mine)

        def recent(p: str, r: Row) -> bool:
            return p == latest
    now = [r for p, r in mine if recent(p, r)]
    if not now:
        raise InputError(f"no row labelled {label!r} {latest}; its last is {max(r.date for _, r in mine)[:10]}")
    before = [r for p, r in mine if not recent(p, r)]
    n_now = sum(recent(p, r) for p, r in dated)
    words = rising_words([r.text for r in now], [r.text for p, r in dated if not recent(p, r)])
    causes, notes = causes_about(components, label, words, min_score)
    problem = _problem(label, (latest if since else f"in {latest}", span), now, before, n_now, len(dated) - n_now,
                       words)
    return Report8D(label=label, period=latest, origin=origin, words=words, notes=notes,
                    sections=_sections(problem, causes, label),
                    sources=[Source(n=i, citation=c.citation, text=(c.text or c.cause)[:600])
                             for i, c in enumerate(causes, start=1)])


def of_label(rows: list[Row], label: str, period: Period) -> tuple[list[tuple[str, Row]], list[tuple[str, Row]]]:
    """(every dated row, the rows of ``label``) as (period key, row), the row's date written as read; InputError
    when no row has a date or none has the label (naming the labels there are)."""
    from shopfloor.sensors.trends import parse_dates, period_key

    dates = parse_dates([r.date for r in rows])
    dated = [(period_key(d, period), r.model_copy(update={"date": d.strftime("%Y-%m-%d %H:%M")}))
             for d, r in zip(dates, rows, strict=True) if d is not None and d == d]
    if not dated:
        raise InputError("no row has a readable date")
    mine = [(p, r) for p, r in dated if r.label == label]
    if not mine:
        known = sorted({r.label for _, r in dated})
        raise InputError(f"no row is labelled {label!r}; labels: {', '.join(known[:20])}")
    return dated, mine


def rising_words(texts: list[str], history: list[str], top: int = 6) -> list[str]:
    """Words more frequent in ``texts`` than in ``history`` (share of texts holding them, smoothed, over 1.5
    times), found in at least two of ``texts``."""
    def docs(ts: list[str]) -> Counter:
        return Counter(w for t in ts for w in set(re.findall(r"[a-z][a-z0-9-]{2,}", t.lower())) - STOPWORDS)

    now, past = docs(texts), docs(history)
    lift = {w: ((c + 1) / (len(texts) + 2)) / ((past[w] + 1) / (len(history) + 2)) for w, c in now.items() if c >= 2}
    return [w for w, v in sorted(lift.items(), key=lambda x: -x[1]) if v > 1.5][:top]


def causes_about(components, label: str, words: list[str], min_score: float | None) -> tuple[list[Cause], list[str]]:
    """The plant's documents about ``label`` (troubleshooting and FMEA rows, passages; at most 4), cited and above
    the relevance cut-off, and notes on what was not quoted and why."""
    from shopfloor.assistant.pipeline.diagnose import cut_off, find_causes
    from shopfloor.errors import NotBuiltError

    notes: list[str] = []
    try:
        idx = components.index()
    except NotBuiltError as e:
        return [], [str(e)]
    subject = _subject(idx, label)
    if subject is None:
        return [], [f"no document in the index mentions {label!r}: nothing is quoted as its cause or action"]
    query = " ".join([label.replace("_", " "), *words])
    found = find_causes(components, idx, query, None, cut_off(idx, min_score), notes, query, limit=8)
    about = [c for c in found if subject in tokenize(" ".join((c.symptom, c.cause, c.remedy, c.text, c.citation)))]
    if found and not about:
        notes.append(f"the closest entries do not mention {subject!r}: not quoted")
    return about[:4], notes


_GENERIC = {"front", "rear", "left", "right", "upper", "lower", "other", "unknown", "general", "part", "system",
            "issue", "problem", "failure", "defect"}


def _subject(idx, label: str) -> str | None:
    """The label's most specific word (rarest in the documents); None when no document mentions any of them."""
    sections = idx.sections()
    words = [t for t in tokenize(label.replace("_", " ")) if t not in _GENERIC and len(t) > 2] or tokenize(label)
    known = [t for t in words if sections.df.get(t)]
    if len(known) < len(words):  # a word no document uses: nothing in them is about this label
        return None
    return max(known, key=sections.idf) if known else None


def _day(value: str) -> str:
    """``value`` (2022-06-01, 01.06.2022, 20220601) as YYYY-MM-DD; InputError when it is no date."""
    from shopfloor.sensors.trends import parse_dates

    d = parse_dates([value]).iloc[0]
    if d is None or d != d:
        raise InputError(f"--since {value!r} is not a date (e.g. 2022-06-01)")
    return d.strftime("%Y-%m-%d")


def _problem(label: str, when: tuple[str, str], now: list[Row], before: list[Row], n_now: int, n_before: int,
             words: list[str]) -> list[str]:
    """D2 from the rows; ``when``: ("in 2022-12", "2022-12") or ("since 2022-06-01", "2022-06-01")."""
    share = len(now) / n_now if n_now else 0.0
    past = len(before) / n_before if n_before else 0.0
    lines = [f"{len(now)} of {n_now} rows {when[0]} are {label} ({share:.0%}); before {when[1]}: {len(before)} of "
             f"{n_before} ({past:.0%}) [data]."]
    first = min((r.date for r in now), default="")
    last = max((r.date for r in now), default="")
    lines.append(f"First {when[0]}: {first.removesuffix(' 00:00')}; last: {last.removesuffix(' 00:00')} [data].")
    if words:
        lines.append(f"Words more frequent than before: {', '.join(words)} [data].")
    lines += [f"Example ({r.ref}): \"{r.text[:200]}\" [data]." for r in now[:3]]
    return lines


def _cited(c: Cause, n: int, text: str) -> str:
    mark = "" if c.reviewed else "UNREVIEWED DOCUMENT (check before acting): "
    warn = f"{c.safety} " if c.safety else ""
    return f"{warn}{mark}{text} [{n}]."


def _sections(problem: list[str], causes: list[Cause], label: str) -> list[Section]:
    none = f"no entry of your documents about {label} passed the relevance check: for the team to decide"
    contain = [_cited(c, n, c.remedy) for n, c in enumerate(causes, start=1) if c.kind == "troubleshooting" and
               c.remedy]
    roots = [_cited(c, n, c.cause or c.text[:300]) for n, c in enumerate(causes, start=1) if c.cause or c.text]
    fixes = [_cited(c, n, c.remedy) for n, c in enumerate(causes, start=1) if c.remedy]
    prevent = [_cited(c, n, c.controls) for n, c in enumerate(causes, start=1) if c.controls]
    return [Section(key="D1", title="Team", lines=["(for the team to fill in)"]),
            Section(key="D2", title="Problem description", lines=problem),
            Section(key="D3", title="Containment", lines=contain or [none]),
            Section(key="D4", title="Root-cause candidates", lines=roots or [none]),
            Section(key="D5/D6", title="Corrective actions", lines=fixes or [none]),
            Section(key="D7", title="Prevention (current controls)", lines=prevent or [none]),
            Section(key="D8", title="Closure", lines=["(for the team to fill in)"])]
