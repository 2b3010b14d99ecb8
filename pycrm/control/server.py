"""The control socket server, as the daemon creates it.

Daemon side::

    server = control_server(run_dir, group=None)        # or group="haclient"
    server.register(STATUS_COMMAND, status_handler)     # handler(request) -> JSON value
    server.open(selector)     # IpcError: one line, before the daemon starts anything
    # loop: key.data.on_ready(mask); timeout <= server.next_wakeup(); server.tick(now)
    server.close()            # at exit: removes the socket if it is still ours
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from heartbeat_compat.ipc import JsonLineServer, Limits
from pycrm.daemon.paths import control_socket


def control_server(
    run_dir: Path,
    *,
    group: str | int | None = None,
    limits: Limits | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> JsonLineServer:
    """The (not yet open) control socket server of the daemon whose run directory is
    `run_dir`; `group` opens it to that group (socket 0660, directory 0710)."""
    return JsonLineServer(control_socket(run_dir), group=group, limits=limits, clock=clock)
