"""Type-check the whole ``shopfloor`` package with mypy (``make typecheck``, part of ``make test``).

The design keeps its top-level folders (assistant/, index/, ...) and maps them into the one import name
``shopfloor`` at install time; a static checker cannot see that mapping. This script builds the package as
its import names say it is, from directory links (build/typecheck/shopfloor/index -> index/, so new files are
seen at once), and runs mypy on it with the settings in pyproject.toml. Paths in the report read
``shopfloor/index/search.py`` for ``index/search.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "typecheck"


def link_tree() -> Path:
    """build/typecheck/shopfloor with the ground floor's files and each mapped folder linked in."""
    mapping = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    pkg = TREE / "shopfloor"
    pkg.mkdir(parents=True, exist_ok=True)
    for old in pkg.iterdir():
        if old.is_symlink():
            old.unlink()
    for f in (ROOT / mapping["shopfloor"]).iterdir():
        if f.name != "__pycache__":
            (pkg / f.name).symlink_to(f)
    for name, folder in mapping.items():
        if name.count(".") == 1:  # shopfloor.index -> index/
            (pkg / name.split(".")[1]).symlink_to(ROOT / folder, target_is_directory=True)
    return TREE


def main() -> int:
    tree = link_tree()
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "-p", "shopfloor"]
    return subprocess.call(cmd, cwd=tree, env={**os.environ, "MYPYPATH": str(tree)})


if __name__ == "__main__":
    sys.exit(main())
