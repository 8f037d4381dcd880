"""What a plant build is made of: steps over input files, each with a fingerprint of what it reads.

The demo's steps (:mod:`.build`) and the real plant's (:mod:`.real`) are both lists of :class:`Step`;
:mod:`.steps` holds the demo's step functions. Nothing here runs a step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopfloor.workspace import Workspace

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Step:
    """One idempotent build step: ``run`` reads ``inputs`` (relative to DATA_DIR) into the workspace."""

    name: str
    inputs: tuple[str, ...]
    run: Callable[[Workspace], object]
    recipe: int = 1  # bump when the step's code changes what it builds
    root: Path = DATA_DIR  # the folder ``inputs`` are relative to

    def fingerprint(self) -> str:
        h = hashlib.sha256(f"{self.name}:{self.recipe}".encode())
        for rel in self.inputs:
            for path in sorted(_files(self.root / rel)):
                h.update(path.relative_to(self.root).as_posix().encode())
                h.update(path.read_bytes())
        return h.hexdigest()[:16]


def _files(path: Path) -> list[Path]:
    if not path.exists():
        raise FileNotFoundError(f"plant data missing: {path} (is the checkout complete, or the data folder right?)")
    return [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
