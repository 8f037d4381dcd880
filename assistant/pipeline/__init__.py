"""The assistant pipeline: diagnosis, grounded chat, batch classification and review over one workspace."""

from shopfloor.assistant.pipeline.assistant import Assistant
from shopfloor.assistant.pipeline.diagnose import Diagnosis

__all__ = ["Assistant", "Diagnosis"]
