"""The assistant pipeline: diagnosis, grounded chat, batch classification and review over one workspace."""

from assistant.pipeline.assistant import Assistant
from assistant.pipeline.diagnose import Diagnosis

__all__ = ["Assistant", "Diagnosis"]
