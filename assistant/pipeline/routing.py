"""Cheap, deterministic decisions about a message: is it a pasted log, a status question, which machine?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from shopfloor.machines import match_machine

_STATUS = re.compile(r"\b(status|condition|health|how is|how's|failure probability|remaining (useful )?life|rul|"
                     r"alarms?|control chart|spc|risk)\b", re.I)
_LOG_HINTS = re.compile(r"\b(repl(aced)?|chk|checked|found|op reports|tagged out|leak(ing)?|noise|nse|brg|trip(ped)?|"
                        r"alarm|E-\d+|seized|worn|broken|fault|overheat\w*|vib\w*)\b", re.I)


def find_machine(text: str, known: list[str]) -> str | None:
    """The first known machine id mentioned in any spelling ("P-101", "p101", "P 101")."""
    return match_machine(text, known)


def is_status_question(text: str) -> bool:
    asks = "?" in text or bool(re.match(r"^\s*(status|how is|how's|show)\b", text, re.I))
    return asks and bool(_STATUS.search(text))


def looks_like_log(text: str) -> bool:
    """A pasted maintenance log rather than a question: terse, no question mark, shop-floor vocabulary."""
    t = text.strip()
    if not t or t.endswith("?") or re.match(r"^(what|how|why|when|where|which|who|can|should|is|are|do|does)\b", t, re.I):
        return False
    return len(_LOG_HINTS.findall(t)) >= 1


RouteKind = Literal["status", "diagnose", "ask"]


@dataclass(frozen=True)
class Route:
    """Where a chat message goes, decided once: ``kind``, the machine it names (if any) and the notes the asker
    sees whatever the route (a language note)."""

    kind: RouteKind
    machine: str | None = None
    notes: tuple[str, ...] = ()


def decide(text: str, machines: list[str], can_diagnose: bool, documents_cjk: bool = False) -> Route:
    """The route of a chat message: a status question about a known machine, a pasted log (only for someone who
    may diagnose; a viewer gets the manuals' answer), else a question for the documents."""
    kind = route(text)
    if kind == "diagnose" and not can_diagnose:
        kind = "ask"
    machine = find_machine(text, machines)
    if kind == "status" and not machine:
        kind = "ask"
    # the diagnosis card's classifier reads English only, whatever the plant's documents are written in
    note = language_note(text[:2000], documents_cjk and kind != "diagnose")
    return Route(kind, machine, (note,) if note else ())


def route(text: str) -> RouteKind:
    """'status', 'diagnose' or 'ask'."""
    if is_status_question(text):
        return "status"
    if looks_like_log(text):
        return "diagnose"
    return "ask"


# Function words that are common in one language and rare in English shop-floor text ("die" is left out: tool dies).
_FOREIGN = {"der", "das", "und", "ist", "nicht", "mit", "ein", "eine", "auf", "für", "von", "den", "dem", "wie", "ich",
            "auch", "bei", "oder", "wird", "sind", "macht", "el", "los", "las", "es", "hace", "muy", "con", "por",
            "para", "una", "que", "del", "le", "les", "et", "est", "une", "avec", "pour", "pas", "dans", "sur", "qui",
            "il", "della", "che", "non", "het", "een", "niet", "van", "voor"}
_ENGLISH = {"the", "and", "is", "are", "of", "to", "with", "on", "in", "for", "not", "how", "what", "why", "it", "this",
            "was", "does", "do", "when", "after", "from", "at", "be", "has", "have"}


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def language_note(text: str, documents_cjk: bool = False) -> str | None:
    """A note when ``text`` does not look like English (the classifier and the embedder are English); none for a
    Chinese, Japanese or Korean question when the plant's own documents are written in those scripts (then the
    keyword search reads them, and the embedder's limits are stated once, in the docs)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    letters = "".join(words)
    non_latin = sum(ord(c) > 0x24F for c in letters) / max(len(letters), 1)  # Cyrillic, CJK, Arabic, ...
    cjk = sum(bool(_CJK.match(c)) for c in letters) / max(len(letters), 1)
    if documents_cjk and cjk > 0.3:
        return None
    foreign, english = sum(w in _FOREIGN for w in words), sum(w in _ENGLISH for w in words)
    if non_latin > 0.3 or (foreign >= 2 and foreign > english):
        return ("this does not look like English: the manuals, the classifier and the search work in English, "
                "so results may be poor; rephrase in English if you can")
    return None
