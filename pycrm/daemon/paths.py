"""Default locations of the daemon's files, shared by `pycrm run` and the commands that find it."""

from __future__ import annotations

from pathlib import Path

DEFAULT_STATE_DIR = Path("/var/lib/pycrm")
DEFAULT_RUN_DIR = Path("/run/pycrm")
DEFAULT_CIB_NAME = "cib.xml"
# The control socket lives in its own 0700 directory under run_dir.
CONTROL_DIR_NAME = "control"
CONTROL_SOCKET_NAME = "pycrm.sock"


def control_dir(run_dir: Path) -> Path:
    return run_dir / CONTROL_DIR_NAME


def control_socket(run_dir: Path) -> Path:
    return control_dir(run_dir) / CONTROL_SOCKET_NAME
