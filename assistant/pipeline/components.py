"""The one place that loads the three components (index, classifiers, sensor status) for the pipeline.

Each is loaded lazily, once, and reloaded when its files change on disk (a retrain or an upload
from another process). A component that is not built yet raises NotBuiltError with the command
that builds it; the pipeline turns that into a note instead of failing.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

from shopfloor.errors import NotBuiltError
from shopfloor.workspace import Workspace

if TYPE_CHECKING:
    from shopfloor.documents import Access, Trust
    from shopfloor.finetune.coldstart import ColdStartClassifier
    from shopfloor.finetune.predict import MultiTaskClassifier, TextClassifier
    from shopfloor.index import Index
    from shopfloor.sensors.status import FleetRow, MachineStatus

log = logging.getLogger(__name__)


def _stamp(path: Path) -> float:
    marker = path / "CURRENT" if (path / "CURRENT").exists() else path
    files = [marker] if marker.is_file() else list(path.glob("*/classifier.json"))
    return max((f.stat().st_mtime for f in files if f.exists()), default=0.0)


class Components:
    def __init__(self, workspace: Workspace):
        self.ws = workspace
        self._index: Index | None = None
        self._tasks: MultiTaskClassifier | None = None
        self._index_stamp = self._tasks_stamp = -1.0
        self._vision: dict[str, tuple[float, object]] = {}
        self._cold: dict[str, tuple[float, ColdStartClassifier]] = {}
        self._lock = threading.RLock()
        self._status_cache: dict[tuple[str, bool], tuple[float, MachineStatus]] = {}
        self._status_locks = [threading.Lock() for _ in range(16)]

    def warm_up(self) -> list[str]:
        """Load every built component now (first requests fast; imports done before threads race); returns notes."""
        notes = []
        for load in (self.index, self.classifiers, self._warm_status):
            try:
                load()
            except NotBuiltError as e:
                notes.append(str(e))
        return notes

    def _warm_status(self) -> None:
        """One status with charts: loads the sensor models and matplotlib before requests race for them."""
        from shopfloor.errors import InputError

        machines = self.machines()
        if machines:
            try:
                self.status(machines[0]["id"], charts=True)
            except InputError as e:  # no readings for it yet: nothing to warm
                log.info("status warm-up skipped: %s", e)

    def index(self) -> Index:
        from shopfloor.index import Index

        with self._lock:
            stamp = _stamp(self.ws.index_dir)
            if self._index is None or stamp != self._index_stamp:
                self._index = Index.load(self.ws.index_dir)
                self._index_stamp = stamp
            return self._index

    def classifiers(self) -> MultiTaskClassifier:
        from shopfloor.finetune import load_tasks

        root = self.ws.root / "models" / "classifier"
        with self._lock:
            stamp = _stamp(root)
            if stamp == 0.0:
                raise NotBuiltError("no classifier trained yet: run `shopfloor demo` or `shopfloor classify train`")
            if self._tasks is None or stamp != self._tasks_stamp:
                self._tasks = load_tasks(root)
                self._tasks_stamp = stamp
                self._remember_reviews(self._tasks)
            return self._tasks

    def _remember_reviews(self, tasks) -> None:
        """Every reviewed label steers predictions from the moment a classifier is loaded (no retrain needed)."""
        from shopfloor.finetune import reviewed_rows

        with self.ws.connect() as conn:
            for task in tasks.tasks:
                rows = reviewed_rows(conn, task)
                tasks.remember(task, [t for t, _ in rows], [y for _, y in rows])

    def vision_models(self) -> list:
        """The trained image models (classifier first, then anomaly), each reloaded when its files change."""
        from shopfloor.vision.model import load_model

        out = []
        with self._lock:
            for kind in ("classifier", "anomaly"):
                folder = self.ws.vision_dir(kind)
                meta = folder / "model.json"
                if not meta.exists():
                    self._vision.pop(kind, None)
                    continue
                stamp = meta.stat().st_mtime
                if kind not in self._vision or self._vision[kind][0] != stamp:
                    self._vision[kind] = (stamp, load_model(folder))
                out.append(self._vision[kind][1])
        if not out:
            raise NotBuiltError("no image model trained yet: run `shopfloor demo` or `shopfloor inspect train`")
        return out

    def trained_tasks(self) -> list[str]:
        try:
            return self.classifiers().tasks
        except NotBuiltError:
            return []

    def tasks(self) -> list[str]:
        """Trained tasks, then cold-start tasks (in the workspace taxonomy, not trained yet)."""
        trained = self.trained_tasks()
        return trained + [t for t in self.cold_start_tasks() if t not in trained]

    def cold_start_tasks(self) -> list[str]:
        import yaml

        path = self.ws.taxonomy_path
        if not path.exists():
            return []
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            log.warning("taxonomy %s unreadable: %s", path, e)
            return []
        return [str(t) for t in data] if isinstance(data, dict) else []

    def classifier_for(self, task: str) -> TextClassifier | ColdStartClassifier:
        """The trained classifier of ``task`` (a TextClassifier), or its cold-start one from the taxonomy."""
        from shopfloor.errors import InputError
        from shopfloor.finetune import ColdStartClassifier

        if task in self.trained_tasks():
            return self.classifiers().task(task)
        if task in self.cold_start_tasks():
            with self._lock:
                stamp = self.ws.taxonomy_path.stat().st_mtime
                hit = self._cold.get(task)
                if hit is None or hit[0] != stamp:
                    hit = self._cold[task] = (stamp, ColdStartClassifier.from_yaml(self.ws.taxonomy_path, task))
                return hit[1]
        raise InputError(f"unknown task {task!r}; available: {self.tasks()}")

    def status(self, machine_id: str, charts: bool = True, max_age_s: float = 60.0) -> MachineStatus:
        """The machine's sensor status, cached for ``max_age_s`` (it only changes when readings arrive)."""
        from shopfloor.machines import machine_key
        from shopfloor.sensors import machine_status

        key = (machine_key(machine_id), charts)
        # Single flight: concurrent requests for one machine wait for one computation instead of all
        # computing it at once (20 cold sessions piled up to a 23 s p95). A fixed pool keeps memory bounded.
        with self._status_locks[hash(key) % len(self._status_locks)]:
            hit = self._status_cache.get(key)
            if hit and time.monotonic() - hit[0] < max_age_s:
                return hit[1]
            st = machine_status(machine_id, self.ws, charts=charts)
            self._status_cache[key] = (time.monotonic(), st)
            return st

    def forget_status(self, machine_id: str) -> None:
        """Drop a machine's cached status (its alarms changed)."""
        from shopfloor.machines import machine_key

        for charts in (True, False):
            self._status_cache.pop((machine_key(machine_id), charts), None)

    def forget_statuses(self) -> None:
        """Drop every cached status (new readings arrived)."""
        self._status_cache.clear()

    def fleet(self) -> list[FleetRow]:
        """Every machine's row of the fleet overview, alarming first (statuses from the cache when fresh)."""
        from shopfloor.sensors.status import fleet

        return fleet(self.ws, status=lambda m: self.status(m, charts=False))

    def access(self) -> Access:
        """Which documents are limited to which roles (:class:`shopfloor.documents.Access`)."""
        from shopfloor.documents import access

        with self.ws.connect() as conn:
            return access(conn)

    def for_role(self, role: str) -> ForReader:
        """These components as a user with ``role`` sees them (documents above the role left out)."""
        return ForReader(self, role)

    def trust(self) -> Trust:
        """The review state of the indexed documents (who added each, whether an engineer approved it)."""
        from shopfloor.documents import trust

        with self.ws.connect() as conn:
            return trust(conn)

    def machines(self) -> list[dict]:
        with self.ws.connect() as conn:
            return [dict(r) for r in conn.execute("SELECT id, name, type, line FROM machines ORDER BY id")]


class ForReader:
    """The components as one reader sees them: the index without the documents limited to a higher role
    (search, quoted sections, tables, the sources list); everything else is the shared components'."""

    def __init__(self, components: Components, role: str):
        self._components, self.role = components, role

    def __getattr__(self, name: str):
        return getattr(self._components, name)

    def index(self) -> Index:
        from shopfloor.index.access import RestrictedIndex

        idx = self._components.index()
        hidden = self._components.access().hidden(self.role, idx.manifest["sources"])
        # a RestrictedIndex answers every call the index does (search, sections, tables ...), without those sources
        return cast("Index", RestrictedIndex(idx, hidden)) if hidden else idx
