"""Whether the retrieved text answers the question, and which piece of it to show.

Retrieval finds the right passage (recall@5 0.96 on the lathe handbook); what failed was quoting the
sentences nearest in words and answering near-topic questions the documents do not cover. Here every
retrieved passage (and every section whose heading names the question's subject) yields candidate extracts
shaped like the question (:mod:`.shape`); the best by topic coverage and similarity is shown when

- it covers enough of the question's topic, terms weighed by rarity in this index (a near-topic question
  about a value the handbook never gives shares its common words, not its rare ones), and
- a value question gets a piece that states a value (a number the question did not name itself) of the
  quantity it names (its word or a unit: a torque question is not answered by a date or a clearance), and
- a how-to question gets a list whose heading or lead-in is about its subject, a table's remedy, or a
  sentence that says to do what was asked ("Prime the pump by ..."), never sentences that only mention the
  subject ("step by step" is a procedure or a refusal), and
- its similarity clears the index's no-answer level by a margin, unless the words leave no doubt (skipped
  for scripts the embedder does not read: MiniLM scores every Chinese pair high, so there only words decide).

The levels (:data:`MIN_COVERAGE`, :data:`SURE_COVERAGE`, :data:`DENSE_MARGIN`, :data:`HOWTO_HEADING`) were
chosen on the dev questions of the lathe handbook and the haul-truck FMEA (benchmarks/data/*_dev_*.jsonl) by
a grid with repeated 2-fold cross-validation; the gain over neighbouring levels was within noise
(+0.01 +- 0.06), so they are round numbers. The untouched test questions were not used.
"""

from __future__ import annotations

import re

from shopfloor.assistant.pipeline.question import Question
from shopfloor.assistant.pipeline.shape import (
    Extract,
    best_lines,
    coverage,
    exact_share,
    list_extracts,
    mentioned,
    of_quantity,
    quote_list,
    states_value,
    value_lines,
)
from shopfloor.assistant.pipeline.words import cell, joined, language
from shopfloor.index.tables import RATINGS

MIN_COVERAGE = 0.4
SURE_COVERAGE = 0.85
DENSE_MARGIN = 0.05
HOWTO_HEADING = 0.2
UNKNOWN_WEIGHT = 0.25
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def weigher(sections):
    """Term weight: its rarity in the index; a term the index never uses counts as rare as one used once."""
    import math

    once = math.log((sections.n_docs + 1) / 1.5)

    def weigh(t: str) -> float:
        return sections.idf(t) if sections.df.get(t) else UNKNOWN_WEIGHT * once

    return weigh


def candidates(q: Question, hits: list, sections, row_quote, similarity=None) -> list[Extract]:
    """Every extract the hits and the heading-matched sections offer, each with its coverage; ``similarity(ids)``
    gives a section found by its heading the similarity of its best chunk (else it counts 0)."""
    from shopfloor.index.sections import is_navigation

    weigh = weigher(sections)
    out: list[Extract] = []
    seen: set[tuple[str, str]] = set()
    dense_of: dict[tuple[str, str], float] = {}
    for h in hits:
        key = (h.source, h.section)
        dense_of[key] = max(dense_of.get(key, 0.0), h.dense_score)
        if h.row is not None:
            quote = _asked_row(q, h) or row_quote(h) or h.text
            e = _extract(q, [quote], h.source, h.section, h.citation, f"{h.section} {h.text}", h.dense_score,
                         "row", weigh, h.text, h.page, h)
            e.head = coverage(q, _subject(h), weigh)
            e.bonus = _asked_cells(q, h)
            out.append(e)
    prose = [(h.source, h.section) for h in hits if h.row is None]
    prose += [(s.source, s.path) for s in sections.by_heading(q.terms, match=lambda t, have: mentioned(
        t, have, q.alternatives.get(t, set())))]
    for source, path in prose:
        if (source, path) in seen:
            continue
        seen.add((source, path))
        sec = sections.get(source, path)
        if sec is None or is_navigation(sec.text):
            continue
        dense = dense_of.get((source, path))
        if dense is None:
            dense = similarity(list(sec.ids)) if similarity else 0.0
        out += _section_extracts(q, sec, dense, weigh)
    return out


