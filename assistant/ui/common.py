"""What every tab shares: the calling context and how a domain error reads for a person.

Tabs import these from here, not from :mod:`.app` (which imports every tab).
"""

# No `from __future__ import annotations` in the UI modules: Gradio finds the `request: gr.Request`
# parameter by its evaluated annotation; a string annotation would leave every callback without a user.

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from shopfloor.assistant.policy import User
from shopfloor.assistant.ui import views

if TYPE_CHECKING:
    from shopfloor.assistant.pipeline import Assistant


@dataclass
class Ctx:
    """What every tab needs: the assistant, whether login is on, and the folder files are served from."""

    assistant: "Assistant"
    login_required: bool
    export_dir: Path
    on_load: list = field(default_factory=list)  # (callback, outputs, api name): run when a page opens

    def user(self, request) -> User | None:
        return views.user_of(self.assistant, getattr(request, "username", None), self.login_required)


def friendly(e: Exception) -> str:
    return f"**Problem:** {e}"


def attempt(action) -> str:
    """Run ``action()`` (returns the message for the person); a domain error becomes a friendly message."""
    from shopfloor.errors import ShopfloorError

    try:
        return action()
    except ShopfloorError as e:
        return friendly(e)
