"""Reading JSON-lines files of questions (QA sets, evaluation inputs) with errors that name the line."""

from __future__ import annotations

import json
from pathlib import Path

from shopfloor.errors import InputError


def read_jsonl(path: str | Path, need: tuple[str, ...] = ()) -> list[dict]:
    """The objects of a JSON-lines file, each holding the keys ``need``; blank lines are skipped.

    Raises:
        InputError: a missing file, a line that is not JSON or lacks a key (``file:line: ...``), no rows.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
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
