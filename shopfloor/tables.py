"""Reading a plant's CSV files as they come: separator and encoding sniffed (ground floor: any package may use it)."""

from __future__ import annotations

from pathlib import Path

SEPARATORS = ",;\t|"


def csv_format(path: str | Path) -> tuple[str, str, str | None]:
    """(separator, encoding, note) of a CSV: ``,`` ``;`` tab or ``|`` found in the first 64 KB; UTF-8, or
    Windows-1252 when the bytes are not UTF-8 (with a note saying so, since a guessed encoding can be wrong)."""
    with Path(path).open("rb") as f:
        head = f.read(1 << 16)
    try:
        text, encoding, note = head.decode("utf-8-sig"), "utf-8-sig", None
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 4:  # a multi-byte character cut at the 64 KB boundary
            text, encoding, note = head[:e.start].decode("utf-8-sig"), "utf-8-sig", None
        else:
            text, encoding = head.decode("cp1252", errors="replace"), "cp1252"
            note = f"{Path(path).name} is not UTF-8: read as Windows-1252 (cp1252); check accented letters"
    if Path(path).suffix.lower() == ".tsv":
        return "\t", encoding, note
    return _separator(text), encoding, note


def _separator(text: str) -> str:
    """The candidate separator found the same number of times (>= 1) on the most lines, header included;
    quoted cells are ignored, so a ';' inside "..." does not count. Ties go to the comma."""
    import re

    lines = [re.sub(r'"[^"]*"', "", ln) for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", 0.0
    for sep in SEPARATORS:
        n = lines[0].count(sep)
        if n == 0:
            continue
        score = sum(ln.count(sep) == n for ln in lines) / len(lines)
        if score > best_score:
            best, best_score = sep, score
    return best


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell that a spreadsheet will show, never run: text starting with ``= + - @`` (or tab / CR) gets a
    leading apostrophe (OWASP CSV injection); numbers, and text that is a plain number ("-5", "+3.2"), stay as
    they are. Example: ``safe_cell("=HYPERLINK(...)") == "'=HYPERLINK(...)"``."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value


def safe_frame(df):
    """The frame with every text cell passed through :func:`safe_cell` (numeric columns untouched)."""
    import pandas as pd

    out = df.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].map(safe_cell)
    return out


def safe_row(row):
    """A CSV row (list or dict) with every cell passed through :func:`safe_cell`."""
    if isinstance(row, dict):
        return {k: safe_cell(v) for k, v in row.items()}
    return [safe_cell(v) for v in row]


def ragged_rows(path: str | Path, sep: str, encoding: str, limit: int = 10) -> tuple[int, list[tuple[int, int]]]:
    """(fields in the header, [(line number, fields)] of up to ``limit`` rows with another count).

    A row with an unquoted separator in a cell has one field too many; pandas would then shift every column
    of the file (or take the first as an index) and report success. Blank lines are skipped; line numbers
    count from 1 with the header as line 1 (a quoted cell spanning lines counts as the line it starts on).
    """
    import csv

    bad: list[tuple[int, int]] = []
    with Path(path).open(encoding=encoding, newline="", errors="replace") as f:
        reader = csv.reader(f, delimiter=sep)
        header = next(reader, [])
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            if row and any(c.strip() for c in row) and len(row) != len(header):
                bad.append((start, len(row)))
                if len(bad) >= limit:
                    break
    return len(header), bad
