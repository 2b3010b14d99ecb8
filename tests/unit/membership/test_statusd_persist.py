"""Status socket, persistent identity, heartbeat-format logging, media building."""

from __future__ import annotations

import logging
import selectors
import socket as socketmod
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from heartbeat_compat.membership.hblog import HaLogFormatter
from heartbeat_compat.membership.media import build_media, link_names
from heartbeat_compat.membership.statusd import StatusSocketError, query, status_server
from heartbeat_compat.transport import BcastMedium, MediumSetupError, SerialMedium, UcastMedium
from tests.support.loop import serving, wait_for


def test_status_socket_roundtrip_and_permissions(tmp_path: Path) -> None:
    path = tmp_path / "run" / "cl_status.sock"
    server = status_server(path, lambda: {"me": "a", "nodes": []})
    with serving(server):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert query(path, timeout=2) == {"me": "a", "nodes": []}
        second = status_server(path, dict)
        with pytest.raises(StatusSocketError, match="already running"):
            second.open(selectors.DefaultSelector())
    assert not path.exists()
    with pytest.raises(StatusSocketError):
        query(path, timeout=1)


def test_log_format_matches_ha_log() -> None:
    rec = logging.LogRecord("x", logging.WARNING, __file__, 1, "node %s: is dead", ("b",), None)
    rec.process = 42
    text = HaLogFormatter("nodea").format(rec)
    assert text.endswith(" nodea heartbeat: [42]: WARN: node b: is dead")
    assert len(text.split(" ", 3)[2]) == 8  # HH:MM:SS


@dataclass(frozen=True)
class Spec:
    kind: str
    interface: str
    peer: str | None = None
    group: str | None = None
    port: int | None = None
    ttl: int | None = None
    loop: int | None = None
    baud: int | None = None


def test_media_from_hacf_specs() -> None:
    media = build_media(
        [
            Spec("ucast", "eth1", peer="10.0.0.1"),
            Spec("ucast", "eth1", peer="10.0.0.2"),
            Spec("bcast", "eth2"),
            Spec("serial", "/dev/ttyS0"),
        ],
        udpport=694,
        baud=19200,
    )
    assert [type(m) for m in media] == [UcastMedium, BcastMedium, SerialMedium]
    assert isinstance(media[0], UcastMedium) and media[0].peers == ["10.0.0.1", "10.0.0.2"]
    assert link_names(media) == ("eth1", "eth2", "/dev/ttyS0")
    with pytest.raises(MediumSetupError, match="not supported"):
        build_media([Spec("ucast6", "eth1", peer="fd00::1")], 694, 19200)


def test_silent_client_does_not_block_the_server(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = status_server(path, lambda: {"x": 1})
    silent = socketmod.socket(socketmod.AF_UNIX, socketmod.SOCK_STREAM)
    try:
        with serving(server):
            silent.connect(str(path))
            wait_for(lambda: server.clients == 1)
            assert query(path, timeout=2) == {"x": 1}
            wait_for(lambda: server.clients == 1)  # the silent one is still waiting
    finally:
        silent.close()
