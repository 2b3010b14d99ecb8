"""Every operator command's output against golden transcripts (tests/unit/cli/transcript.py):
text, and XML / JSON where a command offers them."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from tests.unit.cli.transcript import GOLDEN, run_session, sessions


@pytest.mark.parametrize("name", sessions())
def test_session(name: str, tmp_path: Path) -> None:
    got = run_session(name, tmp_path)
    expected_file = GOLDEN / f"{name}.exp"
    if os.environ.get("PYCRM_UPDATE_GOLDEN") == "1":
        expected_file.write_text(got)
    expected = expected_file.read_text()
    if got != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                got.splitlines(keepends=True),
                f"{name}.exp",
                "this run",
            )
        )
        pytest.fail(f"transcript {name} differs:\n{diff}")
