"""Reading labelled tables (CSV/XLSX) and splitting them without losing rare classes."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from shopfloor.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


from shopfloor.tables import SEPARATORS, csv_format  # noqa: F401  (re-exported: older imports)


def sheets(path: str | Path) -> list[str]:
    """The sheet names of an XLSX workbook (the first is what is read by default)."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as e:
        raise InputError(f"{path}: cannot read workbook ({e})") from None
    return list(wb.sheetnames)


def read_table(path: str | Path, usecols: list[str] | None = None, sheet: str | None = None) -> pd.DataFrame:
    """A CSV (separator and encoding sniffed) or XLSX file (``sheet``, default the first) as strings; clear
    errors for missing files, bad formats, unknown sheets and missing columns."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError(f"file not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            sep, encoding, _ = csv_format(path)
            df = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding=encoding)
        elif suffix in (".xlsx", ".xls"):
            names = sheets(path) if sheet else []
            if sheet and sheet not in names:
                raise InputError(f"{path}: no sheet {sheet!r}; sheets are {names}")
            df = pd.read_excel(path, dtype=str, keep_default_na=False, sheet_name=sheet or 0)
        else:
            raise InputError(f"{path}: unsupported table type {suffix!r}; use .csv or .xlsx")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as e:
        raise InputError(f"{path}: cannot read table ({e})") from None
    check_columns(df, usecols or [], path)
    return df


def check_columns(df: pd.DataFrame, cols: list[str], path: str | Path) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"{path}: column(s) {missing} not found; columns are {list(df.columns)}")


def load_labelled(paths: Sequence[str | Path], text_col: str, label_col: str) -> tuple[list[str], list[str]]:
    """(texts, labels) from one or more tables; rows with an empty text or label are dropped."""
    texts, labels = [], []
    for p in paths:
        df = read_table(p, [text_col, label_col])
        for t, y in zip(df[text_col], df[label_col], strict=True):
            if str(t).strip() and str(y).strip():
                texts.append(str(t).strip())
                labels.append(str(y).strip())
    if not texts:
        raise InputError(f"no labelled rows in {[str(p) for p in paths]} (columns {text_col!r}, {label_col!r})")
    return texts, labels


def stratified_split(labels: list[str], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """(train_idx, held_idx): ``fraction`` of each class with >= 3 rows is held out; rarer classes stay in training."""
    rng = random.Random(seed)
    by_class: dict[str, list[int]] = {}
    for i, y in enumerate(labels):
        by_class.setdefault(y, []).append(i)
    train, held = [], []
    for idx in by_class.values():
        rng.shuffle(idx)
        n_held = int(round(len(idx) * fraction)) if len(idx) >= 3 else 0
        held += idx[:n_held]
        train += idx[n_held:]
    return sorted(train), sorted(held)


MIN_CALIB = 20  # held-out rows before a review threshold may let any prediction skip review
SMALL_FRACTION = 0.25  # held out from a small data set (a task trained from its first reviewed rows)


def calibration_split(labels: list[str], fraction: float, seed: int) -> tuple[list[int], list[int], int]:
    """(train_idx, held_idx, rows_needed): ``fraction`` held out, or up to SMALL_FRACTION when that is what it
    takes to hold out MIN_CALIB rows; a set too small even for that trains on every row, holds none out and says
    about how many more labelled rows a held-out slice needs (``rows_needed`` > 0)."""
    for f in dict.fromkeys((fraction, max(fraction, SMALL_FRACTION))):
        train, held = stratified_split(labels, f, seed)
        if len(held) >= MIN_CALIB:
            return train, held, 0
    return list(range(len(labels))), [], max(1, math.ceil(MIN_CALIB / SMALL_FRACTION) - len(labels))


def class_weights(labels: list[str], classes: list[str], mode: str) -> list[float]:
    """Inverse square-root frequency weights, mean 1 over the rows (mode "none": all 1)."""
    if mode == "none":
        return [1.0] * len(classes)
    counts = Counter(labels)
    raw = [(len(labels) / max(counts.get(c, 1), 1)) ** 0.5 for c in classes]
    mean = sum(raw[classes.index(y)] for y in labels) / len(labels)
    return [w / mean for w in raw]
