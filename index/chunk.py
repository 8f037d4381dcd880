"""Structure-aware chunking: sections by heading path, one chunk per table row, bounded size with overlap."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopfloor.index.tables import RowView

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TABLE_SEP = re.compile(r"^\|?\s*:?-{2,}")


@dataclass
class Chunk:
    """A retrievable piece of a document, with everything needed to cite it."""

    text: str
    source: str
    section: str = ""
    page: int | None = None
    row: int | None = None
    doc_type: str = "manual"
    metadata: dict = field(default_factory=dict)

    @property
    def table(self) -> RowView | None:
        """The row read by its columns' roles, or None for prose."""
        from shopfloor.index.tables import RowView

        return RowView.of(self.metadata, self.doc_type)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.section}\n{self.text}".encode()).hexdigest()[:16]

    @property
    def embed_text(self) -> str:
        """What the embedder reads: the heading path gives a short chunk its context.

        A table row with column roles is read by what it describes (component, failure mode or symptom,
        effect, cause, free text): ratings, ids, dates and costs only dilute a sentence embedding, and a
        technician's log describes the failure, not its RPN.
        """
        described = _described(self.metadata) if isinstance(self.metadata, dict) else ""
        if described:
            return described
        return f"{self.section}: {self.text}" if self.section else self.text


_DESCRIPTIVE = ("subsystem", "component", "machine", "failure_mode", "symptom", "text", "effect", "cause")


def _described(meta: dict) -> str:
    roles, cols = meta.get("roles"), meta.get("columns")
    if not roles or not cols:
        return ""
    parts = [str(cols.get(c, "")).strip() for role in _DESCRIPTIVE for c, r in roles.items() if r == role]
    return ". ".join(p for p in parts if p)


def split_text(text: str, max_chars: int, overlap: int) -> list[str]:
    """Split on paragraph, then sentence boundaries; pieces over ``max_chars`` are cut with ``overlap``."""
    text = text.strip()
    if len(text) <= max_chars:
        return [text] if text else []
    pieces, current = [], ""
    for sent in re.split(r"(?<=[.!?])\s+|\n{2,}", text):
        if current and len(current) + len(sent) + 1 > max_chars:
            pieces.append(current)
            current = current[-overlap:] + " " + sent if overlap else sent
        else:
            current = f"{current} {sent}".strip()
        while len(current) > max_chars:  # one sentence longer than a chunk
            pieces.append(current[:max_chars])
            current = current[max_chars - overlap:]
    if current.strip():
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def _table_rows(lines: list[str]) -> list[dict[str, str]]:
    cells = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines]
    if len(cells) < 2 or not _TABLE_SEP.match(lines[1].strip()):
        return [{"text": " | ".join(r)} for r in cells]
    header = cells[0]
    return [dict(zip(header, r, strict=False)) for r in cells[2:]]


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(?:[^\n]*\n){0,40}?---[ \t]*\n")


def strip_front_matter(text: str) -> str:
    """A Markdown file without its YAML front matter (title, author, date, version, tags: metadata, never an
    answer to quote)."""
    m = _FRONT_MATTER.match(text)
    return text[m.end():] if m and re.search(r"^\w[\w-]*:", m.group(0)[3:], re.M) else text


def chunk_markdown(text: str, source: str, max_chars: int, overlap: int, doc_type: str = "manual",
                   metadata: dict | None = None, page: int | None = None) -> list[Chunk]:
    """Chunks of a Markdown document; each carries its heading path ("Manual > Troubleshooting")."""
    text = strip_front_matter(text)
    path: list[str] = []
    out: list[Chunk] = []
    para: list[str] = []
    table: list[str] = []
    meta = metadata or {}
    lead: list = []  # [depth, text]: a lead-in ("Reduce chatter with:") carried into the subsections it announces

    def section() -> str:
        return " > ".join(path)

    def flush_para() -> None:
        body = "\n".join(para)
        if lead and body.strip() and len(path) > lead[0]:
            body = f"{lead[1]}\n{body}"
        for piece in split_text(body, max_chars, overlap):
            out.append(Chunk(piece, source, section(), page, None, doc_type, dict(meta)))
        para.clear()

    def flush_table() -> None:
        from shopfloor.index.tables import map_columns, table_kind

        rows = _table_rows(table)
        header = list(rows[0]) if rows and "text" not in rows[0] else []
        roles = map_columns(header) if header else {}
        extra = {"roles": roles, "table_kind": table_kind(roles, len(rows))} if roles else {}
        for i, row in enumerate(rows, start=1):
            body = "; ".join(f"{k}: {v}" for k, v in row.items() if v) if "text" not in row else row["text"]
            for piece in split_text(body, max_chars, overlap):
                out.append(Chunk(piece, source, section(), page, i, doc_type, {**meta, "columns": row, **extra}))
        table.clear()

    for line in text.splitlines():
        m = _HEADING.match(line)
        if line.lstrip().startswith("|"):
            if para:
                flush_para()
            table.append(line)
            continue
        if table:
            flush_table()
        if m:
            level = len(m.group(1))
            body = "\n".join(para).strip()
            if body.endswith(":") and len(body) < 300 and level > len(path):  # a lead-in to the subsections
                lead[:] = [len(path), body]
                para.clear()
            else:
                flush_para()
            if lead and level <= lead[0]:  # left the section the lead-in belongs to
                lead.clear()
            path[:] = path[: level - 1] + [m.group(2).strip()]
        else:
            para.append(line)
    if table:
        flush_table()
    flush_para()
    return out
