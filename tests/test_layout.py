"""The layout's import rules: no import cycles anywhere, and layers only import downwards (geo ← ui ← views)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    files = [ROOT / "app.py", *(ROOT / "views").glob("*.py"), *(ROOT / "ui").rglob("*.py"),
             *(ROOT / "geo").rglob("*.py")]
    return {_module_name(f): f for f in files}


def import_graph() -> dict[str, set[str]]:
    """Module → project modules it imports, at module level and inside functions."""
    modules = _project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for imported in names:
                # the deepest project module the name refers to (a package's function names its package)
                while imported and imported not in modules:
                    imported = imported.rpartition(".")[0]
                if imported and imported != name and not name.startswith(imported + "."):
                    targets.add(imported)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], _ = 1, stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_find_cycle_sees_a_cycle_and_its_absence():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_graph_includes_function_level_imports():
    graph = import_graph()
    assert "geo.analysis.profile" in graph["ui.cache"]  # imported inside commune_profile
    assert "geo.store.datasets" in graph["ui.cache"]  # imported inside get_store


def test_no_import_cycles():
    assert find_cycle(import_graph()) is None


def test_layers_import_downwards_only():
    graph = import_graph()
    wrong = sorted((src, dst) for src, dsts in graph.items() for dst in dsts
                   if (src.startswith("geo") and dst.split(".")[0] in ("ui", "views", "app"))
                   or (src.startswith("ui") and dst.split(".")[0] in ("views", "app")))
    assert wrong == []
