"""The layout keeps its contract: generic modules, dialect packages, and one module between them.

Read from the source (every import statement, those inside functions included), so that a new
import that breaks the contract fails here rather than in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import sqlgen

PACKAGE = Path(sqlgen.__file__).resolve().parent
DIALECT_PACKAGES = {"mysql", "sqlite"}
# The one generic module that looks dialects up by name (it imports their packages by name).
LOOKUP = "sqlgen.dialects"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The sqlgen modules `name` imports, each with the packages that importing it runs."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                targets.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in MODULES else module)
        elif isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
    with_parents = set()
    for target in targets:
        pieces = target.split(".")
        with_parents.update(".".join(pieces[:i]) for i in range(2, len(pieces) + 1))
    # A module inside a package does not import the package by importing a sibling.
    return {t for t in with_parents if t in MODULES and t != name and not name.startswith(t + ".")}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _dialect_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in DIALECT_PACKAGES else None


def _cycles() -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return groups


def test_the_graph_reads_the_real_imports():
    """Guards the guard: the parser sees imports at the top and inside functions."""
    assert "sqlgen.errors" in GRAPH["sqlgen.commands"]
    assert "sqlgen.splitter" in GRAPH["sqlgen.migrations"]  # imported inside functions only
    assert "sqlgen.mysql.tracking" in GRAPH["sqlgen.mysql.runner"]
    assert "sqlgen.contract" in GRAPH["sqlgen.mysql"]  # a package importing its own contract


def test_there_is_no_import_cycle():
    assert _cycles() == []


def test_only_the_lookup_module_reaches_a_dialect_package():
    crossing = sorted((name, target) for name, targets in GRAPH.items() for target in targets
                      if _dialect_of(target) and not _dialect_of(name) and name != LOOKUP)
    assert crossing == []


def test_no_dialect_package_imports_another():
    crossing = sorted((name, target) for name, targets in GRAPH.items() for target in targets
                      if _dialect_of(name) and _dialect_of(target) and _dialect_of(name) != _dialect_of(target))
    assert crossing == []


def test_every_dialect_package_exports_the_contract():
    from sqlgen import dialects
    from sqlgen.contract import Dialect

    for name in dialects.NAMES:
        dialect = dialects.get(name)
        assert isinstance(dialect, Dialect) and dialect.name == name


DIALECT_NAMES = {"mysql", "mariadb", "sqlite", "innodb"}


def _named_dialects(path: Path) -> list[str]:
    """Every string constant that is a dialect's name (any letter case), docstrings aside:
    what a comparison, a default, a dict key or a hard-coded lookup would use."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [f"{path.name}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and node.value.strip().lower() in DIALECT_NAMES]


def test_the_name_check_sees_comparisons_and_defaults(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('def f(dialect="MySQL"):\n    """About sqlite."""\n    return dialect == "sqlite"\n')
    assert _named_dialects(sample) == ["sample.py:1: 'MySQL'", "sample.py:3: 'sqlite'"]


def test_generic_code_names_no_dialect():
    """Outside the dialect packages and the lookup module, no code compares against, defaults to
    or looks up a dialect by its name (prose in messages may still mention the clients)."""
    named = [line for name, path in MODULES.items() if not _dialect_of(name) and name != LOOKUP
             for line in _named_dialects(path)]
    assert named == []
