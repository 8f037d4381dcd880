"""What every part of the facade shares: the workspace, its components, and who is asking by default.

The :class:`~shopfloor.assistant.pipeline.Assistant` composes small services (``assistant.machines``,
``assistant.users``, ...); each public method of a service carries its permission check
(:func:`~shopfloor.assistant.policy.requires`), as the facade's own methods do. The default user is read
from the facade when a method is called (the server sets it to None after start-up, so an edge that forgets to
say who is asking is refused).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopfloor.assistant.pipeline.components import Components
    from shopfloor.assistant.policy import User
    from shopfloor.workspace import Workspace


class Service:
    """A part of the facade over one workspace."""

    def __init__(self, ws: Workspace, components: Components, default_user: Callable[[], User | None]):
        self.ws, self.components, self._default_user = ws, components, default_user

    @property
    def default_user(self) -> User | None:
        return self._default_user()
