"""Knowledge management: adding documents to the index (with provenance), listing and removing sources.

Callers are the Assistant facade (which checks the role first); every write is audited with the user.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from shopfloor.assistant.pipeline.service import Service
from shopfloor.assistant.policy import DEFAULT_USER, Action, User, requires
from shopfloor.assistant.safety import clean_text
from shopfloor.documents import Record
from shopfloor.errors import InputError, NotBuiltError


class TableReading(BaseModel):
    """How an indexed table's columns were read: the table's kind and each column's role."""

    kind: str = ""
    roles: dict[str, str] = Field(default_factory=dict, description="Column -> role (symptom, cause, remedy, ...).")
    columns: list[str] = Field(default_factory=list)
    filled: int = Field(0, description="Merged (blank, repeated) cells filled from the row above.")


class TextReading(BaseModel):
    """How a document's text was obtained (PDF, scan, photo of a page)."""

    pages: int = 0
    ocr_pages: int = 0
    ocr_confidence_mean: float | None = None
    text_problems: list[str] = Field(default_factory=list)
    readers: dict[str, int] = Field(default_factory=dict, description="Reader (text layer, OCR engine) -> pages.")


class Document(BaseModel):
    """One indexed source as a reader may see it (``GET /api/documents``, the Knowledge tab's table)."""

    source: str
    doc_type: str = ""
    chunks: int = 0
    table: TableReading | None = None
    warnings: list[str] = Field(default_factory=list, description="Indexed, but a person should read these.")
    reviewed: bool = Field(..., description="False for a document added through shopfloor that no engineer has "
                                            "approved: quoted marked as unreviewed, never a next step.")
    provenance: str = Field("", description="Who added it and when (and who approved it).")
    flags: list[str] = Field([], description="Sentences the approver should read first (instructions addressed to "
                                             "the assistant, safety-weakening advice).")
    readers: str = Field("viewer", description="The least role that may read it (documents limited to a higher role "
                                               "are never listed, searched or quoted for a lower one).")

    @property
    def kind(self) -> str:
        """A table's kind from its columns, else the document type."""
        return self.table.kind if self.table is not None and self.table.kind else self.doc_type


class Added(BaseModel):
    """What adding documents did: files and chunks indexed, how each table and scan was read, what to read first."""

    files: int
    chunks: int
    skipped: list[tuple[str, str]] = Field(default_factory=list, description="(source, why) of files not indexed.")
    tables: dict[str, TableReading] = Field(default_factory=dict)
    warnings: list[tuple[str, str]] = Field(default_factory=list, description="(source, problem): indexed, read it.")
    flags: dict[str, list[str]] = Field(default_factory=dict, description="Source -> sentences to read first.")
    texts: dict[str, TextReading] = Field(default_factory=dict)


def index_config(ws):
    """The settings a workspace index is built with: the embedder from config.yaml, the rest the index's defaults."""
    from shopfloor.index import IndexConfig

    emb = ws.config.embedder
    return IndexConfig(embedder=emb.model, batch_size=emb.batch_size)


def add(components, ws, paths: Sequence[str | Path], user: str) -> Added:
    """Index new or changed documents (building the index if there is none); records who added each, before the
    index changes (a document is never trusted for a moment because its record came late)."""
    from shopfloor.db import audit
    from shopfloor.index import Index

    if not paths:
        raise InputError("choose one or more files to add")
    try:
        idx = components.index()
    except NotBuiltError:
        idx = None
    pending = pre_record(ws, idx, paths, user)
    if idx is not None:
        report = idx.add(paths, progress=False)
    else:
        idx = Index.build(paths, ws.index_dir, index_config(ws), progress=False)
        report = idx.last_report
    flags = finish_added(ws, idx, pending)
    with ws.connect() as conn:
        audit(conn, user, "upload", ", ".join(Path(p).name for p in paths))
    return Added(files=report.files, chunks=report.chunks, skipped=report.skipped, warnings=report.warnings,
                 flags=flags, tables={s: TableReading(**t) for s, t in report.tables.items()},
                 texts={s: TextReading(**vars(t)) for s, t in report.texts.items()})


def pre_record(ws, idx, paths, user: str, approved: bool = False) -> dict[str, Path]:
    """Record the files under ``paths`` that are new or changed for ``idx`` (None: no index yet) as added by
    ``user``, unreviewed unless ``approved``, before they are indexed; unchanged files keep their review."""
    from shopfloor.documents import record
    from shopfloor.index.ingest import discover, file_hash

    known = idx.manifest["sources"] if idx is not None else {}
    pending = {s: f for s, f in discover(list(paths)).items() if known.get(s, {}).get("hash") != file_hash(f)}
    with ws.connect() as conn:
        record(conn, pending, user, approved=approved)
    return pending


