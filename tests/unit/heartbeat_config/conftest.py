"""Helpers to write ha.d files for the parser tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

MINIMAL = "logfile /dev/null\nbcast eth0\nnode alpha beta\n"


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, content: str | bytes, mode: int = 0o600) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        os.chmod(path, mode)
        return path

    return write