def _section_extracts(q: Question, sec, dense: float, weigh) -> list[Extract]:
    def make(lines, context, kind):
        e = _extract(q, lines, sec.source, sec.path, sec.citation, f"{sec.path} {context}", dense, kind, weigh,
                     sec.text, sec.page)
        e.head = heading
        return e

    heading = coverage(q, sec.heading, weigh)

    out: list[Extract] = []
    lines = best_lines(q, sec.text)
    if lines:
        out.append(make(lines, " ".join(lines), "sentences"))
    if q.kind in ("howto", "cause", "other"):
        scored = list_extracts(q, sec.path, sec.text, weigh)
        if scored:
            score, b = max(scored, key=lambda s: s[0])
            e = make(quote_list(b, sec.heading), f"{b.lead} {' '.join(b.items)}", "list")
            e.bonus = score - e.coverage
            e.head = coverage(q, f"{sec.heading} {b.lead}", weigh)
            out.append(e)
    if q.kind == "value":
        for _, line in sorted(value_lines(q, sec.text, weigh, sec.heading), key=lambda s: -s[0])[:2]:
            said = line if line == sec.heading or sec.heading.lower() in line.lower() else f"{sec.heading}: {line}"
            out.append(make([said], line, "value"))  # the first line says what the value is of
    return out


def _valued(hit, q: Question) -> str:
    """The text of a table row that can state a value: all of it for a rating question, else the cells that
    are not ratings (every FMEA row has numbers; a torque question is not answered by a severity)."""
    row = hit.table
    if q.rating or row is None:
        return hit.text
    return row.cells((*RATINGS, "id", "date"), exclude=True)


_ASKED = {"cause": ("cause", "remedy"), "howto": ("remedy",), "other": ("effect", "remedy")}


def _asked_cells(q: Question, hit) -> float:
    """A row's fit to the question's kind: 0.1 for each cell of a role it asks for (a "why" wants the cause and
    the remedy, a "how do I" the remedy) that the row fills; an error-code row with a remedy only ranks below
    the troubleshooting row of the same symptom with cause and remedy."""
    row = hit.table
    return 0.1 * row.filled(_ASKED.get(q.kind, ())) if row is not None else 0.0


def _asked_row(q: Question, hit) -> str:
    """A failure row quoted by what the question asks ("what happens if ..." -> its effect), or '' for the
    whole row: the part and failure first, then the asked cells."""
    row = hit.table
    if row is None or not q.asks or q.rating:
        return ""
    lang = language(q.text)
    asks = (*q.asks, "remedy") if "cause" in q.asks and "remedy" not in q.asks else q.asks  # a cause and its fix
    cells = [cell("detected by" if r == "controls" else r, row.get(r), lang) for r in asks if row.get(r)]
    if not cells:
        return ""
    head = row.head()
    return f"{head}: {joined(cells, lang)}" if head else joined(cells, lang)


def _part(hit) -> str:
    """A table row's component cells (subsystem, component, machine): what the row is a failure of."""
    row = hit.table
    return row.part() if row is not None else ""


def _subject(hit) -> str:
    """A table row's cells that say what it is about (component, failure mode, symptom)."""
    row = hit.table
    return row.cells(("subsystem", "component", "machine", "failure_mode", "symptom")) if row is not None else ""


def _extract(q, lines, source, path, citation, context, dense, kind, weigh, full, page, hit=None) -> Extract:
    e = Extract(lines=lines, source=source, path=path, citation=citation, context=context, dense=dense, kind=kind,
                full_text=full, page=page, hit=hit)
    e.coverage = coverage(q, context, weigh)
    e.exact = exact_share(q, context)
    e.has_value = states_value(q, _valued(hit, q) if hit is not None else " ".join(lines))
    e.of_quantity = of_quantity(q, f"{context} {' '.join(lines)}")
    return e


