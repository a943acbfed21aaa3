"""The layers point one way: the core imports nothing from the package, no module imports itself round a
circle, and no import of the package's own modules hides inside a function (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sim"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The ``sim`` modules an import statement names (a ``from x import y`` may name module ``x.y``)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "sim"]
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1] if node.level else []
    target = ".".join(base + ([node.module] if node.module else []))
    if target.split(".")[0] != "sim":
        return []
    names = [f"{target}.{a.name}" for a in node.names]
    return [target] + [n for n in names if n in MODULES]


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(module: str, top_level_only: bool) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom | ast.Import):
            found.update(n for n in imported(path, node) if n in MODULES and n != module)
    return found


def test_the_core_imports_nothing_from_the_package_outside_it():
    for module in MODULES:
        if module.startswith("sim.core"):
            outside = {m for m in imports(module, top_level_only=False) if not m.startswith("sim.core")}
            assert not outside, f"{module} imports {sorted(outside)}"


def test_no_import_circle():
    graph = {m: imports(m, top_level_only=True) for m in MODULES}
    # a package's __init__ importing its own submodules is its interface, not a circle
    graph = {m: {n for n in deps if not n.startswith(m + ".")} for m, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                raise AssertionError("import circle: " + " -> ".join(path[path.index(n):] + [n]))
            if n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_no_import_of_the_package_inside_a_function():
    hidden = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        top = {id(n) for n in tree.body}
        for node in tree.body:            # imports for type checking only: no run-time import, no circle
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                top.update(id(n) for n in node.body)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import) and id(node) not in top and imported(path, node):
                hidden.setdefault(module, []).append(node.lineno)
    assert not hidden, f"imports of sim inside functions: {hidden}"


#: the layers, lowest first: a module may import its own layer and those below it, never one above
#: (docs/architecture.md). A package name stands for its modules.
LAYERS = (
    ("sim", "sim.core", "sim.data", "sim.targets"),
    ("sim.kernel",),
    ("sim.policy", "sim.submodels"),
    ("sim.scenario",),
    ("sim.model", "sim.runner"),
    ("sim.output",),
    ("sim.experiment", "sim.calibration"),
    ("sim.cli", "sim.api", "sim.web", "sim.spec_reference"),
)


def layer_of(module: str) -> int:
    matches = [(len(name), k) for k, names in enumerate(LAYERS) for name in names
               if module == name or (name != "sim" and module.startswith(name + "."))]
    assert matches, f"{module} belongs to no layer: add it to LAYERS and docs/architecture.md"
    return max(matches)[1]


def test_the_layers_point_one_way():
    for module in MODULES:
        upward = sorted(m for m in imports(module, top_level_only=True) if layer_of(m) > layer_of(module))
        assert not upward, f"{module} (layer {layer_of(module)}) imports from above: {upward}"
