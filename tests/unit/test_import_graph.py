"""The import graph of ``app/`` has no cycle, counting imports inside functions too.

A function-level import that dodges a cycle hides a design knot (two features calling each other's
services); features talk by signal instead (``app.signals``). Each module's imports are read with
``ast`` (no code runs), relative imports resolved, and ``from package import name`` counted as an
edge to the submodule when ``name`` is one.
"""
from __future__ import annotations

import ast
from pathlib import Path

from app.drill.engine import strongly_connected

APP = Path(__file__).resolve().parents[2] / "app"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in APP.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                           for alias in node.names]
            for target in targets:
                while target and target not in modules:  # `import app.drill.engine.x` → nearest module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's, as the drill engine runs it)."""
    components = strongly_connected(sorted(graph), lambda node: sorted(graph[node]))
    return sorted(sorted(c) for c in components if len(c) > 1)


def test_the_checker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_function_level_and_relative_imports():
    graph = import_graph()
    assert "app.drill.engine" in graph["app.drill.service"]       # `from . import engine`
    assert "app.factory" in graph["app"]                          # inside __getattr__


def test_app_has_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles (module-level or inside functions): " + "; ".join(
        " ↔ ".join(component) for component in found)
