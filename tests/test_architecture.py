"""The house's layering, checked on every test run (an import-linter contract written as a test).

- The ground floor (modules directly in ``shopfloor``) imports no component and not the application.
- Components (``shopfloor.finetune``, ``shopfloor.index``, ``shopfloor.sensors``, ``shopfloor.prompts``)
  import the ground floor and their own libraries, never ``shopfloor.assistant`` nor each other.
- Nothing imports the old top-level names (``assistant``, ``index``, ...): the distribution installs
  one import name, ``shopfloor``.
- The edges (``shopfloor.assistant.ui``, ``shopfloor.assistant.api``) import the facade, its result types,
  events, policy and errors, never a component package: what they need of one, the pipeline names
  (``pipeline.results``, ``pipeline.uploads``).
- No import cycles between modules, lazy imports included (a module that needs a helper of a module that
  imports it takes the helper from a third one).
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


EDGES = ("shopfloor.assistant.ui", "shopfloor.assistant.api")


def test_edges_import_no_component():
    bad = [f"{path.relative_to(REPO)}:{line} imports {name}"
           for path, pkg, package in modules() if pkg.startswith(EDGES)
           for line, name in imports(path, pkg) if _owner(name) in COMPONENTS]
    assert bad == [], "\n".join(bad)


def module_graph() -> dict[str, dict[str, int]]:
    """{module: {module it imports: line}} over every project module; ``from pkg import mod`` is an edge to the
    submodule, and an import of a name inside a module is an edge to that module."""
    names = {}
    for path, pkg, package in modules():
        rel = path.relative_to(REPO / next(k for k, v in FOLDERS.items() if v == package))
        names[".".join([package, *rel.with_suffix("").parts]).removesuffix(".__init__")] = (path, pkg)
    graph: dict[str, dict[str, int]] = {m: {} for m in names}
    for mod, (path, pkg) in names.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                    base = ".".join(parent + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in names else base for a in node.names]
            else:
                continue
            for t in targets:
                while t and t not in names:
                    t = t.rpartition(".")[0]
                if t and t != mod:
                    graph[mod].setdefault(t, node.lineno)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    found = cycles(module_graph())
    assert found == [], "\n".join(" <-> ".join(g) for g in found)


def test_cycles_are_found():
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b": 1}, "b": {}}) == []


def test_no_class_of_the_application_over_200_lines():
    long = [f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for path, pkg, package in modules() if package == "shopfloor.assistant"
            for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ClassDef)
            and (node.end_lineno or node.lineno) - node.lineno + 1 > 200]
    assert long == [], "\n".join(long)


def test_no_function_of_the_application_over_80_lines():
    long = [f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for path, pkg, package in modules() if package == "shopfloor.assistant"
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and (node.end_lineno or node.lineno) - node.lineno + 1 > 80]
    assert long == [], "\n".join(long)
