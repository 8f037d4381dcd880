"""`shopfloor index ...`: build, update, search and evaluate the knowledge index."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from shopfloor.assistant.cli._common import JsonOpt, audit, emit

app = typer.Typer(no_args_is_help=True)

IndexOpt = Annotated[Path | None, typer.Option("--index", help="Index folder (default: the workspace's index).")]


def _index_dir(index: Path | None) -> Path:
    from shopfloor.assistant.cli._common import workspace

    return index if index is not None else workspace().index_dir


MapOpt = Annotated[list[str] | None, typer.Option(
    "--map", help="COLUMN=ROLE: override the role found for a table column (e.g. --map 'Fix=remedy'); repeatable. "
                  "Roles: symptom, cause, remedy, failure_mode, effect, controls, severity, occurrence, detection, rpn, "
                  "subsystem, component, machine, date, downtime, cost, text, id, ignore.")]


def _parse_map(items: list[str] | None) -> dict[str, str]:
    from shopfloor.errors import InputError
    from shopfloor.index.tables import ROLES

    out = {}
    for item in items or []:
        col, sep, role = item.rpartition("=")
        col, role = col.strip(), role.strip().lower()
        if not sep or not col:
            raise InputError(f"--map expects COLUMN=ROLE, got {item!r}")
        if role not in ROLES and role != "ignore":
            raise InputError(f"--map {item!r}: unknown role {role!r}; roles: {', '.join(ROLES)} (or ignore)")
        out[col] = role
    return out


def _unused_map(mapping: dict[str, str], report, rep: dict) -> None:
    """A --map naming a column no table of this run has is a typo until proven otherwise: say so."""
    seen = {c for t in report.tables.values() for c in t.get("columns", [])}
    for col in sorted(set(mapping) - seen):
        rep["warnings"].append({"source": "--map", "warning": f"no table indexed by this command has a column {col!r}"})


def _report(idx, report) -> dict:
    return {"index": str(idx.root), "files_indexed": report.files, "chunks_added": report.chunks,
            "chunks_total": len(idx.chunks), "sources": len(idx.sources()),
            "skipped": [{"source": s, "reason": r} for s, r in report.skipped],
            "tables": {s: {"kind": t["kind"], "roles": t["roles"], "filled_cells": t.get("filled", 0)}
                       for s, t in report.tables.items()},
            "warnings": [{"source": s, "warning": w} for s, w in report.warnings],
            "documents": {s: asdict(t) for s, t in report.texts.items()}}


def _pre_record(idx, docs: list[Path], approved: bool) -> dict[str, Path]:
    """Record the CLI's user as adding the new or changed files, unreviewed unless --approved, before indexing."""
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.assistant.pipeline.knowledge import pre_record
    from shopfloor.assistant.policy import cli_user

    pending = pre_record(workspace(), idx, docs, cli_user().name, approved=approved)
    if approved and pending:
        audit("approve_document", ", ".join(sorted(pending))[:2000])
    return pending


def _flags(idx, pending: dict[str, Path]) -> dict[str, list[str]]:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.assistant.pipeline.knowledge import finish_added

    return finish_added(workspace(), idx, pending)


ApprovedOpt = Annotated[bool, typer.Option(
    "--approved", help="You have read these documents: approve them now (else they stay unreviewed: quoted marked as "
                       "such and never a next step until `shopfloor index approve SOURCE`).")]


def _review(rep: dict, flags: dict[str, list[str]], approved: bool) -> None:
    rep["review"] = "approved" if approved else "unreviewed (approve with: shopfloor index approve SOURCE)"
    rep["flags"] = flags


def _human(rep: dict) -> str:
    lines = [f"{rep['files_indexed']} files, {rep['chunks_added']} chunks indexed; {rep['chunks_total']} chunks from "
             f"{rep['sources']} sources in {rep['index']}"]
    lines += [f"  skipped {s['source']}: {s['reason']}" for s in rep["skipped"]]
    for source, t in rep["tables"].items():
        roles = ", ".join(f"{c} -> {r}" for c, r in t["roles"].items()) or "no column recognised"
        filled = f"; {t['filled_cells']} blank merged cells filled from the row above" if t["filled_cells"] else ""
        lines.append(f"  table {source}: {t['kind']} ({roles}{filled})")
    if rep["tables"]:
        lines.append("  (a wrong role? rerun with --map 'COLUMN=ROLE')")
    lines += [f"  warning {w['source']}: {w['warning']}" for w in rep["warnings"]]
    if rep["files_indexed"]:
        lines.append(f"  review: {rep['review']}")
    lines += [f"  READ FIRST {source}: {flag}" for source, fs in rep["flags"].items() for flag in fs]
    return "\n".join(lines)


