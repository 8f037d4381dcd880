"""The assistant pipeline: diagnosis, grounded chat, batch classification and review over one workspace."""

from shopfloor.assistant.pipeline.assistant import Assistant
from shopfloor.assistant.pipeline.diagnose import Diagnosis
from shopfloor.assistant.pipeline.events import Answer, ChatEvent, Citation, Notice, Token

__all__ = ["Answer", "Assistant", "ChatEvent", "Citation", "Diagnosis", "Notice", "Token"]
