"""Read documents into chunks: Markdown, text, HTML, PDF (page numbers kept), CSV/XLSX (one record per row).

A file that yields no text (a scanned PDF without a text layer, an empty file) is reported in
``IngestReport.skipped`` with the reason, never silently dropped.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from shopfloor.errors import InputError
from shopfloor.index.chunk import Chunk, chunk_markdown, split_text
from shopfloor.index.config import IndexConfig

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text", ".html", ".htm", ".pdf"}
TABLE_SUFFIXES = {".csv", ".xlsx", ".xls"}
SUFFIXES = TEXT_SUFFIXES | TABLE_SUFFIXES
_MACHINE_ID = re.compile(r"\b([A-Z]{1,4}-?\d{2,4})\b")


@dataclass
class IngestReport:
    files: int = 0
    chunks: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


MAX_FILE_MB = 100


def discover(paths: list[Path]) -> dict[str, Path]:
    """Supported files under ``paths`` keyed by their source name (path relative to the folder given).

    Symlinks that point outside the folder are not followed (a docs folder cannot pull in /etc).
    """
    found: dict[str, Path] = {}
    for p in map(Path, paths):
        if not p.exists():
            raise InputError(f"document path not found: {p}")
        if p.is_file():
            if p.suffix.lower() not in SUFFIXES:
                raise InputError(f"unsupported file type {p.suffix!r} ({p}); supported: {sorted(SUFFIXES)}")
            found[p.name] = p.resolve()
        else:
            base = p.resolve()
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith((".", "~$")):
                    if not f.resolve().is_relative_to(base):
                        log.warning("not following %s: it links outside %s", f, p)
                        continue
                    found[f.relative_to(p).as_posix()] = f.resolve()
    return found


def read_chunks(source: str, path: Path, cfg: IndexConfig) -> list[Chunk]:
    """All chunks of one file. Raises InputError when the file has no extractable text."""
    suffix = path.suffix.lower()
    size_mb = path.stat().st_size / 1e6
    if size_mb > MAX_FILE_MB:
        raise InputError(f"{source}: {size_mb:.0f} MB is over the {MAX_FILE_MB} MB limit per file; split it")
    if suffix in TABLE_SUFFIXES:
        chunks = _table_chunks(source, path, cfg)
    elif suffix == ".pdf":
        chunks = _pdf_chunks(source, path, cfg)
    else:
        text = _read_text(source, path)
        if suffix in (".html", ".htm"):
            text = html_to_markdown(text)
        meta = _machine_meta(source, text)
        chunks = chunk_markdown(text, source, cfg.chunk_chars, cfg.overlap_chars, "manual", meta)
    if not chunks:
        raise InputError(f"{source}: no text found" + (" (a scanned PDF without a text layer? run OCR first)"
                                                        if suffix == ".pdf" else ""))
    return chunks


def _read_text(source: str, path: Path) -> str:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise InputError(f"{source}: looks like a binary file, not text (renamed?)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # old Windows-written manuals


def _machine_meta(source: str, text: str) -> dict:
    m = _MACHINE_ID.search(Path(source).stem) or _MACHINE_ID.search(text[:300])
    return {"machine_id": m.group(1)} if m else {}


def html_to_markdown(html: str) -> str:
    """Headings become '#' lines and table rows '|' lines, so HTML chunks like Markdown."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for bad in soup(["script", "style", "nav", "footer"]):
        bad.decompose()
    lines = []
    for el in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre"]):
        if el.name.startswith("h"):
            lines += ["", "#" * int(el.name[1]) + " " + el.get_text(" ", strip=True), ""]
        elif el.name == "tr":
            cells = [c.get_text(" ", strip=True) for c in el.find_all(["th", "td"])]
            lines.append("| " + " | ".join(cells) + " |")
            if el.find("th") is not None:
                lines.append("|" + "---|" * len(cells))
        elif el.find_parent(["li", "tr"]) is None or el.name == "li":
            lines += [el.get_text(" ", strip=True), ""]
    return "\n".join(lines)


def _pdf_chunks(source: str, path: Path, cfg: IndexConfig) -> list[Chunk]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [(i, page.extract_text() or "") for i, page in enumerate(reader.pages, start=1)]
    except (PdfReadError, ValueError, KeyError) as e:
        raise InputError(f"{source}: unreadable PDF ({e})") from None
    meta = _machine_meta(source, " ".join(t for _, t in pages[:1]))
    out = []
    for page_no, text in pages:
        for piece in split_text(text, cfg.chunk_chars, cfg.overlap_chars):
            out.append(Chunk(piece, source, f"{Path(source).stem} p. {page_no}", page_no, None, "manual", dict(meta)))
    return out


def _table_chunks(source: str, path: Path, cfg: IndexConfig) -> list[Chunk]:
    import pandas as pd

    try:
        df = pd.read_csv(path, dtype=str) if path.suffix.lower() == ".csv" else pd.read_excel(path, dtype=str)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as e:
        raise InputError(f"{source}: cannot read table ({e})") from None
    df = df.fillna("")
    cols = [str(c) for c in df.columns]
    doc_type = _table_type(cols)
    machine_col = next((c for c in cols if re.search(r"machine|asset|equipment", c, re.I)), None)
    date_col = next((c for c in cols if re.search(r"date", c, re.I)), None)
    out = []
    for i, rec in enumerate(df.to_dict("records"), start=1):
        body = "; ".join(f"{k}: {str(v).strip()}" for k, v in rec.items() if str(v).strip())
        if not body:
            continue
        meta = {"columns": {k: str(v) for k, v in rec.items()}}
        if machine_col and rec[machine_col]:
            meta["machine_id"] = str(rec[machine_col]).strip()
        if date_col and rec[date_col]:
            meta["date"] = str(rec[date_col]).strip()[:10]
        for piece in split_text(body, cfg.chunk_chars, cfg.overlap_chars):
            out.append(Chunk(piece, source, f"{Path(source).stem} row {i}", None, i, doc_type, meta))
    return out


def _table_type(cols: list[str]) -> str:
    joined = " ".join(cols).lower()
    if "effect" in joined and ("severity" in joined or "cause" in joined):
        return "fmea"
    return "incident"