@app.command("build", help="Index documents (folders or files) into a new index.")
def build(docs: Annotated[list[Path], typer.Option("--docs", help="Folder or file; repeatable.")],
          out: Annotated[Path | None, typer.Option("--out", help="Index folder (default: workspace index).")] = None,
          column_map: MapOpt = None, approved: ApprovedOpt = False, as_json: JsonOpt = False) -> None:
    from shopfloor.index import Index, IndexConfig

    mapping = _parse_map(column_map)
    pending = _pre_record(None, docs, approved)
    idx = Index.build(docs, _index_dir(out), IndexConfig(column_roles=mapping), progress=not as_json)
    rep = _report(idx, idx.last_report)
    _unused_map(mapping, idx.last_report, rep)
    _review(rep, _flags(idx, pending), approved)
    audit("index_build", f"{idx.root}: {rep['files_indexed']} files, {rep['chunks_added']} chunks")
    emit(rep, as_json, _human(rep))


@app.command("add", help="Add new or changed documents; files removed from a folder leave the index.")
def add(docs: Annotated[list[Path], typer.Option("--docs", help="Folder or file; repeatable.")],
        index: IndexOpt = None, column_map: MapOpt = None, approved: ApprovedOpt = False,
        as_json: JsonOpt = False) -> None:
    from shopfloor.index import Index

    idx = Index.load(_index_dir(index))
    if column_map:
        idx.set_column_roles(_parse_map(column_map))  # tables with those columns are re-read by this add
    pending = _pre_record(idx, docs, approved)
    rep = _report(idx, idx.add(docs, progress=not as_json))
    _unused_map(_parse_map(column_map), idx.last_report, rep)
    _review(rep, _flags(idx, pending), approved)
    audit("index_add", f"{idx.root}: {rep['files_indexed']} files, {rep['chunks_added']} chunks")
    emit(rep, as_json, _human(rep))


@app.command("sync", help="Make the index follow a folder: new files added, changed ones re-indexed, deleted ones "
                           "removed, in one crash-safe save (--watch: again whenever the folder changes).")
def sync(docs: Annotated[Path, typer.Option("--docs", help="The plant's document folder.")],
         index: IndexOpt = None, approved: ApprovedOpt = False,
         watch: Annotated[bool, typer.Option("--watch", help="Keep running; sync when the folder changes.")] = False,
         interval: Annotated[float, typer.Option("--interval", min=1.0, help="Seconds between checks with --watch.")]
         = 10.0, as_json: JsonOpt = False) -> None:
    import time

    from shopfloor.errors import InputError

    if not docs.is_dir():
        raise InputError(f"--docs {docs}: not a folder (index add takes single files)")
    last = None
    while True:
        state = _folder_state(docs)
        if state != last:
            rep = _sync_once(docs, index, approved, not as_json)
            emit(rep, as_json, _human_sync(rep))
            last = _folder_state(docs)
        if not watch:
            return
        time.sleep(interval)


def _folder_state(docs: Path) -> tuple:
    """Names, sizes and modification times of the folder's files: a cheap "did anything change" check."""
    from shopfloor.index.ingest import discover

    return tuple(sorted((s, p.stat().st_size, p.stat().st_mtime_ns) for s, p in discover([docs]).items()))


def _sync_once(docs: Path, index: Path | None, approved: bool, progress: bool) -> dict:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.assistant.policy import cli_user
    from shopfloor.documents import forget
    from shopfloor.errors import NotBuiltError
    from shopfloor.index import Index

    root = _index_dir(index)
    try:
        idx = Index.load(root)
    except NotBuiltError:
        idx = Index.empty(root)
    pending = _pre_record(idx, [docs], approved)
    report = idx.add([docs], progress=progress)
    rep = {**_report(idx, report), "added": report.added, "changed": report.changed, "removed": report.removed,
           "unchanged": len(report.unchanged)}
    _review(rep, _flags(idx, pending), approved)
    with workspace().connect() as conn:
        for source in report.removed:
            forget(conn, source, cli_user().name)
    audit("index_sync", f"{idx.root}: +{len(report.added)} ~{len(report.changed)} -{len(report.removed)} "
                        f"={len(report.unchanged)}")
    return rep


def _human_sync(rep: dict) -> str:
    head = (f"sync: {len(rep['added'])} added, {len(rep['changed'])} changed, {len(rep['removed'])} removed, "
            f"{rep['unchanged']} unchanged")
    names = [f"  {what} {s}" for what in ("added", "changed", "removed") for s in rep[what]]
    return "\n".join([head, *names, _human(rep)])