def rank(q: Question, extracts: list[Extract]) -> list[Extract]:
    """Best first: coverage, then the shape the question asks for, then similarity."""
    return sorted(extracts, key=lambda e: score(q, e), reverse=True)


WEIGHTS = {"dense": 0.5, "shaped": 0.15, "bonus": 0.5, "exact": 0.3, "row": 0.1, "no_cause": 0.2}


def score(q: Question, e: Extract, w: dict | None = None) -> float:
    """How well ``e`` answers ``q``: topic coverage, similarity, the shape asked for, words as written.

    The weights were compared on the dev questions (a grid, repeated 2-fold cross-validation): no other set
    beat these out of sample (-0.02 +- 0.02 evidence); "exact" only breaks ties the stemmer makes ("parting"
    and "parts" are both "part")."""
    w = w or WEIGHTS
    shaped = {"howto": "list", "cause": "list", "value": "value"}.get(q.kind) == e.kind
    # a "why" is answered by a row that names a cause before a past incident that only tells what was done
    no_cause = q.kind == "cause" and e.kind == "row" and e.hit is not None and not _cause_of(e.hit)
    return (e.coverage + w["shaped"] * shaped + w["bonus"] * e.bonus + w["dense"] * e.dense + w["exact"] * e.exact
            + w["row"] * (e.kind == "row") - w.get("no_cause", 0.0) * no_cause)


def _cause_of(hit) -> str:
    row = hit.table
    return row.get("cause") if row is not None else ""


def answers(q: Question, e: Extract, threshold: float) -> bool:
    """Whether extract ``e`` answers ``q`` (see the module's rules)."""
    cjk = bool(_CJK.search(q.text))
    if not cjk and e.dense < threshold + DENSE_MARGIN and e.kind != "list" and e.coverage < SURE_COVERAGE:
        return False
    if q.kind == "value" and not (e.has_value and e.of_quantity):
        return False  # no value, or a value of something else (a torque question answered by a date or a speed)
    if q.kind == "howto" and e.kind == "sentences" and not _instructs(q, e.lines):
        return False  # sentences answer a how-to only when one says to do what was asked ("Prime the pump by ...")
    if q.kind == "howto" and e.kind == "list" and e.head < HOWTO_HEADING:
        return False  # a procedure under a heading about something else ("adjust the gibs" -> thread infeed steps)
    return e.coverage >= MIN_COVERAGE


def _instructs(q: Question, lines: list[str]) -> bool:
    """Whether a line tells to do what a how-to asks ("how do i prime the pump" -> "Prime the pump by opening
    V-3"); never for a question asking for the steps themselves (those want a list or a refusal)."""
    from shopfloor.index.text import tokenize

    if q.steps or not q.action:
        return False
    for line in lines:
        words = re.sub(r"^(?:\d+[.)]|[-*])\s*", "", line).split()[:2]
        if words and words[0].lower() == "to":  # "To prime the pump, open V-3"
            words = words[1:]
        stems = tokenize(words[0]) if words else []
        if stems and stems[0] == q.action:
            return True
    return False


def choose(q: Question, hits: list, sections, row_quote, threshold: float, similarity=None) -> list[Extract]:
    """The extracts to show (best first; table rows: up to three about the same part), or [] for a refusal."""
    ranked = [e for e in rank(q, candidates(q, hits, sections, row_quote, similarity)) if answers(q, e, threshold)]
    if not ranked:
        return []
    if ranked[0].kind == "row":  # the other rows about the same part (its other causes or failure modes)
        subject = _part(ranked[0].hit)
        if not subject:  # a troubleshooting table without a component column: each row is its own symptom
            return ranked[:1]
        top = ranked[0].head  # rows about the same part that match the question's failure as well as the first
        return [e for e in ranked if e.kind == "row" and _part(e.hit) == subject and e.head >= top - 0.05][:3]
    return ranked[:1]
