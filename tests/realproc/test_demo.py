"""The README's main command, `pycrm demo`, must pass on a machine set up by install.sh."""

from __future__ import annotations

import subprocess
import sys

from tests.fixtures.tools import require_path, require_root, require_tool


def test_pycrm_demo_passes() -> None:
    require_root()
    require_tool("ip", "curl")
    require_path("/usr/sbin/apache2", "apache2")
    res = subprocess.run(
        [sys.executable, "-m", "pycrm.cli.main", "demo"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "demo passed" in res.stdout
    assert "FAILED" not in res.stdout
