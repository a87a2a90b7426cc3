"""The package's folders show its architecture, and dependencies point one way: the command
line over the chat, over memories and answering (and training), over the network, over
plain data; no module imports one from a layer above it, however late it imports."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "askme"

# Lower numbers may be imported by higher ones, never the other way round.
LAYERS = {
    "askme.errors": 0, "askme.visible": 0, "askme.files": 0, "askme.paths": 0,
    "askme.limits": 0, "askme.babi": 0, "askme.english": 0, "askme.converses": 0,
    "askme.dmn": 1,
    "askme.stories": 2, "askme.memory": 2, "askme.evaluation": 2,
    "askme.training": 3, "askme.render": 3, "askme.fetch": 3,
    "askme.bench": 4, "askme.repl": 4,
    "askme.cli": 5, "askme.__main__": 5,
}


def layer(module: str) -> int:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in LAYERS:
            return LAYERS[".".join(parts[:end])]
    raise AssertionError(f"{module} has no layer: add it to LAYERS")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= ({f"{node.module}.{alias.name}" for alias in node.names}
                      if node.module == "askme" else {node.module})
    return {name for name in found if name.startswith("askme.") and name != "askme.__version__"}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        yield name.removesuffix(".__init__"), path


def test_every_import_points_down_or_sideways():
    edges = {(name, other) for name, path in modules() if name != "askme"
             for other in imports(path)}
    assert ("askme.cli", "askme.memory.answering") in edges  # lazy imports are read too
    assert ("askme.memory.answering", "askme.dmn.batches") in edges
    assert [f"{name} imports {other}" for name, other in sorted(edges)
            if layer(other) > layer(name)] == []
