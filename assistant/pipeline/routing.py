"""Cheap, deterministic decisions about a message: is it a pasted log, a status question, which machine?"""

from __future__ import annotations

import re

_ID = re.compile(r"\b([A-Za-z]{1,4})[- ]?(\d{2,4})\b")
_STATUS = re.compile(r"\b(status|condition|health|how is|how's|failure probability|remaining (useful )?life|rul|"
                     r"alarms?|control chart|spc|risk)\b", re.I)
_LOG_HINTS = re.compile(r"\b(repl(aced)?|chk|checked|found|op reports|tagged out|leak(ing)?|noise|nse|brg|trip(ped)?|"
                        r"alarm|E-\d+|seized|worn|broken|fault|overheat\w*|vib\w*)\b", re.I)


def find_machine(text: str, known: list[str]) -> str | None:
    """The first known machine id mentioned in any spelling ("P-101", "p101", "P 101")."""
    canon = {k.replace("-", "").upper(): k for k in known}
    for m in _ID.finditer(text):
        key = (m.group(1) + m.group(2)).upper()
        if key in canon:
            return canon[key]
    return None


def is_status_question(text: str) -> bool:
    asks = "?" in text or bool(re.match(r"^\s*(status|how is|how's|show)\b", text, re.I))
    return asks and bool(_STATUS.search(text))


def looks_like_log(text: str) -> bool:
    """A pasted maintenance log rather than a question: terse, no question mark, shop-floor vocabulary."""
    t = text.strip()
    if not t or t.endswith("?") or re.match(r"^(what|how|why|when|where|which|who|can|should|is|are|do|does)\b", t, re.I):
        return False
    return len(_LOG_HINTS.findall(t)) >= 1


def route(text: str) -> str:
    """'status', 'diagnose' or 'ask'."""
    if is_status_question(text):
        return "status"
    if looks_like_log(text):
        return "diagnose"
    return "ask"
