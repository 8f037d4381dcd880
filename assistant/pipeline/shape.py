"""The passage that answers, shaped like the question.

A how-to question gets the whole list under the matching heading, in order; a "what causes / why / fix"
question gets the list under the matching lead-in ("**Chattering:**" under "Common Failures and Fixes");
a value question gets the sentence, list item or table cell that states a value; anything else gets the
best sentences. Each candidate is scored by how much of the question's topic it covers (terms weighed by
rarity in the index, looked for in the heading path, the lead-in and the quoted text) and by its
retrieval similarity; whether the best one is good enough to show is :mod:`.answerable`'s decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shopfloor.assistant.pipeline.grounding import _lines, best_sentence_list
from shopfloor.assistant.pipeline.question import Question
from shopfloor.index.text import tokenize

_ITEM = re.compile(r"^\s*(?:[-*+]|(\d+)[.)])\s+(.*)$")
_BOLD_LEAD = re.compile(r"^\s*\*\*([^*]{2,80}?):?\*\*:?\s*$")
_CAUSE_HEAD = {t for w in ("cause causes failure failures fix fixes problem problems trouble troubleshooting "
                           "symptom symptoms issue issues solution solutions remedy remedies error errors "
                           "mistake mistakes").split() for t in tokenize(w)}
_DIGIT = re.compile(r"\d")


@dataclass
class Block:
    """A list with its lead-in, or one paragraph, of a section."""

    lead: str = ""
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    para: str = ""


@dataclass
class Extract:
    """What would be shown: ``lines`` quoted from one place, with what the answerability check needs."""

    lines: list[str]
    source: str
    path: str  # heading path, or a table's section
    citation: str
    context: str  # heading path + lead-in + quoted text: where the question's terms are looked for
    dense: float  # retrieval similarity of the passage it came from
    kind: str  # "list" | "value" | "sentences" | "row"
    coverage: float = 0.0
    has_value: bool = False
    of_quantity: bool = True  # speaks of the quantity a value question names (see of_quantity)
    bonus: float = 0.0  # how well the list's shape fits the question (see list_extracts)
    exact: float = 0.0  # share of the question's topic words found as written ("parting" is not "parts")
    head: float = 0.0  # topic coverage of the heading and lead-in alone (a table row: its subject cells)
    full_text: str = ""  # the passage cited (for the sources list)
    page: int | None = None
    hit: object = None


def blocks(text: str) -> list[Block]:
    """Lists (with their lead-ins) and paragraphs of a section's text, in order."""
    out: list[Block] = []
    pending = ""
    for line in _lines(text):
        m = _ITEM.match(line)
        if m:
            if not out or not out[-1].items or pending:
                out.append(Block(lead=pending, ordered=bool(m.group(1))))
                pending = ""
            out[-1].items.append(m.group(2).replace("**", "").strip())
            continue
        if pending:
            out.append(Block(para=pending))
        b = _BOLD_LEAD.match(line)
        if b or line.rstrip().endswith(":"):
            pending = (b.group(1) if b else line).replace("**", "").strip().rstrip(":")
        elif not line.startswith("#"):
            out.append(Block(para=line.replace("**", "")))
            pending = ""
    if pending:
        out.append(Block(para=pending))
    return out


def coverage(q: Question, text: str, weigh) -> float:
    """Share of the question's topic, by weight, that ``text`` mentions (a synonym, a prefix of four letters
    or more, or one typo in a word of six or more letters counts)."""
    if not q.terms:
        return 0.0
    have = set(tokenize(text))
    total = got = 0.0
    for t in q.terms:
        w = weigh(t)
        total += w
        if mentioned(t, have, q.alternatives.get(t, set())):
            got += w
    return got / total if total else 0.0


def exact_share(q: Question, text: str) -> float:
    """Share of the question's topic words (as written, unstemmed) that ``text`` contains as written, or as the
    start of a longer word ("chatter": "chattering"; but "parting" is not "parts")."""
    if not q.words:
        return 0.0
    have = set(re.findall(r"[a-z0-9]+", text.lower()))
    return sum(w in have or (len(w) >= 5 and any(h.startswith(w) for h in have)) for w in q.words) / len(q.words)


