"""A missing root, tool or file must go through tests.fixtures.tools.require().

require() skips locally and fails under PYCRM_REQUIRE_ALL=1 (CI). A direct
pytest.skip / skipif / importorskip, or a test that returns early and so
passes without testing anything, would hide the same condition in CI; this
scan keeps them out of every test file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ALLOWED = {TESTS / "fixtures" / "tools.py"}  # where require() itself lives
SKIP_NAMES = {"skip", "skipif", "importorskip", "SkipTest", "skipTest"}
SKIP_MODULES = {"pytest", "_pytest", "unittest"}


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _direct_skips(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SKIP_NAMES:
            if _root(node) in SKIP_MODULES | {"mark"}:
                yield node.lineno, f"uses {ast.unparse(node)}"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in SKIP_MODULES:
            for alias in node.names:
                if alias.name in SKIP_NAMES:
                    yield node.lineno, f"imports {alias.name} from {node.module}"


def _early_returns(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """A bare `return` in a test function: the test passes having checked nothing."""
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not func.name.startswith("test"):
            continue
        stack: list[ast.AST] = list(func.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue  # a nested helper may return as it likes
            if isinstance(node, ast.Return) and node.value is None:
                yield node.lineno, f"{func.name} returns early (use require())"
            stack.extend(ast.iter_child_nodes(node))


def _offences() -> list[str]:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if path in ALLOWED:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for line, what in [*_direct_skips(tree), *_early_returns(tree)]:
            found.append(f"{path.relative_to(TESTS.parent)}:{line}: {what}")
    return found


def test_no_direct_skips_or_early_returns_in_tests() -> None:
    offences = _offences()
    assert not offences, "route these through tests.fixtures.tools.require():\n" + "\n".join(
        offences
    )


def test_the_scan_sees_each_form() -> None:
    source = """
import pytest
from unittest import SkipTest
needs = pytest.mark.skipif(True, reason="x")
def test_a():
    pytest.importorskip("lxml")
def test_b():
    if not exists():
        return
def test_c():
    def helper():
        return
    helper()
"""
    tree = ast.parse(source)
    found = [what for _, what in sorted([*_direct_skips(tree), *_early_returns(tree)])]
    assert found == [
        "imports SkipTest from unittest",
        "uses pytest.mark.skipif",
        "uses pytest.importorskip",
        "test_b returns early (use require())",
    ]
