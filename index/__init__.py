"""Knowledge index: ingest documents, search them (dense + keyword), cite where each passage came from."""

from index.chunk import Chunk
from index.config import IndexConfig
from index.evaluate import evaluate
from index.ingest import IngestReport
from index.search import Hit, Index

__all__ = ["Chunk", "Hit", "Index", "IndexConfig", "IngestReport", "evaluate"]
