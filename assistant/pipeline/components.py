"""The one place that loads the three components (index, classifiers, sensor status) for the pipeline.

Each is loaded lazily, once, and reloaded when its files change on disk (a retrain or an upload
from another process). A component that is not built yet raises NotBuiltError with the command
that builds it; the pipeline turns that into a note instead of failing.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from assistant.errors import NotBuiltError
from assistant.workspace import Workspace

log = logging.getLogger(__name__)


def _stamp(path: Path) -> float:
    marker = path / "CURRENT" if (path / "CURRENT").exists() else path
    files = [marker] if marker.is_file() else list(path.glob("*/classifier.json"))
    return max((f.stat().st_mtime for f in files if f.exists()), default=0.0)


class Components:
    def __init__(self, workspace: Workspace):
        self.ws = workspace
        self._index = self._tasks = None
        self._index_stamp = self._tasks_stamp = -1.0
        self._lock = threading.RLock()

    def index(self):
        from index import Index

        with self._lock:
            stamp = _stamp(self.ws.index_dir)
            if self._index is None or stamp != self._index_stamp:
                self._index = Index.load(self.ws.index_dir)
                self._index_stamp = stamp
            return self._index

    def classifiers(self):
        from finetune import load_tasks

        root = self.ws.root / "models" / "classifier"
        with self._lock:
            stamp = _stamp(root)
            if stamp == 0.0:
                raise NotBuiltError("no classifier trained yet: run `shopfloor demo` or `shopfloor classify train`")
            if self._tasks is None or stamp != self._tasks_stamp:
                self._tasks = load_tasks(root)
                self._tasks_stamp = stamp
            return self._tasks

    def tasks(self) -> list[str]:
        try:
            return self.classifiers().tasks
        except NotBuiltError:
            return []

    def status(self, machine_id: str, charts: bool = True):
        from sensors import machine_status

        return machine_status(machine_id, self.ws, charts=charts)

    def machines(self) -> list[dict]:
        with self.ws.connect() as conn:
            return [dict(r) for r in conn.execute("SELECT id, name, type, line FROM machines ORDER BY id")]
