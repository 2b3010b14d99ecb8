"""The in-tree sd_notify: one datagram on $NOTIFY_SOCKET, a no-op without it."""

from __future__ import annotations

import socket
from pathlib import Path

from pycrm.sdnotify import notify


def test_noop_without_socket() -> None:
    assert notify({"READY": "1"}, {}) is False


def test_sends_one_datagram(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        assert notify({"READY": "1", "STATUS": "membership up"}, {"NOTIFY_SOCKET": str(path)})
        assert server.recv(4096) == b"READY=1\nSTATUS=membership up"


def test_abstract_socket_name() -> None:
    name = f"pycrm-test-{id(object())}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind("\0" + name)
        assert notify({"STOPPING": "1"}, {"NOTIFY_SOCKET": "@" + name})
        assert server.recv(4096) == b"STOPPING=1"
