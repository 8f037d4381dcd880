"""The house's layering, checked on every test run (an import-linter contract written as a test).

- The ground floor (modules directly in ``shopfloor``) imports no component and not the application.
- Components (``shopfloor.finetune``, ``shopfloor.index``, ``shopfloor.sensors``, ``shopfloor.prompts``)
  import the ground floor and their own libraries, never ``shopfloor.assistant`` nor each other.
- Nothing imports the old top-level names (``assistant``, ``index``, ...): the distribution installs
  one import name, ``shopfloor``.
Imports inside functions count too: every ``import`` statement in the file is read.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDERS = {"shopfloor": "shopfloor", "assistant": "shopfloor.assistant", "finetune": "shopfloor.finetune",
           "index": "shopfloor.index", "sensors": "shopfloor.sensors", "vision": "shopfloor.vision",
           "prompts": "shopfloor.prompts"}
COMPONENTS = ("shopfloor.finetune", "shopfloor.index", "shopfloor.sensors", "shopfloor.vision", "shopfloor.prompts")
OLD_NAMES = ("assistant", "finetune", "index", "sensors", "vision", "prompts")


def imports(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import statement in ``path`` (relative imports resolved)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            out += [(node.lineno, f"{base}.{a.name}" if base in ("shopfloor",) else base) for a in node.names]
    return out


def modules():
    for folder, package in FOLDERS.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            rel = path.relative_to(REPO / folder).with_suffix("")
            pkg = ".".join([package, *rel.parts[:-1]])
            yield path, pkg, package


def _owner(module: str) -> str:
    """The layer a module belongs to: a component package, the application, or the ground floor."""
    for top in (*COMPONENTS, "shopfloor.assistant"):
        if module == top or module.startswith(top + "."):
            return top
    return "shopfloor" if module == "shopfloor" or module.startswith("shopfloor.") else "outside"


def test_layering():
    bad = []
    for path, pkg, package in modules():
        layer = "shopfloor" if package == "shopfloor" else package
        for line, name in imports(path, pkg):
            target = _owner(name)
            where = f"{path.relative_to(REPO)}:{line} imports {name}"
            if layer == "shopfloor" and target not in ("shopfloor", "outside"):
                bad.append(f"ground floor: {where}")
            if layer in COMPONENTS and target not in ("shopfloor", "outside", layer):
                bad.append(f"component: {where}")
    assert bad == [], "\n".join(bad)


def test_no_old_top_level_names():
    bad = [f"{p.relative_to(REPO)}:{line} imports {name}"
           for base in (*FOLDERS, "tests", "benchmarks") for p in sorted((REPO / base).rglob("*.py"))
           for line, name in imports(p, "x") if name.split(".")[0] in OLD_NAMES]
    assert bad == [], "\n".join(bad)


def test_the_distribution_installs_one_import_name():
    from importlib.metadata import distribution

    top = distribution("shopfloor-assistant").read_text("top_level.txt")
    assert top is not None and top.split() == ["shopfloor"]


@pytest.mark.parametrize("name, layer", [("shopfloor.errors", "shopfloor"), ("shopfloor.index.search", "shopfloor.index"),
                                         ("shopfloor.assistant.api.app", "shopfloor.assistant"),
                                         ("numpy", "outside")])
def test_owner(name, layer):
    assert _owner(name) == layer
