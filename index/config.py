"""Typed settings of a knowledge index, saved as JSON beside the vectors it produced."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

FusionMethod = Literal["linear", "rrf", "dense", "keyword"]


@dataclass
class IndexConfig:
    """How documents are chunked, embedded, stored and searched.

    Example:
        >>> IndexConfig(chunk_chars=600).overlap_chars
        120
    """

    embedder: str = "all-MiniLM-L6-v2"  # registry name, local sentence-transformers folder or hub id
    chunk_chars: int = 900  # max characters of body text per chunk (MiniLM reads ~256 word pieces)
    overlap_chars: int = 120  # carried from the end of one chunk into the next inside a section
    batch_size: int = 64  # texts per embedding batch
    hnsw_threshold: int = 50_000  # above this many chunks use HNSW instead of exact inner product
    hnsw_m: int = 32  # HNSW graph degree
    fusion: FusionMethod = "linear"  # how dense and keyword rankings are combined
    dense_weight: float = 0.5  # weight of the dense score in "linear" fusion (keyword gets the rest)
    rrf_k: int = 60  # reciprocal-rank-fusion constant (Cormack et al. 2009)
    candidates: int = 100  # per-retriever candidates before fusion and filtering
    no_answer_threshold: float = 0.30  # top dense cosine under this: "the documents don't cover this"
    column_roles: dict[str, str] = field(default_factory=dict)  # table column -> role, over the automatic mapping
    ocr_engine: str = "auto"  # pages without fit text, image files: "auto", "rapidocr", "tesseract" or "none"
    ocr_min_confidence: float = 0.80  # OCR'd pages under this are flagged "check against the paper"

    def __post_init__(self) -> None:
        if self.chunk_chars < 100:
            raise ValueError(f"chunk_chars must be >= 100, got {self.chunk_chars}")
        if not 0 <= self.overlap_chars < self.chunk_chars:
            raise ValueError(f"overlap_chars must be in [0, chunk_chars), got {self.overlap_chars}")
        if self.fusion not in ("linear", "rrf", "dense", "keyword"):
            raise ValueError(f"fusion must be one of 'linear', 'rrf', 'dense', 'keyword', got {self.fusion!r}")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise ValueError(f"dense_weight must be in [0, 1], got {self.dense_weight}")
        if self.ocr_engine not in ("auto", "rapidocr", "tesseract", "none"):
            raise ValueError(f"ocr_engine must be 'auto', 'rapidocr', 'tesseract' or 'none', got {self.ocr_engine!r}")
        if self.batch_size < 1 or self.candidates < 1:
            raise ValueError("batch_size and candidates must be >= 1")
        from shopfloor.index.tables import ROLES

        bad = {c: r for c, r in self.column_roles.items() if r not in ROLES and r != "ignore"}
        if bad:
            raise ValueError(f"unknown column roles {bad}; roles: {', '.join(ROLES)} (or 'ignore')")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> IndexConfig:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)
