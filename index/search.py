"""The knowledge index: dense (FAISS) + keyword (BM25) search with fusion, filters, citations, incremental updates."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopfloor.errors import InputError
from shopfloor.index import store
from shopfloor.index.chunk import Chunk
from shopfloor.index.config import IndexConfig
from shopfloor.index.ingest import IngestReport, discover, file_hash, read_chunks
from shopfloor.index.text import expand_query, tokenize

if TYPE_CHECKING:
    import numpy as np

    from shopfloor.index.tables import RowView

log = logging.getLogger(__name__)
_BM25_LOCK = threading.Lock()
FILTER_KEYS = ("machine_id", "doc_type", "date_from", "date_to", "source", "exclude_sources")


@dataclass
class Hit:
    """One search result: the passage, how well it matched, and where it came from."""

    text: str
    score: float  # fused score (rank-based for "rrf")
    dense_score: float  # cosine similarity of query and passage, comparable across queries
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
    def citation(self) -> str:
        where = f"{self.source} > {self.section}" if self.section else self.source
        return where + (f", p. {self.page}" if self.page and "p. " not in self.section else "")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "citation": self.citation}


class Index:
    """A searchable collection of document chunks stored under one folder.

    Example:
        >>> idx = Index.build(["manuals/"], "kb/")                  # doctest: +SKIP
        >>> idx.search("pump cavitation", k=3)[0].citation          # doctest: +SKIP
        'P-101.md > Pump P-101 > Troubleshooting'
    """

    def __init__(self, root: Path, config: IndexConfig, manifest: dict, chunks: list[Chunk],
                 vectors: np.ndarray, faiss_index=None):
        self.root, self.config, self.manifest = Path(root), config, manifest
        self.chunks, self.vectors = chunks, vectors
        self._faiss = faiss_index if faiss_index is not None else _make_faiss(vectors, config)
        self._bm25: Any = None
        self._tables: list | None = None
        self._sections: Any = None
        self._cjk: bool | None = None
        self._levels: dict[tuple, float] = {}
        self.last_report = IngestReport()

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def build(cls, paths: Sequence[str | Path], out_dir: str | Path, config: IndexConfig | None = None,
              progress: bool = True) -> Index:
        """Index every supported file under ``paths`` into ``out_dir`` (replacing what was there)."""
        idx = cls.empty(out_dir, config)
        idx.add(paths, progress=progress)
        return idx

    @classmethod
    def empty(cls, out_dir: str | Path, config: IndexConfig | None = None) -> Index:
        """An index with nothing in it yet (saved by its first ``add``)."""
        import numpy as np

        return cls(Path(out_dir), config or IndexConfig(), {"sources": {}}, [], np.zeros((0, 384), "float32"))

    @classmethod
    def load(cls, root: str | Path) -> Index:
        import faiss
        import numpy as np

        folder = store.current_dir(Path(root))
        config = IndexConfig.from_dict(json.loads((folder / "config.json").read_text()))
        manifest = json.loads((folder / "manifest.json").read_text())
        chunks = store.read_chunks_db(folder / "meta.db")
        vectors = np.load(folder / "vectors.npy")
        return cls(Path(root), config, manifest, chunks, vectors, _to_gpu(faiss.read_index(str(folder / "faiss.index"))))

    # ---- updates ------------------------------------------------------------------------------
    def add(self, paths: Sequence[str | Path] | str | Path, progress: bool = True) -> IngestReport:
        """Add new and changed files under ``paths``; files gone from a folder indexed before are removed.
        One writer at a time: a second add or remove on the same index folder is refused until this one ends."""
        from shopfloor.locks import store_lock

        with store_lock(self.root, "index update"):
            return self._add(paths, progress)

    def _add(self, paths: Sequence[str | Path] | str | Path, progress: bool) -> IngestReport:
        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        report = IngestReport()
        for p in map(Path, paths):
            found = discover([p])
            root_key = str(p.resolve())
            gone = [s for s, info in self.manifest["sources"].items() if info.get("root") == root_key and s not in found]
            fresh: list[Chunk] = []
            for source, path in found.items():
                h = file_hash(path)
                old = self.manifest["sources"].get(source)
                if old and old["hash"] == h:
                    report.unchanged.append(source)
                    continue
                try:
                    chunks = read_chunks(source, path, self.config, report)
                except InputError as e:
                    report.skipped.append((source, str(e)))
                    log.warning("skipped %s", e)
                    continue
                gone.append(source)
                (report.changed if old else report.added).append(source)
                fresh += chunks
                self.manifest["sources"][source] = {"path": str(path), "root": root_key, "hash": h,
                                                    "chunks": len(chunks), "doc_type": chunks[0].doc_type,
                                                    **({"table": report.tables[source]} if source in report.tables
                                                       else {}),
                                                    **({"text": asdict(report.texts[source])} if source in report.texts
                                                       else {}),
                                                    "warnings": [w for s, w in report.warnings if s == source]}
                report.files += 1
            self._replace(set(gone), fresh, progress)
            for s in gone:
                if s not in {c.source for c in fresh}:
                    self.manifest["sources"].pop(s, None)
                    report.removed.append(s)
            report.chunks += len(fresh)
        self.save()
        self.last_report = report
        return report

    def set_column_roles(self, mapping: dict[str, str]) -> list[str]:
        """Override column roles (saved with the index); returns the indexed tables that have those columns.

        Those tables are marked stale, so the next :meth:`add` of their files re-reads them with the new roles.
        """
        from dataclasses import replace

        self.config = replace(self.config, column_roles={**self.config.column_roles, **mapping})
        stale = []
        for source, info in self.manifest["sources"].items():
            table = info.get("table")
            columns = set(table.get("columns", [])) if table else set()
            if columns & set(mapping):
                info["hash"] = ""
                stale.append(source)
        return stale

    def remove(self, source: str) -> int:
        """Remove one source (as listed by :meth:`sources`); returns the number of chunks removed."""
        from shopfloor.locks import store_lock

        if source not in self.manifest["sources"]:
            raise InputError(f"{source!r} is not in the index; sources: {sorted(self.manifest['sources'])[:20]}")
        with store_lock(self.root, "index update"):
            before = len(self.chunks)
            self._replace({source}, [], progress=False)
            self.manifest["sources"].pop(source)
            self.save()
            return before - len(self.chunks)

    def texts(self, source: str) -> list[str]:
        """The chunk texts of one source, in document order ([] for a source the index does not hold)."""
        return [c.text for c in self.chunks if c.source == source]

    def sources(self) -> list[dict]:
        return [{"source": s, **info} for s, info in sorted(self.manifest["sources"].items())]

    def _replace(self, drop: set[str], fresh: list[Chunk], progress: bool) -> None:
        import numpy as np

        keep = [i for i, c in enumerate(self.chunks) if c.source not in drop]
        new_vecs = embed([c.embed_text for c in fresh], self.config, progress) if fresh else self.vectors[:0]
        self.chunks = [self.chunks[i] for i in keep] + fresh
        self.vectors = np.vstack([self.vectors[keep], new_vecs]).astype("float32")
        self._faiss, self._bm25, self._tables, self._sections = _make_faiss(self.vectors, self.config), None, None, None
        self._cjk = None
        self._levels = {}

    def save(self) -> Path:
        return store.save(self.root, self.config.to_dict(), self.manifest, self.chunks, self.vectors,
                          _to_cpu(self._faiss))

    def tables(self) -> list:
        """The indexed CSV/XLSX tables as rows with column roles (for questions answered by filtering)."""
        from shopfloor.index.tablequery import Table, TableRow

        if self._tables is None:
            grouped: dict[str, Table] = {}
            seen: set[tuple[str, int]] = set()
            for c in self.chunks:
                roles = c.metadata.get("roles") if isinstance(c.metadata, dict) else None
                if c.row is None or roles is None or "table" not in self.manifest["sources"].get(c.source, {}):
                    continue
                if (c.source, c.row) in seen:  # a long row split into several chunks is one row
                    continue
                seen.add((c.source, c.row))
                t = grouped.setdefault(c.source, Table(c.source, roles, [], c.doc_type))
                t.rows.append(TableRow(c.source, c.row, c.metadata["columns"], f"{c.source} > {c.section}"))
            self._tables = list(grouped.values())
        return self._tables

    def similarity_to(self, query: str, ids: list[int]) -> float:
        """The best dense similarity of ``query`` to the chunks ``ids`` (the query of the last search is reused)."""
        last = getattr(self, "_last_query", None)
        qv = last[1] if last and last[0] == query[:2000] else embed([expand_query(query[:2000])], self.config,
                                                                    progress=False)
        return float((self.vectors[ids] @ qv[0]).max()) if ids else 0.0

    def sections(self):
        """The prose sections rebuilt from the chunks, with term weights (:class:`~shopfloor.index.sections.Sections`)."""
        from shopfloor.index.sections import Sections

        if self._sections is None:
            self._sections = Sections(self.chunks)
        return self._sections

    @property
    def has_cjk(self) -> bool:
        """Whether the plant's documents are (partly) Chinese, Japanese or Korean: >= 2 % of chunks hold such text."""
        if self._cjk is None:
            from shopfloor.index.text import cjk_tokens

            n = sum(bool(cjk_tokens(c.text[:200])) for c in self.chunks)
            self._cjk = n >= max(1, 0.02 * len(self.chunks))
        return self._cjk

    # ---- search -------------------------------------------------------------------------------
    @property
    def no_answer_threshold(self) -> float:
        return self.config.no_answer_threshold

    def off_topic_level(self, doc_types: tuple[str, ...], percentile: float = 90.0) -> float:
        """How similar text about nothing in these documents gets to them: the ``percentile`` of the best
        similarity that off-topic probe sentences (:mod:`shopfloor.index.probes`) reach among chunks of
        ``doc_types``. A match at or below it means nothing in this index; computed once per index state."""
        import numpy as np

        from shopfloor.index.probes import PROBES

        key = (tuple(doc_types), percentile)
        if key not in self._levels:
            ids = [i for i, c in enumerate(self.chunks) if c.doc_type in doc_types]
            if not ids:
                return 0.0
            probes = embed(list(PROBES), self.config, progress=False)
            self._levels[key] = float(np.percentile((probes @ self.vectors[ids].T).max(axis=1), percentile))
        return self._levels[key]

    def count(self, filters: dict | None = None) -> int:
        """How many chunks match ``filters`` (all of them without), e.g. whether a machine has documents."""
        allowed = self._allowed(filters)
        return len(self.chunks) if allowed is None else len(allowed)

    def search(self, query: str, k: int = 5, filters: dict | None = None, mode: str | None = None) -> list[Hit]:
        """The ``k`` best passages for ``query``; ``mode`` overrides the configured fusion (dense/keyword/rrf/linear)."""
        from shopfloor.index.fusion import fuse

        if not query or not query.strip():
            raise InputError("empty query")
        query = query[:2000]  # the embedder reads ~256 word pieces; a pasted 10k-char log adds only noise
        if not self.chunks:
            return []
        mode = mode or self.config.fusion
        allowed = self._allowed(filters)
        qv = embed([expand_query(query)], self.config, progress=False)
        self._last_query = (query, qv)
        dense = self._dense(qv, allowed)
        keyword = self._keyword(query, allowed) if mode != "dense" else {}
        ranked = fuse(dense, keyword, mode, self.config.rrf_k, self.config.dense_weight)[:k]
        return [self._hit(i, score, dense.get(i, float(self.vectors[i] @ qv[0]))) for i, score in ranked]

    def _dense(self, qv: np.ndarray, allowed: set[int] | None) -> dict[int, float]:
        n = len(self.chunks) if allowed is not None else min(len(self.chunks), self.config.candidates)
        scores, ids = self._faiss.search(qv, n)
        out = {int(i): float(s) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0}
        if allowed is not None:
            out = {i: s for i, s in out.items() if i in allowed}
        return dict(sorted(out.items(), key=lambda kv: -kv[1])[: self.config.candidates])

    def _keyword(self, query: str, allowed: set[int] | None) -> dict[int, float]:
        import numpy as np

        tokens = tokenize(query)
        if not tokens:
            return {}
        scores = self._bm25_index().get_scores(tokens)
        if allowed is not None:
            mask = np.zeros(len(scores), bool)
            mask[list(allowed)] = True
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores)[: self.config.candidates]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def _bm25_index(self):
        with _BM25_LOCK:  # built once, and only published when complete (server threads search concurrently)
            if self._bm25 is None:
                import bm25s

                bm25 = bm25s.BM25()
                # keywords see every cell (part numbers live in remedy columns); the embedder sees the description
                bm25.index([tokenize(f"{c.section}: {c.text}") or ["_empty_"] for c in self.chunks], show_progress=False)
                self._bm25 = bm25
            return self._bm25

    def _allowed(self, filters: dict | None) -> set[int] | None:
        if not filters:
            return None
        bad = set(filters) - set(FILTER_KEYS)
        if bad:
            raise InputError(f"unknown filter {sorted(bad)}; allowed: {list(FILTER_KEYS)}")
        return {i for i, c in enumerate(self.chunks) if _matches(c, filters)}

    def _hit(self, i: int, score: float, dense_score: float) -> Hit:
        c = self.chunks[i]
        return Hit(c.text, float(score), float(dense_score), c.source, c.section, c.page, c.row, c.doc_type, c.metadata)


