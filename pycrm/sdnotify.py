"""systemd's readiness notification, without a dependency.

The protocol is one datagram of `KEY=value` lines on the unix socket named by
$NOTIFY_SOCKET (a path, or an abstract name starting with "@"). Outside
systemd the variable is unset and every call is a no-op.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


def notify(state: Mapping[str, str], environ: Mapping[str, str] | None = None) -> bool:
    """Send e.g. {"READY": "1", "STATUS": "..."}; return whether a socket was there."""
    env = os.environ if environ is None else environ
    target = env.get("NOTIFY_SOCKET", "")
    if not target:
        return False
    address = "\0" + target[1:] if target.startswith("@") else target
    payload = "\n".join(f"{key}={value}" for key, value in state.items()).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        sock.connect(address)
        sock.sendall(payload)
    return True


def ready(status: str = "") -> bool:
    return notify({"READY": "1", **({"STATUS": status} if status else {})})


def stopping() -> bool:
    return notify({"STOPPING": "1"})


def watchdog() -> bool:
    return notify({"WATCHDOG": "1"})
