"""Reading JSON-lines files of questions (QA sets, evaluation inputs) with errors that name the line."""

from __future__ import annotations

import json
from pathlib import Path

from shopfloor.errors import InputError


def read_jsonl(path: str | Path, need: tuple[str, ...] = ()) -> list[dict]:
    """The objects of a JSON-lines file, each holding the keys ``need``; blank lines are skipped.

    Raises:
        InputError: a missing file, text that is not UTF-8, a line that is not JSON or lacks a key
        (``file:line: ...``), no rows.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        at = path.read_bytes()[:e.start].count(b"\n") + 1
        raise InputError(f"{path}:{at}: not UTF-8 (byte 0x{e.object[e.start]:02x}); save the file as UTF-8") from None
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{path}:{n}: not JSON ({e.msg})") from None
        missing = [k for k in need if k not in row]
        if missing:
            raise InputError(f"{path}:{n}: missing {', '.join(repr(k) for k in missing)}")
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no rows")
    return rows
