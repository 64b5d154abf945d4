"""The shape of the code: no import circles (module-level or hidden in a function), and the apps'
dependencies point one way (docs/CONVENTIONS.md): core <- registry <- alerts <- coordination <-
procurement, coordination <- donations <- compensation, coordination <- preparedness,
coordination <- volunteers, coordination <- liaison, coordination <- community. Left apps learn
of right apps only through core.hooks."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = [
    "core",
    "registry",
    "alerts",
    "coordination",
    "preparedness",
    "procurement",
    "donations",
    "volunteers",
    "liaison",
    "community",
    "compensation",
    "config",
]
# What each app may import (besides itself and Django and third-party packages).
ALLOWED = {
    "core": set(),
    "registry": {"core"},
    "alerts": {"core", "registry"},
    "coordination": {"core", "registry", "alerts"},
    "procurement": {"core", "registry", "alerts", "coordination"},
    "donations": {"core", "registry", "alerts", "coordination"},
    "preparedness": {"core", "registry", "alerts", "coordination"},
    "volunteers": {"core", "registry", "alerts", "coordination"},
    "liaison": {"core", "registry", "alerts", "coordination"},
    "community": {"core", "registry", "alerts", "coordination"},
    "compensation": {"core", "registry", "alerts", "coordination", "donations"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


def _imports(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Every project module ``path`` imports, at any depth of the file (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # ``from package import submodule`` names the submodule, not the package's __init__
            candidates = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for candidate in candidates:
            # the longest known module the import names (``from a import b`` may be a module b)
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def _graph() -> dict[str, set[str]]:
    known = _modules()
    graph = {name: _imports(path, name, known) for name, path in known.items()}
    # importing a.b.c from outside runs a/__init__ and a/b/__init__ first
    for name in list(graph):
        for target in list(graph[name]):
            parts = target.split(".")
            for i in range(1, len(parts)):
                parent = ".".join(parts[:i])
                if parent in graph and not name.startswith(parent + ".") and parent != name:
                    graph[name].add(parent)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_one_that_imports_it_back():
    assert _cycles(_graph()) == []


def test_apps_depend_only_on_the_apps_to_their_left():
    wrong = []
    for name, targets in _graph().items():
        app = name.split(".")[0]
        if app not in ALLOWED:
            continue
        for target in targets:
            other = target.split(".")[0]
            if other != app and other in ALLOWED and other not in ALLOWED[app]:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
