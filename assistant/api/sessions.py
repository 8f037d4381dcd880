"""The UI's login sessions, checked against the workspace database on every look-up.

Gradio keeps its sessions in memory (``app.tokens``: cookie value -> user name) and looks them up with
``tokens.get(cookie)`` for every page, file and event. :class:`UiSessions` takes that dict's place and
remembers when each session started; a look-up answers only while the user still exists and none of
their tokens was revoked (nor their password changed) since then - wherever that happened: the Admin
tab, the REST API, or ``shopfloor user-revoke`` / ``user-passwd`` in another process, which cannot reach
this server's memory but writes ``users.sessions_after`` (:func:`shopfloor.assistant.auth.session_alive`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

Alive = Callable[[str, float], bool]  # (user name, session start in epoch s) -> may the session go on


class UiSessions(dict):
    """A drop-in for Gradio's ``app.tokens`` whose ``get`` forgets sessions the database has ended.

    Example:
        >>> s = UiSessions(lambda name, started: name != "gone")
        >>> s["c1"], s["c2"] = "ada", "gone"
        >>> s.get("c1"), s.get("c2"), "c2" in s
        ('ada', None, False)
    """

    def __init__(self, alive: Alive):
        super().__init__()
        self._alive = alive
        self._started: dict[str, float] = {}

    def __setitem__(self, token: str, name: str) -> None:
        self._started[token] = time.time()
        super().__setitem__(token, name)

    def __delitem__(self, token: str) -> None:
        self._started.pop(token, None)
        super().__delitem__(token)

    def pop(self, token, *default):
        self._started.pop(token, None)
        return super().pop(token, *default)

    def get(self, token, default=None):
        name = super().get(token)
        if name is None:
            return default
        if not self._alive(name, self._started.get(token, 0.0)):
            self.pop(token, None)
            return default
        return name

    def end(self, name: str) -> int:
        """End every session of ``name`` at once (this process knows first); returns how many."""
        ended = [t for t, n in list(self.items()) if n == name]
        for t in ended:
            self.pop(t, None)
        return len(ended)