def states_value(q: Question, text: str) -> bool:
    """Whether ``text`` gives a number the question did not name itself ("932 bronze" names one, gives none)."""
    return bool(set(re.findall(r"\d+(?:[.,]\d+)?", text)) - q.numbers)


def of_quantity(q: Question, text: str) -> bool:
    """Whether ``text`` speaks of a quantity the question names (its word or a unit: "torque", "Nm", "ft-lb"); true
    when the question names none."""
    from shopfloor.assistant.pipeline.question import UNITS

    low = text.lower()
    return not q.quantities or any(re.search(UNITS[k], low) for k in q.quantities)


def mentioned(t: str, have: set[str], alternatives: set[str]) -> bool:
    if t in have or alternatives & have:
        return True
    if len(t) >= 4 and t.isalpha() and any(h.startswith(t) or (len(h) >= 4 and t.startswith(h) and len(t) - len(h) <= 3)
                                           for h in have):
        return True
    return len(t) >= 6 and any(len(h) >= 6 and abs(len(h) - len(t)) <= 1 and _one_edit(t, h) for h in have)


def _one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    return any(a == b[:i] + b[i + 1:] for i in range(len(b)))


def list_extracts(q: Question, path: str, text: str, weigh) -> list[tuple[float, Block]]:
    """The lists of a section scored for ``q``: topic coverage of heading, lead-in and items, plus a bonus for a
    numbered list under a how-to question and for a causes/fixes heading or a matching lead-in under a why."""
    heading = path.rsplit(" > ", 1)[-1]
    scored = []
    for b in blocks(text):
        if len(b.items) < 2:
            continue
        cov = coverage(q, f"{path} {b.lead} {' '.join(b.items)}", weigh)
        bonus = 0.0
        if q.kind == "howto":
            bonus += 0.15 * b.ordered + 0.1 * (coverage(q, f"{heading} {b.lead}", weigh) > 0.5)
        if q.kind == "cause":
            bonus += 0.1 * bool(_CAUSE_HEAD & set(tokenize(f"{heading} {b.lead}")))
            bonus += 0.15 * (coverage(q, b.lead, weigh) > 0) if b.lead else 0.0
        scored.append((cov + bonus, b))
    return scored


def quote_list(b: Block, heading: str) -> list[str]:
    """A list as quoted: its lead-in (or the heading) on the first line, then each item on its own line; a short
    lead-in says which heading it is under ("Common Failures and Fixes — Chattering:")."""
    head = (f"{heading} — {b.lead}" if heading and len(b.lead.split()) <= 4 else b.lead) if b.lead else heading
    items = b.items[:15]
    lines = [f"{head}:"] + [f"{i}. {it}" if b.ordered else f"- {it}" for i, it in enumerate(items, start=1)]
    if len(b.items) > len(items):
        lines.append(f"(… {len(b.items) - len(items)} more in the source)")
    return lines


def value_lines(q: Question, text: str, weigh, heading: str = "") -> list[tuple[float, str]]:
    """Sentences and list items of ``text`` (and the heading: "Way Oil (ISO 68)") that state a value (hold a
    digit), scored by topic coverage."""
    pieces = [heading] if heading else []
    for b in blocks(text):
        if b.items:
            pieces += [f"{b.lead}: {it}" if b.lead else it for it in b.items]
            continue
        sentences = re.split(r"(?<=[.!?])\s+", b.para)
        # a short value sentence keeps the one after it ("Typically 10-15 degrees. This allows only ...")
        pieces += [f"{x} {sentences[i + 1]}" if len(x) < 80 and i + 1 < len(sentences) else x
                   for i, x in enumerate(sentences)]
    return [(coverage(q, p, weigh), p.strip()) for p in pieces if _DIGIT.search(p) and len(p.split()) >= 2]


def best_lines(q: Question, text: str, n: int = 4) -> list[str]:
    """The ``n`` sentences sharing most words with the question, in document order (four: the sentence that
    answers is often the one after the sentence that shares the question's words)."""
    return best_sentence_list(text, q.text, n)
