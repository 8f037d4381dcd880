"""Classifying whole files: CSV streamed in chunks (50k rows never sit in memory as tensors at once), XLSX,
with a progress bar, the input never overwritten, and an optional Ray Data engine.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from shopfloor.errors import InputError
from shopfloor.finetune.data import check_columns, read_table
from shopfloor.tables import safe_frame

if TYPE_CHECKING:
    import pandas as pd

    from shopfloor.finetune.predict import TextClassifier

log = logging.getLogger(__name__)
Engine = Literal["local", "ray"]
Flagged = Callable[[list[tuple[str, str, float]]], None]  # (text, label, confidence) of rows needing review
# every labelled row: (text, label, confidence, needs review, the row's date cell or None)
Labelled = Callable[[list[tuple[str, str, float, bool, str | None]]], None]


def output_path(input_path: Path, output: str | Path | None) -> Path:
    out = Path(output) if output else input_path.with_name(f"{input_path.stem}.classified{input_path.suffix}")
    if out.resolve() == input_path.resolve():
        raise InputError(f"output {out} is the input file; choose another --output (the input is never overwritten)")
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"output must be .csv or .xlsx, got {out.name}")
    if not out.parent.is_dir():
        raise InputError(f"output folder {out.parent} does not exist; create it or choose another --output")
    if not os.access(out.parent, os.W_OK):
        raise InputError(f"output folder {out.parent} is not writable; choose another --output")
    return out


def label_frame(clf: TextClassifier, df: pd.DataFrame, text_col: str) -> pd.DataFrame:
    """``df`` with the prediction columns appended (names suffixed ``_pred`` if the input already has them)."""
    preds = clf.predict(df[text_col].fillna("").astype(str).tolist())
    cols = {"label": [p.label for p in preds], "confidence": [round(p.confidence, 4) for p in preds],
            "needs_review": [p.needs_review for p in preds], "review_reason": [p.reason or "" for p in preds]}
    for k in range(2):
        cols[f"alt{k + 1}_label"] = [p.alternatives[k][0] if len(p.alternatives) > k else "" for p in preds]
        cols[f"alt{k + 1}_confidence"] = [round(p.alternatives[k][1], 4) if len(p.alternatives) > k else None
                                          for p in preds]
    out = df.copy()
    for name, values in cols.items():
        out[name if name not in df.columns else f"{name}_pred"] = values
    return out


def classify_file(clf: TextClassifier, input_path: str | Path, text_col: str, output: str | Path | None = None,
                  engine: Engine = "local", chunk_rows: int = 2000, progress: bool = True,
                  on_flagged: Flagged | None = None, on_rows: Callable[[int], None] | None = None,
                  sheet: str | None = None, on_labelled: Labelled | None = None, date_col: str | None = None) -> dict:
    """Label every row of a CSV/XLSX file; returns a summary (rows, review count, label counts, output path,
    notes on how the file was read).

    CSV separators (``,`` ``;`` tab ``|``) are sniffed and a file that is not UTF-8 is read as Windows-1252
    with a note; ``sheet`` picks an XLSX sheet (default the first).

    ``on_flagged`` receives each chunk's rows that need review as they are labelled (the review queue
    is fed from memory; nothing is read back from the output file); ``on_labelled`` every row, with the cell of
    ``date_col`` when given (the plant's own date, for trends); ``on_rows`` the number of rows done.
    """

    input_path = Path(input_path)
    if not input_path.is_file():
        raise InputError(f"file not found: {input_path}")
    if input_path.stat().st_size == 0:
        raise InputError(f"{input_path} is empty (0 bytes): nothing to classify")
    out = output_path(input_path, output)  # checked before any work: a read-only folder fails here, not at the end
    notes = _read_notes(input_path, sheet)
    t0 = time.perf_counter()
    tmp = out.with_name(out.name + ".part")
    try:
        counts, n_review, n = _label_into(clf, input_path, text_col, out, tmp, engine, chunk_rows, progress,
                                          _Feeds(on_flagged, on_labelled, date_col), on_rows, sheet)
        tmp.replace(out)  # a crash mid-run never leaves a half-written output under the final name
    finally:
        tmp.unlink(missing_ok=True)  # interrupted or failed: no .part file left behind
    secs = time.perf_counter() - t0
    return {"rows": n, "needs_review": n_review, "label_counts": dict(counts.most_common()), "output": str(out),
            "seconds": round(secs, 2), "rows_per_s": round(n / secs, 1), "engine": engine, "notes": notes}


def _read_notes(path: Path, sheet: str | None) -> list[str]:
    from shopfloor.finetune.data import csv_format, sheets

    if path.suffix.lower() == ".csv":
        from shopfloor.tables import ragged_rows

        sep, encoding, note = csv_format(path)
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
        width, bad = ragged_rows(path, sep, encoding)
        if bad:  # refused before any work: a shifted column would label the wrong text and lose ids
            raise InputError(f"{path.name}: the header has {width} columns but line(s) "
                             + ", ".join(f"{ln} ({n})" for ln, n in bad)
                             + f" do not; a cell holding a {names[sep]} must be in double quotes. Nothing was "
                             "classified.")
        return ([note] if note else []) + ([f"columns separated by {names[sep]}s"] if sep != "," else [])
    if path.suffix.lower() in (".xlsx", ".xls"):
        in_book = sheets(path)
        if sheet and sheet not in in_book:
            raise InputError(f"{path}: no sheet {sheet!r}; sheets are {in_book}")
        return [f"sheet {sheet or in_book[0]!r} of {in_book}"] if len(in_book) > 1 else []
    return []


class _Feeds:
    """Where each labelled chunk's rows go besides the output file: the unsure ones, every one (with its date)."""

    def __init__(self, flagged: Flagged | None, labelled: Labelled | None, date_col: str | None) -> None:
        self.flagged, self.labelled, self.date_col = flagged, labelled, date_col

    def columns(self, text_col: str) -> list[str]:
        return [text_col] + ([self.date_col] if self.date_col and self.labelled is not None else [])

    def feed(self, labelled, text_col: str, lab: str, rev: str) -> None:
        if self.flagged is None and self.labelled is None:
            return
        conf = "confidence" if "confidence_pred" not in labelled.columns else "confidence_pred"
        texts, labels = labelled[text_col].astype(str), labelled[lab].astype(str)
        confs, unsure = labelled[conf].astype(float), labelled[rev].astype(bool)
        if self.flagged is not None:
            self.flagged([(t, a, c) for t, a, c, u in zip(texts, labels, confs, unsure, strict=True) if u])
        if self.labelled is not None:
            dates = labelled[self.date_col].astype(str) if self.date_col else [None] * len(labelled)
            self.labelled(list(zip(texts, labels, confs, (bool(u) for u in unsure), dates, strict=True)))


def _label_into(clf: TextClassifier, input_path: Path, text_col: str, out: Path, tmp: Path, engine: Engine,
                chunk_rows: int, progress: bool, feeds: _Feeds,
                on_rows: Callable[[int], None] | None, sheet: str | None = None) -> tuple[Counter, int, int]:
    from tqdm.auto import tqdm

    counts: Counter = Counter()
    n_review, n = 0, 0
    frames = _chunks(input_path, feeds.columns(text_col), chunk_rows, sheet)
    bar = tqdm(desc=f"classify {input_path.name}", unit="row", disable=not progress)
    labelled_all = []
    for i, df in enumerate(f for f in frames if len(f)):  # a header-only CSV gives one empty frame
        labelled = ray_label(clf, df, text_col) if engine == "ray" else label_frame(clf, df, text_col)
        lab = "label" if "label_pred" not in labelled.columns else "label_pred"
        rev = "needs_review" if "needs_review_pred" not in labelled.columns else "needs_review_pred"
        counts.update(labelled[lab])
        n_review += int(labelled[rev].sum())
        feeds.feed(labelled, text_col, lab, rev)
        n += len(labelled)
        labelled = safe_frame(labelled)  # cells a spreadsheet would run (=, +, -, @) are written as text
        if out.suffix.lower() == ".csv":
            labelled.to_csv(tmp, mode="w" if i == 0 else "a", header=i == 0, index=False)
        else:
            labelled_all.append(labelled)
        bar.update(len(df))
        if on_rows is not None:
            on_rows(n)
    bar.close()
    if n == 0:
        raise InputError(f"{input_path}: no rows to classify")
    if labelled_all:
        import pandas as pd

        pd.concat(labelled_all).to_excel(tmp, index=False, engine="openpyxl")
    return counts, n_review, n


def estimate_rows(path: str | Path) -> int:
    """Rows in a CSV (lines minus the header: cells spanning lines make it an overestimate) or an XLSX sheet."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open("rb") as f:
            return max(sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1, 0)
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        return max((wb.active.max_row or 1) - 1, 0)
    except Exception:  # noqa: BLE001 - only an estimate for a progress bar; the real read reports problems
        return 0


def _chunks(path: Path, columns: list[str], chunk_rows: int, sheet: str | None = None):
    import pandas as pd

    if path.suffix.lower() == ".csv":
        from shopfloor.finetune.data import csv_format

        sep, encoding, _ = csv_format(path)
        try:
            reader = pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunk_rows, sep=sep,
                                 encoding=encoding)
            for df in reader:
                check_columns(df, columns, path)
                yield df
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
            raise InputError(f"{path}: cannot read CSV ({e})") from None
        return
    df = read_table(path, columns, sheet=sheet)
    for s in range(0, len(df), chunk_rows):
        yield df.iloc[s:s + chunk_rows]


def ray_label(clf, df: pd.DataFrame, text_col: str) -> pd.DataFrame:
    """The same labelling on Ray Data: ``map_batches`` over an actor pool, each actor loading the model once."""
    import ray

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    folder = str(clf.folder)

    class _Labeler:
        def __init__(self):
            from shopfloor.finetune.predict import Classifier

            self.clf = Classifier.load(folder)

        def __call__(self, batch):
            return label_frame(self.clf, batch, text_col)

    ds = ray.data.from_pandas(df.reset_index(drop=True))
    return ds.map_batches(_Labeler, batch_size=256, batch_format="pandas", concurrency=2, num_cpus=1).to_pandas()
