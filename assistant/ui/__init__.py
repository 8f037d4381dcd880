"""The Gradio UI (thin: every callback calls the Assistant)."""

from shopfloor.assistant.ui.app import build_ui

__all__ = ["build_ui"]
