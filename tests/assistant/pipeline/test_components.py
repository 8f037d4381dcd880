"""The component adapter: lazy loading, not-built messages, single-flight machine status."""

from __future__ import annotations

import threading
import time

import pytest

from shopfloor.assistant.policy import Role, User
from shopfloor.errors import NotBuiltError


def test_concurrent_status_requests_compute_once(demo_workspace, monkeypatch):
    from shopfloor import sensors
    from shopfloor.assistant.pipeline.components import Components

    calls = []

    def slow_status(machine_id, ws, charts=True):
        calls.append(machine_id)
        time.sleep(0.3)
        return {"machine_id": machine_id}

    monkeypatch.setattr(sensors, "machine_status", slow_status)
    c = Components(demo_workspace)
    out = []
    threads = [threading.Thread(target=lambda: out.append(c.status("p-101"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["p-101"] and len(out) == 8 and all(o == {"machine_id": "p-101"} for o in out)
    c.status("HP-601", charts=False)
    assert calls == ["p-101", "HP-601"]


def test_empty_workspace_says_how_to_build(workspace):
    from shopfloor.assistant.pipeline.components import Components

    c = Components(workspace)
    with pytest.raises(NotBuiltError, match="shopfloor demo"):
        c.classifiers()
    assert c.tasks() == []
    assert any("shopfloor demo" in n for n in c.warm_up())


def test_assistant_on_an_empty_workspace_degrades_with_the_command_to_run(workspace):
    from shopfloor.assistant.pipeline import Assistant

    a = Assistant(workspace, use_llm=False, user=User("t", Role.admin))
    d = a.diagnose("P101 brg nse rumbling")
    assert d.failure_mode is None and d.causes == [] and d.next_step.startswith("No matching manual entry")
    assert any("shopfloor demo" in n for n in d.notes)
    done = a.answer("What causes cavitation?")
    assert not done.grounded and "shopfloor" in done.answer
    assert a.knowledge.sources() == [] and a.texts.tasks() == [] and a.machines.known() == []


def test_warming_up_twice_loads_nothing_twice(demo_workspace, monkeypatch):
    """A second warm_up() (a second server start on the same object, a reload check) loads no model again."""
    from shopfloor import finetune, index, sensors
    from shopfloor.assistant.pipeline.components import Components

    calls = []
    for module, name in ((index.Index, "load"), (finetune, "load_tasks"), (sensors, "machine_status")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, _n=name, **k: (calls.append(_n), _real(*a, **k))[1])
    c = Components(demo_workspace)
    assert c.warm_up() == []
    first = sorted(calls)
    assert first == ["load", "load_tasks", "machine_status"]
    assert c.warm_up() == [] and sorted(calls) == first  # nothing loaded or computed again
