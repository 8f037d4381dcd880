"""Read documents into chunks: Markdown, text, HTML, PDF (page numbers kept; scanned pages OCR'd), images of pages
and charts (OCR'd; a photographed table becomes table rows), CSV/XLSX (one record per row).

A file that yields no text (an empty file, a photo without text) is reported in ``IngestReport.skipped`` with the
reason, never silently dropped; how each document's text was obtained is in ``IngestReport.texts``.
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
from shopfloor.index.pages import IMAGE_SUFFIXES, PageText, TextReport

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text", ".html", ".htm", ".pdf"}
TABLE_SUFFIXES = {".csv", ".xlsx", ".xls"}
SUFFIXES = TEXT_SUFFIXES | TABLE_SUFFIXES | IMAGE_SUFFIXES
_MACHINE_ID = re.compile(r"\b([A-Z]{1,4}-?\d{2,4})\b")


@dataclass
class IngestReport:
    files: int = 0
    chunks: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (source, problem): indexed, but read it
    tables: dict[str, dict] = field(default_factory=dict)  # source -> {"kind", "roles", "filled"} for tables
    texts: dict[str, TextReport] = field(default_factory=dict)  # source -> pages, OCR'd pages, problems (PDF, image)
    added: list[str] = field(default_factory=list)  # sources new to the index
    changed: list[str] = field(default_factory=list)  # sources whose content changed (re-indexed)
    removed: list[str] = field(default_factory=list)  # sources gone from a folder indexed before
    unchanged: list[str] = field(default_factory=list)  # same content hash: left as they were


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


MAX_FILE_MB = 100


def discover(paths: list[Path]) -> dict[str, Path]:
    """Supported files under ``paths`` keyed by their source name (path relative to the folder given).

    Symlinks that point outside the folder are not followed (a docs folder cannot pull in /etc), and a symlink
    named directly is refused (``index add notes.md`` where notes.md links to /etc/passwd).
    """
    found: dict[str, Path] = {}
    for p in map(Path, paths):
        if p.is_symlink() and p.is_file():
            raise InputError(f"{p} is a symbolic link (to {p.resolve()}): name the file itself if it should be "
                             "indexed")
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


def read_chunks(source: str, path: Path, cfg: IndexConfig, report: IngestReport | None = None) -> list[Chunk]:
    """All chunks of one file. Raises InputError when the file has no extractable text.

    Tables' layouts (kind and column roles) and text-quality warnings go to ``report`` when given.
    """
    suffix = path.suffix.lower()
    size_mb = path.stat().st_size / 1e6
    if size_mb > MAX_FILE_MB:
        raise InputError(f"{source}: {size_mb:.0f} MB is over the {MAX_FILE_MB} MB limit per file; split it")
    if suffix in TABLE_SUFFIXES:
        chunks = _table_chunks(source, path, cfg, report)
    elif suffix == ".pdf" or suffix in IMAGE_SUFFIXES:
        chunks = _page_chunks(source, path, cfg, report)
    else:
        text = _read_text(source, path)
        if suffix in (".html", ".htm"):
            text = html_to_markdown(text)
        meta = _machine_meta(source, text)
        chunks = chunk_markdown(text, source, cfg.chunk_chars, cfg.overlap_chars, "manual", meta)
    if not chunks:
        raise InputError(f"{source}: no text found" + (" (OCR found none either)" if suffix == ".pdf" or
                                                        suffix in IMAGE_SUFFIXES else ""))
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


def _page_chunks(source: str, path: Path, cfg: IndexConfig, report: IngestReport | None = None) -> list[Chunk]:
    """A PDF's or an image's pages as chunks cited by page; an OCR'd grid as table rows; unfit pages marked."""
    from shopfloor.index.pages import image_pages, pdf_pages

    engine = None if cfg.ocr_engine == "none" else cfg.ocr_engine
    if path.suffix.lower() == ".pdf":
        pages = pdf_pages(source, path, engine, cfg.ocr_min_confidence)  # type: ignore[arg-type]
    else:
        if engine is None:
            raise InputError(f"{source}: an image needs OCR, which this index has switched off (ocr_engine none)")
        pages = image_pages(source, path, engine, cfg.ocr_min_confidence)  # type: ignore[arg-type]
    text_report = TextReport.of(pages)
    meta = _machine_meta(source, " ".join(p.text for p in pages[:1]))
    out: list[Chunk] = []
    for p in pages:
        page_meta = dict(meta)
        if p.confidence is not None:
            page_meta["ocr_confidence"] = p.confidence
        if p.problem and p.text.strip():
            page_meta["text_problem"] = p.problem
        if p.table:
            out += _rows_chunks(source, p.table, cfg, report, page=p.page, extra=page_meta)
            continue
        for piece in split_text(p.text, cfg.chunk_chars, cfg.overlap_chars):
            out.append(Chunk(piece, source, f"{Path(source).stem} p. {p.page}", p.page, None, "manual", page_meta))
    if report is not None:
        report.texts[source] = text_report
        _page_warnings(source, pages, text_report, report)
    return out