def finish_added(ws, idx, pending: dict[str, Path]) -> dict[str, list[str]]:
    """After indexing: the review flags of the pending files now indexed (returned, only those with any), and the
    records of pending files the index skipped and never held dropped."""
    from shopfloor.documents import forget, set_flags

    indexed = {s for s in pending if s in idx.manifest["sources"]}
    flags = {s: f for s in indexed if (f := review_flags(idx.texts(s)))}
    with ws.connect() as conn:
        set_flags(conn, flags)
        for s in set(pending) - indexed:
            forget(conn, s)
    return flags


def review_flags(texts: list[str], limit: int = 5) -> list[str]:
    """Sentences an approver must read before trusting a document: ones addressed to the assistant (never
    followed) and ones that weaken a safety step (quoted only behind a warning)."""
    import re

    from shopfloor.assistant.safety import is_instruction, plain, unsafe_reason

    out: list[str] = []
    for sentence in (s.strip() for t in texts for s in re.split(r"(?<=[.!?;。！？；])\s*|\n+", t)):
        if not sentence or len(out) >= limit:
            continue
        shown = plain(sentence)[:200]  # no markup reaches the approver's browser
        if is_instruction(sentence):
            out.append(f"instruction to the assistant (never followed): {shown}")
        elif reason := unsafe_reason(sentence):
            out.append(f"{reason}: {shown}")
    return list(dict.fromkeys(out))


def approve(ws, source: str, user: str):
    """An engineer's approval of an added document: its text may then be a next step and is quoted unmarked."""
    from shopfloor.db import audit
    from shopfloor.documents import approve as approve_record

    if not source:
        raise InputError("pick the document to approve")
    with ws.connect() as conn:
        rec = approve_record(conn, source, user)
        audit(conn, user, "approve_document", source)
    return rec


def sources(components) -> list[Document]:
    """The indexed sources the reader may see with their type, chunk count and review state: ``reviewed``,
    ``provenance`` (who added and approved it), ``flags`` (what an approver should read first) and ``readers``
    (the least role that may read it); [] before the index exists."""
    try:
        found = components.index().sources()
    except NotBuiltError:
        return []
    access = components.access()
    return [Document(**s, readers=access.min_role(s["source"]))  # the manifest's other keys are ignored
            for s in components.trust().annotate(found)]


def restrict(ws, pattern: str, role: str, user: str) -> str:
    """Limit a source, or a folder of them ("contracts/"), to ``role`` and above ("viewer": everyone again);
    audited. Returns what was set, in words."""
    from shopfloor.db import audit
    from shopfloor.documents import restrict as restrict_rule

    pattern = (pattern or "").strip()
    if not pattern:
        raise InputError("name the document (or a folder ending in /) to limit")
    with ws.connect() as conn:
        restrict_rule(conn, pattern, role, user)
        audit(conn, user, "restrict_document", f"{pattern} -> {role}")
    return f"{pattern}: readable by everyone" if role == "viewer" else f"{pattern}: readable by {role} and above"


def remove(components, ws, source: str, user: str) -> int:
    """Remove one source from the index; returns the number of chunks removed."""
    from shopfloor.db import audit

    if not source:
        raise InputError("pick the source to remove")
    from shopfloor.documents import forget

    n = components.index().remove(source)
    with ws.connect() as conn:
        forget(conn, source, user)
        audit(conn, user, "remove", source)
    return n


class Knowledge(Service):
    """``assistant.knowledge``: documents into and out of the index, who may read them, their approval."""

    @requires(Action.upload_document)
    def add(self, paths: Sequence[str | Path], *, user: User = DEFAULT_USER) -> Added:
        """Index new or changed documents; who added each is kept for provenance (and audited)."""
        return add(self.components, self.ws, paths, user.name)

    @requires(Action.ask)
    def sources(self, *, user: User = DEFAULT_USER) -> list[Document]:
        """The indexed sources with their type and chunk count."""
        return sources(self.components.for_role(user.role.value))

    @requires(Action.approve_document)
    def approve(self, source: str, *, user: User = DEFAULT_USER) -> Record:
        """Approve a document added through shopfloor (audited): its text may then be a next step."""
        return approve(self.ws, source, user.name)

    @requires(Action.restrict_document)
    def restrict(self, pattern: str, role: str, *, user: User = DEFAULT_USER) -> str:
        """Limit a document or a folder ("contracts/") to ``role`` and above, in every client (audited)."""
        return restrict(self.ws, clean_text(pattern or ""), role, user.name)

    @requires(Action.remove_document)
    def remove(self, source: str, *, user: User = DEFAULT_USER) -> int:
        """Remove one source from the index (audited); returns the number of chunks removed."""
        return remove(self.components, self.ws, source, user.name)
