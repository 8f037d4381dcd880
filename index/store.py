"""Crash-safe storage of an index: each save writes a new version folder, then flips ``CURRENT``.

Layout of an index folder::

    CURRENT            -> "v000003"   (replaced atomically with os.replace after everything is fsynced)
    v000003/config.json  manifest.json  meta.db (SQLite: chunk text + metadata)  vectors.npy  faiss.index

A kill at any moment leaves ``CURRENT`` naming a complete version, so the previous index always loads.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from shopfloor.errors import NotBuiltError
from shopfloor.index.chunk import Chunk

if TYPE_CHECKING:
    import numpy as np

CURRENT = "CURRENT"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_dir(root: Path) -> Path:
    marker = Path(root) / CURRENT
    if not marker.exists():
        raise NotBuiltError(f"no index at {root}: build one with `shopfloor index build --docs PATH --out {root}`"
                            " (or `shopfloor demo`)")
    return Path(root) / marker.read_text().strip()


def write_chunks_db(path: Path, chunks: list[Chunk]) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE chunks (id INTEGER PRIMARY KEY, source TEXT, section TEXT, page INTEGER, row INTEGER,"
                 " doc_type TEXT, text TEXT, metadata TEXT, hash TEXT)")
    conn.execute("CREATE INDEX chunks_source ON chunks(source)")
    conn.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)",
                     [(i, c.source, c.section, c.page, c.row, c.doc_type, c.text, json.dumps(c.metadata),
                       c.content_hash) for i, c in enumerate(chunks)])
    conn.commit()
    conn.close()


def read_chunks_db(path: Path) -> list[Chunk]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = conn.execute("SELECT source, section, page, row, doc_type, text, metadata FROM chunks ORDER BY id").fetchall()
    conn.close()
    return [Chunk(text=t, source=s, section=sec, page=p, row=r, doc_type=d, metadata=json.loads(m))
            for s, sec, p, r, d, t, m in rows]


def save(root: Path, config: dict, manifest: dict, chunks: list[Chunk], vectors: np.ndarray, faiss_index) -> Path:
    """Write a new version of the index under ``root`` and make it current; returns its folder."""
    import faiss
    import numpy as np

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    versions = sorted(p.name for p in root.glob("v[0-9]*") if p.is_dir() and not p.name.endswith(".tmp"))
    name = f"v{(int(versions[-1][1:]) + 1) if versions else 1:06d}"
    tmp = root / f"{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    (tmp / "config.json").write_text(json.dumps(config, indent=2))
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
    write_chunks_db(tmp / "meta.db", chunks)
    np.save(tmp / "vectors.npy", vectors.astype("float32"))
    faiss.write_index(faiss_index, str(tmp / "faiss.index"))
    for f in tmp.iterdir():
        _fsync(f)
    tmp.rename(root / name)
    _fsync(root)
    marker_tmp = root / f"{CURRENT}.tmp"
    marker_tmp.write_text(name)
    _fsync(marker_tmp)
    os.replace(marker_tmp, root / CURRENT)
    _fsync(root)
    _prune(root, keep={name, *versions[-1:]})
    return root / name


def _prune(root: Path, keep: set[str]) -> None:
    """Drop versions older than the previous one, and leftovers of interrupted saves."""
    for p in root.glob("v[0-9]*"):
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