def _page_warnings(source: str, pages: list[PageText], rep: TextReport, report: IngestReport) -> None:
    n = len(pages)
    if rep.ocr_pages:
        report.warnings.append((source, f"{rep.ocr_pages} of {n} pages read by OCR (mean confidence "
                                        f"{rep.ocr_confidence_mean:.2f}); quotes from them cite the page"))
    unfit = [p for p in pages if p.problem and p.text.strip()]
    if unfit:
        report.warnings.append((source, f"text of {len(unfit)} of {n} pages is not fit to quote as it stands "
                                        f"({unfit[0].problem}; first: p. {unfit[0].page}): those pages are searchable "
                                        "but quoted only with a 'check the page' mark and never as a remedy"))
    empty = [p.page for p in pages if not p.text.strip()]
    if empty and len(empty) < n:
        report.warnings.append((source, f"{len(empty)} of {n} pages have no text, even by OCR (photos, drawings, "
                                        f"blank pages?; first: p. {empty[0]}): they are not searchable"))


def read_table_rows(source: str, path: Path) -> list[dict[str, str]]:
    """A CSV/XLSX file as rows of stripped strings (header cells named, blank rows dropped)."""
    import pandas as pd

    try:
        if path.suffix.lower() == ".csv":
            try:
                df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
            except UnicodeDecodeError:
                df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp1252")
        else:
            df = pd.read_excel(path, dtype=str).fillna("")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as e:
        raise InputError(f"{source}: cannot read table ({e})") from None
    cols = [str(c).strip() if not str(c).startswith("Unnamed:") else f"column {i + 1}" for i, c in enumerate(df.columns)]
    df.columns = cols
    rows = [{k: _cell(v) for k, v in rec.items()} for rec in df.to_dict("records")]
    return [r for r in rows if any(r.values())]


_BLANKS = {"na", "n/a", "#n/a", "nan", "null", "-", "--"}


def _cell(v) -> str:
    """A table cell as text; spreadsheet spellings of "no value" (NA, #N/A, null, -) become blank."""
    s = str(v).strip()
    return "" if s.lower() in _BLANKS else s


def table_layout(source: str, rows: list[dict[str, str]], cfg: IndexConfig) -> dict:
    """The table's column roles (automatic, with the configured overrides for columns it has) and its kind."""
    from shopfloor.index.tables import map_columns, table_kind

    headers = list(rows[0]) if rows else []
    overrides = {c: r for c, r in cfg.column_roles.items() if c in headers}
    try:
        roles = map_columns(headers, rows, overrides)
    except ValueError as e:
        raise InputError(f"{source}: {e}") from None
    return {"kind": table_kind(roles, len(rows)), "roles": roles, "columns": headers}


def _table_chunks(source: str, path: Path, cfg: IndexConfig, report: IngestReport | None = None) -> list[Chunk]:
    return _rows_chunks(source, read_table_rows(source, path), cfg, report)


def _rows_chunks(source: str, rows: list[dict[str, str]], cfg: IndexConfig, report: IngestReport | None = None,
                 page: int | None = None, extra: dict | None = None) -> list[Chunk]:
    """One chunk per row of a table (a file, or a grid OCR'd from page ``page``), its columns read by role."""
    from shopfloor.index.tables import by_role, fill_down

    layout = table_layout(source, rows, cfg)
    roles, doc_type = layout["roles"], layout["kind"]
    layout["filled"] = fill_down(rows, roles)
    if report is not None:
        report.tables[source] = layout
    out = []
    where = f" p. {page}" if page else ""
    for i, rec in enumerate(rows, start=1):
        body = "; ".join(f"{k}: {v}" for k, v in rec.items() if v)
        meta = {**(extra or {}), "columns": rec, "roles": roles}
        machine, date = by_role(rec, roles, "machine"), by_role(rec, roles, "date")
        if machine:
            meta["machine_id"] = machine.split(" / ")[0]
        if date:
            meta["date"] = date[:10]
        for piece in split_text(body, cfg.chunk_chars, cfg.overlap_chars):
            out.append(Chunk(piece, source, f"{Path(source).stem}{where} row {i}", page, i, doc_type, meta))
    return out
