"""Knowledge index: ingest documents, search them (dense + keyword), cite where each passage came from."""

from shopfloor.index.chunk import Chunk
from shopfloor.index.config import IndexConfig
from shopfloor.index.evaluate import evaluate
from shopfloor.index.ingest import IngestReport
from shopfloor.index.search import Hit, Index

__all__ = ["Chunk", "Hit", "Index", "IndexConfig", "IngestReport", "evaluate"]
