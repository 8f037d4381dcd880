"""Knowledge management: adding documents to the index (with provenance), listing and removing sources.

Callers are the Assistant facade (which checks the role first); every write is audited with the user.
"""

from __future__ import annotations

from pathlib import Path

from shopfloor.errors import InputError, NotBuiltError


def index_config(ws):
    """The settings a workspace index is built with: the embedder from config.yaml, the rest the index's defaults."""
    from shopfloor.index import IndexConfig

    emb = ws.config.embedder
    return IndexConfig(embedder=emb.model, batch_size=emb.batch_size)


def add(components, ws, paths: list[str | Path], user: str) -> dict:
    """Index new or changed documents (building the index if there is none); records who added each."""
    from shopfloor.db import audit, record_documents
    from shopfloor.index import Index
    from shopfloor.index.ingest import discover

    if not paths:
        raise InputError("choose one or more files to add")
    try:
        report = components.index().add(paths, progress=False)
    except NotBuiltError:
        report = Index.build(paths, ws.index_dir, index_config(ws), progress=False).last_report
    skipped = {s for s, _ in report.skipped}
    with ws.connect() as conn:
        record_documents(conn, {s: f for s, f in discover(paths).items() if s not in skipped}, user)
        audit(conn, user, "upload", ", ".join(Path(p).name for p in paths))
    return {"files": report.files, "chunks": report.chunks, "skipped": report.skipped, "tables": report.tables,
            "warnings": report.warnings}


def sources(components) -> list[dict]:
    """The indexed sources with their type and chunk count ([] before the index exists)."""
    try:
        return components.index().sources()
    except NotBuiltError:
        return []


def remove(components, ws, source: str, user: str) -> int:
    """Remove one source from the index; returns the number of chunks removed."""
    from shopfloor.db import audit

    if not source:
        raise InputError("pick the source to remove")
    n = components.index().remove(source)
    with ws.connect() as conn:
        audit(conn, user, "remove", source)
    return n
