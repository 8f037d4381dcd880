"""Build the demo plant's artifacts into the workspace (filled as the components land)."""

from __future__ import annotations


def build_demo() -> dict[str, str]:
    return {"index": "not built yet", "classifier": "not built yet", "sensors": "not built yet"}
