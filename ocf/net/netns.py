"""Enter a named network namespace (`ip netns` style) for the rest of the process.

os.setns() exists from Python 3.12; on 3.11 libc's setns(2) is called via
ctypes. Done before any socket is created, so netlink and packet sockets all
live in the namespace. Safe here because agents are single-threaded.
"""

from __future__ import annotations

import os

NETNS_RUN_DIR = "/var/run/netns"
CLONE_NEWNET = 0x40000000


def netns_path(name: str) -> str:
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"invalid network namespace name [{name}]")
    return os.path.join(NETNS_RUN_DIR, name)


def enter(name: str) -> None:
    """setns() into /var/run/netns/<name>; FileNotFoundError when it does not exist."""
    fd = os.open(netns_path(name), os.O_RDONLY | os.O_CLOEXEC)
    try:
        setns_fd(fd, name)
    finally:
        os.close(fd)


def setns_fd(fd: int, what: str = "") -> None:
    """setns() into the network namespace ``fd`` refers to (a /var/run/netns file or
    /proc/<pid>/ns/net)."""
    setns = getattr(os, "setns", None)
    if setns is not None:  # Python >= 3.12
        setns(fd, CLONE_NEWNET)
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns({what or fd}): {os.strerror(err)}")
