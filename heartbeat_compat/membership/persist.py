"""Node identity that survives restarts: hb_uuid and hb_generation, as heartbeat keeps them.

* `hb_uuid`: 16 raw random bytes, created at first start (`uuidfrom file`).
* `hb_generation`: the generation as a 16-byte right-aligned decimal + newline;
  each start reads it, adds one and writes it back (fsync) before sending.
  Absent -> start from the current time (heartbeat: "No Previous generation").
"""

from __future__ import annotations

import os
import time
import uuid as uuidlib
from pathlib import Path


class StateError(Exception):
    """The state directory is unusable (fatal)."""


def atomic_write(path: Path, data: bytes) -> None:
    """cib's atomic write, imported on first use: `cib` loads lxml and the CIB model,
    which `pycrm cl_status` (it imports the daemon module) does not need."""
    from cib.atomic import atomic_write as write

    write(path, data, 0o600)


def ensure_state_dir(path: Path) -> None:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    except OSError as exc:
        raise StateError(f"{path}: cannot create state directory: {exc.strerror}") from exc


def load_or_create_uuid(state_dir: Path) -> tuple[bytes, bool]:
    """(uuid, created)."""
    path = state_dir / "hb_uuid"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    except OSError as exc:
        raise StateError(f"{path}: {exc.strerror}") from exc
    if len(data) == 16:
        return data, False
    new = uuidlib.uuid4().bytes
    try:
        atomic_write(path, new)
    except OSError as exc:
        raise StateError(f"{path}: cannot write: {exc.strerror}") from exc
    return new, True


def next_generation(state_dir: Path, method: str = "file") -> tuple[int, bool]:
    """(generation, had_previous). `method` is ha.cf's hbgenmethod."""
    now = int(time.time())
    if method == "time":
        return now, True
    path = state_dir / "hb_generation"
    previous: int | None = None
    try:
        text = path.read_text(encoding="ascii").strip()
        previous = int(text) if text.isdigit() else None
    except FileNotFoundError:
        previous = None
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(f"{path}: cannot read: {exc}") from exc
    generation = previous + 1 if previous is not None else now
    try:
        atomic_write(path, f"{generation:>16}\n".encode("ascii"))
    except OSError as exc:
        raise StateError(f"{path}: cannot write: {exc.strerror}") from exc
    return generation, previous is not None