def _matches(c: Chunk, f: dict) -> bool:
    m = c.metadata
    if f.get("machine_id") and m.get("machine_id", "").upper() != str(f["machine_id"]).upper():
        return False
    kinds = f.get("doc_type")
    if kinds and c.doc_type not in ((kinds,) if isinstance(kinds, str) else kinds):
        return False
    if f.get("source") and c.source != f["source"]:
        return False
    if c.source in f.get("exclude_sources", ()):  # documents limited to a higher role than the reader's
        return False
    date = m.get("date", "")
    if f.get("date_from") and (not date or date < str(f["date_from"])):
        return False
    return not (f.get("date_to") and (not date or date > str(f["date_to"])))


def embed(texts: list[str], config: IndexConfig, progress: bool = True) -> np.ndarray:
    """Unit-length float32 embeddings (sentence-transformers sorts by length inside each call)."""
    from shopfloor.models import load_embedder

    model = load_embedder(config.embedder)
    return model.encode(texts, batch_size=config.batch_size, normalize_embeddings=True,
                        show_progress_bar=progress and len(texts) > config.batch_size,
                        convert_to_numpy=True).astype("float32")


def _make_faiss(vectors: np.ndarray, config: IndexConfig):
    """Exact inner product for small collections; HNSW above ``hnsw_threshold`` chunks."""
    import faiss

    dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 384
    index: Any
    if len(vectors) > config.hnsw_threshold:
        index = faiss.IndexHNSWFlat(dim, config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = max(64, config.candidates)
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(vectors)
    return _to_gpu(index)


def _to_gpu(index):
    import faiss

    if hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0 and isinstance(index, faiss.IndexFlat):
        return faiss.index_cpu_to_all_gpus(index)
    return index


def _to_cpu(index):
    import faiss

    return faiss.index_gpu_to_cpu(index) if hasattr(faiss, "index_gpu_to_cpu") and "Gpu" in type(index).__name__ \
        else index
