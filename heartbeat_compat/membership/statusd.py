"""The local status socket that `pycrm cl_status` talks to.

A `heartbeat_compat.ipc` server (unix stream socket, mode 0600 in a 0700 directory) with
one command, ``snapshot``: the node's membership snapshot as a JSON object. Only the local
administrator can connect.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from heartbeat_compat.ipc import IpcError, JsonLineServer, Request, request

SOCKET_NAME = "cl_status.sock"
SNAPSHOT = "snapshot"

# Setup and query failures: one-line messages (kept under the name cl_status knows).
StatusSocketError = IpcError


def status_server(
    path: Path,
    provider: Callable[[], dict[str, Any]],
    clock: Callable[[], float] = time.monotonic,
) -> JsonLineServer:
    """A server answering ``snapshot`` with `provider()`; `open(selector)` it in the loop."""
    server = JsonLineServer(path, clock=clock)

    def snapshot(req: Request) -> dict[str, Any]:
        return provider()

    server.register(SNAPSHOT, snapshot)
    return server


def query(path: Path, timeout: float = 5.0) -> dict[str, Any]:
    """Ask a running node for its snapshot. Raises StatusSocketError if none answers."""
    snap = request(path, SNAPSHOT, timeout=timeout)
    if not isinstance(snap, dict):
        raise StatusSocketError(f"{path}: malformed reply")
    return snap
