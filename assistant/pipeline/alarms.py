"""Alarms that lead somewhere: each stored control-chart alarm with the failure types its signal feeds and
the manual section / FMEA row / troubleshooting row about that signal on that kind of machine."""

from __future__ import annotations

from shopfloor.errors import NotBuiltError


def with_links(components, alarm: dict, machine: dict | None) -> dict:
    """``alarm`` plus ``failure_types`` (possible for the machine type, most likely first by the failure model's
    current type probabilities when known) and ``references`` (cited causes above the relevance cut-off)."""
    from shopfloor.assistant.pipeline.diagnose import cut_off, find_causes
    from shopfloor.sensors.alarms import candidate_failure_types
    from shopfloor.sensors.failure import applicable_types

    kind = (machine or {}).get("type") or ""
    types = candidate_failure_types(alarm["sensor"], alarm["direction"], applicable_types(kind or None))
    out = {**alarm, "failure_types": types, "references": [], "link_notes": []}
    signal = alarm["sensor"].split(" [")[0].lower()
    query = " ".join(p for p in (kind if kind != "unregistered" else "", f"{signal} too {alarm['direction']}",
                                 " ".join(types)) if p)
    try:
        idx = components.index()
    except NotBuiltError as e:
        out["link_notes"].append(str(e))
        return out
    causes = find_causes(components, idx, query, alarm["machine_id"], cut_off(idx), out["link_notes"], query, limit=2)
    out["references"] = [c.model_dump() for c in causes]
    if not causes and not out["link_notes"]:
        out["link_notes"].append(f"no manual section or FMEA row about {signal} on this machine was found")
    return out
