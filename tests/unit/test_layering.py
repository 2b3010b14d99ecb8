"""The import direction is a design rule, so it is a test.

- `ocf` imports none of the other three packages (agents run under Pacemaker alone);
- `cib` imports only the standard library and lxml;
- `heartbeat_compat` may import `cib` (and lxml);
- `pycrm` may import all three.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OURS = {"ocf", "cib", "pycrm", "heartbeat_compat"}
ALLOWED: dict[str, set[str]] = {
    "ocf": {"psutil", "pyroute2", "lxml"},
    "cib": {"lxml"},
    "heartbeat_compat": {"cib", "lxml"},
    "pycrm": {
        "ocf",
        "cib",
        "heartbeat_compat",
        "click",
        "lxml",
        "psutil",
        "pyroute2",
        "prometheus_client",
    },
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_follow_the_layering(package: str) -> None:
    bad = []
    for path in sorted((REPO / package).rglob("*.py")):
        for line, top in _imports(path):
            if top == package or top in sys.stdlib_module_names or top == "__future__":
                continue
            if top not in ALLOWED[package]:
                bad.append(f"{path.relative_to(REPO)}:{line}: imports {top}")
    assert not bad, "\n".join(bad)
