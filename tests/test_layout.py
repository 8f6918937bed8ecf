"""The layering docs/ARCHITECTURE.md describes, checked on the code's own imports: no import circles, nothing
importing upward."""

from __future__ import annotations

import ast
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOP = ("service", "solver", "geo")
FACES = {"api", "app", "cli"}  # what serves the features; no feature imports them


def _modules() -> dict[str, Path]:
    found = {}
    for top in TOP:
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """The project's modules `path` imports, at any depth of the file (imports inside functions count)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in MODULES else node.module)
    return {name for name in names if name.split(".")[0] in TOP}


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _part(module: str) -> str:
    """solver, geo, or the service package (core, plans, api, ...) a module belongs to."""
    parts = module.split(".")
    return parts[1] if parts[0] == "service" and len(parts) > 1 else parts[0]


def test_no_module_imports_itself_through_others():
    sorter = TopologicalSorter({m: {d for d in deps if d in MODULES and d != m} for m, deps in GRAPH.items()})
    try:
        sorter.prepare()
    except CycleError as exc:
        pytest.fail(f"import circle: {' -> '.join(exc.args[1])}")


def test_service_packages_import_one_way():
    parts: dict[str, set[str]] = defaultdict(set)
    for module, deps in GRAPH.items():
        parts[_part(module)] |= {_part(d) for d in deps} - {_part(module)}
    try:
        TopologicalSorter(parts).prepare()
    except CycleError as exc:
        pytest.fail(f"packages import each other: {' -> '.join(exc.args[1])}")


@pytest.mark.parametrize(
    ("part", "may_import"),
    [
        ("geo", set()),
        ("solver", set()),
        ("core", {"geo", "solver"}),
        ("solving", {"core", "solver"}),
        ("pages", {"core", "access", "master_data", "geo", "solver"}),
    ],
)
def test_lower_layers_import_nothing_above_them(part, may_import):
    above = {
        f"{module} imports {dep}"
        for module, deps in GRAPH.items()
        if _part(module) == part
        for dep in deps
        if _part(dep) not in may_import | {part}
    }
    assert not above


def test_features_never_import_the_faces():
    upward = {
        f"{module} imports {dep}"
        for module, deps in GRAPH.items()
        if module.startswith("service.") and _part(module) not in FACES
        for dep in deps
        if _part(dep) in FACES
    }
    assert not upward
