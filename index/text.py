"""Keyword tokenisation that keeps part numbers and error codes whole and expands shop-floor shorthand.

"E-42" stays one token (and also yields "e42"), "brg" also yields "bearing", so a keyword search
finds what technicians type and what manuals print.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[a-z0-9]+(?:[-./][a-z0-9]+)*")

ABBREVIATIONS = {
    "brg": "bearing", "brgs": "bearings", "mtr": "motor", "hyd": "hydraulic", "temp": "temperature",
    "vib": "vibration", "lkg": "leaking", "lk": "leak", "chk": "check", "repl": "replace", "pmp": "pump",
    "spndl": "spindle", "conv": "conveyor", "comp": "compressor", "filt": "filter", "nse": "noise",
    "press": "pressure", "assy": "assembly", "elec": "electrical", "lube": "lubrication", "o/h": "overheating",
    "sw": "switch", "xfmr": "transformer", "vfd": "drive", "pb": "pushbutton", "rpm": "speed",
}

STOPWORDS = frozenset("a an and are as at be by for from has have how i in is it its my of on or our so that the "
                      "their then there this to was we what when where which who why will with you your do does "
                      "can should".split())


_SUFFIXES = ("ations", "ation", "ates", "ated", "ing", "ers", "ed", "es", "er", "s")


def stem(tok: str) -> str:
    """A light suffix stripper ("cavitates", "cavitation" -> "cavit"); codes and short words stay as they are."""
    if len(tok) <= 4 or not tok.isalpha():
        return tok
    for suf in _SUFFIXES:
        if tok.endswith(suf) and len(tok) - len(suf) >= 4:
            return tok[: -len(suf)]
    return tok


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")


def cjk_tokens(text: str) -> list[str]:
    """Character bigrams of Chinese, Japanese and Korean runs (written without spaces), and single characters
    of one-character runs: "液压泵漏油" -> 液压 压泵 泵漏 漏油."""
    out: list[str] = []
    for run in _CJK.findall(text):
        out += [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
    return out


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens, codes kept whole plus their joined form, shorthand expanded, stopwords dropped;
    Chinese, Japanese and Korean text as character bigrams."""
    out: list[str] = cjk_tokens(text)
    for tok in _TOKEN.findall(text.lower()):
        if tok in STOPWORDS:
            continue
        out.append(stem(tok))
        if "-" in tok or "." in tok or "/" in tok:
            out.append(re.sub(r"[-./]", "", tok))
            out.extend(p for p in re.split(r"[-./]", tok) if len(p) > 1 and p not in STOPWORDS)
        if tok in ABBREVIATIONS:
            out.append(stem(ABBREVIATIONS[tok]))
    return out


def expand_query(text: str) -> str:
    """The query with shorthand spelled out beside it, for the embedder ("brg nse" -> "brg bearing nse noise")."""
    words = []
    for w in text.split():
        words.append(w)
        full = ABBREVIATIONS.get(w.lower().strip(".,;:!?"))
        if full:
            words.append(full)
    return " ".join(words)


def text_problem(text: str) -> str | None:
    """Why extracted text is not fit to quote (words run together, replacement characters), or None.

    PDF extractors lose spaces on some fonts ("Thepackagenamesare...") and map glyphs to U+FFFD
    when a font has no Unicode table; such text is indexed (a keyword may still find it) but marked.
    """
    body = text.strip()
    if len(body) < 80:
        return None
    bad = body.count("\ufffd") + body.count("\x00")
    if bad / len(body) > 0.01:
        return f"{bad} unreadable characters (the PDF's fonts have no text mapping)"
    words = body.split()
    letters = sum(ch.isalpha() for ch in body)
    if letters and any("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in body[:400]):
        return None  # Chinese, Japanese and Korean are written without spaces
    # letters in runs no English word reaches; identifiers (gmoccapy.jog.jog-velocity) and versions split at
    # their dots and dashes. pypdf's run-together pages: 29-68 % of letters; pdfium's text of the same: <= 1.5 %.
    runs = sum(len(r) for w in words if not w.startswith(("http", "www")) for r in _LONG_RUN.findall(w))
    if runs / max(letters, 1) > 0.15:
        return "words run together without spaces"
    return None


_LONG_RUN = re.compile(r"[^\W\d_]{22,}")


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with "…" when something was cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"
