"""The blocking control-socket client every `pycrm` command uses to ask the daemon."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

from heartbeat_compat.ipc import IpcError, NotRunning, RemoteError, TimedOut, request
from pycrm.daemon.paths import control_socket


class ControlError(Exception):
    """The daemon could not be asked or refused; str() is one line for the user."""

    def __init__(self, message: str, *, connected: bool, code: str | None = None) -> None:
        super().__init__(message)
        self.connected = connected  # False: no daemon answered at all
        self.code = code  # the daemon's error code (``invalid``, ``timeout`` ...), if any


def call(
    run_dir: Path, command: str, args: dict[str, Any] | None = None, *, timeout: float = 30.0
) -> Any:
    """Run `command` in the daemon of `run_dir` and return its result. Raises ControlError."""
    path = control_socket(run_dir)
    try:
        return request(path, command, args, timeout=timeout)
    except NotRunning:
        raise ControlError(
            f"cannot connect to {path}: no daemon is running (start it with pycrm run)",
            connected=False,
        ) from None
    except RemoteError as exc:
        message = f"{command} failed: {exc.message} ({exc.code})"
        raise ControlError(message, connected=True, code=exc.code) from None
    except TimedOut as exc:
        raise ControlError(str(exc), connected=True, code="timeout") from None
    except IpcError as exc:
        hint = " (needs root, or the daemon's control group)" if exc.errno == errno.EACCES else ""
        raise ControlError(f"{exc}{hint}", connected=False) from None
