"""Imports only go down: autograd <- nn <- optim <- denpa, and no module-level import cycle inside autograd."""
from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
LAYERS = ["autograd", "nn", "optim", "denpa"]


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: pathlib.Path, top_level_only: bool):
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            yield mod
            for a in node.names:  # `from . import engine` imports a submodule
                yield f"{mod}.{a.name}"


def _sources(package):
    return sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


def test_imports_only_go_down():
    wrong = []
    for i, package in enumerate(LAYERS):
        above = LAYERS[i + 1:]
        for path in _sources(package):
            for mod in _imports(path, top_level_only=False):
                if mod.split(".")[0] in above:
                    wrong.append(f"{path.relative_to(ROOT)} imports {mod}")
    assert not wrong, "\n".join(wrong)


def test_no_private_engine_modules_used_from_outside():
    wrong = [f"{p.relative_to(ROOT)} imports {m}" for package in LAYERS[1:] for p in _sources(package)
             for m in _imports(p, top_level_only=False)
             if m.startswith("autograd.") and any(part.startswith("_") and not part.endswith("__") for part in m.split("."))]
    assert not wrong, "\n".join(wrong)


def test_no_module_level_cycle_inside_autograd():
    modules = {_module_name(p): p for p in _sources("autograd")}
    graph = {m: {i for i in _imports(p, top_level_only=True) if i in modules and i != m} for m, p in modules.items()}
    # a package importing its own submodules is how packages work; a submodule importing back up is not a cycle
    # unless the package is reached again through it, so drop package -> own-submodule edges before the search
    for m in graph:
        graph[m] = {i for i in graph[m] if not (modules[m].name == "__init__.py" and i.startswith(m + "."))}
    state, cycles = {}, []

    def visit(start):
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if state.get(child) == 1:
                cycles.append(path[path.index(child):] + [child])
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)