@app.command("remove", help="Remove one source (as shown by `index list`).")
def remove(source: Annotated[str, typer.Argument(help="Source name.")], index: IndexOpt = None,
           as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.assistant.policy import cli_user
    from shopfloor.documents import forget
    from shopfloor.index import Index

    n = Index.load(_index_dir(index)).remove(source)
    with workspace().connect() as conn:
        forget(conn, source, cli_user().name)
    audit("index_remove", f"{source} ({n} chunks)")
    emit({"removed": source, "chunks": n}, as_json, f"removed {source} ({n} chunks)")


@app.command("list", help="List the indexed sources with their review state.")
def list_sources(index: IndexOpt = None, as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.documents import access, trust
    from shopfloor.index import Index

    with workspace().connect() as conn:
        t, acc = trust(conn), access(conn)
    sources = [{**s, "readers": acc.min_role(s["source"])} for s in t.annotate(Index.load(_index_dir(index)).sources())]
    emit({"sources": sources}, as_json, "\n".join(
        f"{s['source']}  ({s['doc_type']}, {s['chunks']} chunks; {'' if s['reviewed'] else 'UNREVIEWED, '}"
        + ("" if s["readers"] == "viewer" else f"{s['readers']}s and above only; ")
        + f"{s['provenance']})" + "".join(f"\n    read first: {f}" for f in s["flags"]) for s in sources))


@app.command("approve", help="Approve a document you have read: it may then be a next step and is quoted unmarked.")
def approve(source: Annotated[str, typer.Argument(help="Source name, as `index list` shows it.")],
            as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.assistant.pipeline.knowledge import approve as approve_document
    from shopfloor.assistant.policy import cli_user

    rec = approve_document(workspace(), source, cli_user().name)
    emit({"source": rec.source, "reviewed_by": rec.reviewed_by, "reviewed_at": rec.reviewed_at}, as_json,
         f"{rec.source} approved by {rec.reviewed_by}")


@app.command("restrict", help="Limit a document, or a folder of them (a name ending in /), to a role and above: "
                               "it is never listed, searched or quoted for anyone below (--role viewer lifts it).")
def restrict(pattern: Annotated[str, typer.Argument(help="Source name as `index list` shows it, or 'folder/'.")],
             role: Annotated[str, typer.Option("--role", help="viewer, technician, engineer or admin.")],
             as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.assistant.pipeline.knowledge import restrict as restrict_document
    from shopfloor.assistant.policy import cli_user

    said = restrict_document(workspace(), pattern, role, cli_user().name)
    emit({"pattern": pattern, "readers": role}, as_json, said)


@app.command("history", help="What happened to a document added through shopfloor: which version (sha256) who "
                              "added, changed, approved or removed, and when (UTC).")
def history(source: Annotated[str, typer.Argument(help="Source name, as `index list` shows it.")],
            as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.documents import history as document_history

    with workspace().connect() as conn:
        events = document_history(conn, source)
    emit({"source": source, "history": events}, as_json, "\n".join(
        f"{e['at']}  {e['event']:8s} {e['user']}" + (f"  sha256 {e['sha256'][:12]}" if e["sha256"] else "")
        for e in events) or f"no history for {source!r} (shipped with the workspace, or never added through shopfloor)")


@app.command("search", help="Search the index; prints passages with their citations.")
def search(query: Annotated[str, typer.Argument(help="What to look for.")], index: IndexOpt = None,
           k: Annotated[int, typer.Option("--k", min=1, max=100, help="Number of passages.")] = 5,
           machine: Annotated[str | None, typer.Option("--machine", help="Only this machine id.")] = None,
           doc_type: Annotated[str | None, typer.Option("--doc-type", help="manual, incident or fmea.")] = None,
           as_json: JsonOpt = False) -> None:
    from shopfloor.index import Index

    filters = {k_: v for k_, v in {"machine_id": machine, "doc_type": doc_type}.items() if v}
    hits = Index.load(_index_dir(index)).search(query, k=k, filters=filters or None)
    out = {"hits": [{"text": h.text, "source": h.source, "section": h.section, "page": h.page, "row": h.row,
                     "score": h.score, "dense_score": h.dense_score, "citation": h.citation} for h in hits]}
    emit(out, as_json, "\n\n".join(f"[{i}] {h.citation}  (score {h.score:.3f})\n    {h.text[:300]}"
                                   for i, h in enumerate(hits, start=1)) or "no results")


@app.command("eval", help="Recall@k and MRR on a QA file, hybrid vs dense-only vs keyword-only.")
def evaluate(qa: Annotated[Path, typer.Option("--qa", help="JSON-lines questions.", exists=True, dir_okay=False)],
             index: IndexOpt = None, k: Annotated[int, typer.Option("--k", min=1, max=100)] = 10,
             as_json: JsonOpt = False) -> None:
    from shopfloor.index import Index
    from shopfloor.index import evaluate as run_eval

    m = run_eval(Index.load(_index_dir(index)), qa, k=k)
    rows = [f"{mode:8s} recall@{k} {v['recall_at_k']:.3f}  MRR {v['mrr']:.3f}" for mode, v in m["modes"].items()]
    emit(m, as_json, f"n = {m['n']}\n" + "\n".join(rows))
