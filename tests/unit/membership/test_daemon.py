"""HeartbeatNode event loop with in-memory media (socketpairs) and the real wire codec."""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from heartbeat_compat.daemon import (
    FatalError,
    HeartbeatNode,
    NodeOptions,
    NodeParts,
    assemble,
    local_node_name,
)
from heartbeat_compat.membership.codec import WireCodec
from heartbeat_compat.membership.engine import EngineConfig, MembershipEngine
from heartbeat_compat.membership.persist import NodeState, load_state
from heartbeat_compat.transport.base import Datagram, Medium, TransportError
from heartbeat_compat.wire import AuthKeys
from pycrm.cli.main import main
from tests.unit.membership.sim import FAST


class PairMedium(Medium):
    kind = "pair"

    def __init__(self, sock: socket.socket, fail_send: bool = False) -> None:
        super().__init__("hb0")
        self.sock = sock
        self.fail_send = fail_send

    def open(self) -> None:
        self.sock.setblocking(False)

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, data: bytes) -> None:
        if self.fail_send:
            raise TransportError("pair hb0: send failed: Network is unreachable")
        self.sock.send(data)

    def recv(self) -> list[Datagram]:
        out = []
        while True:
            try:
                out.append(Datagram(self.sock.recv(65535), self.link, "peer"))
            except BlockingIOError:
                return out

    def close(self) -> None:
        self.sock.close()


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}: {record.getMessage()}")


def make_node(
    tmp: Path, me: str, sock: socket.socket, key: str = "k", fail_send: bool = False
) -> tuple[HeartbeatNode, ListHandler]:
    uuid = me.encode().ljust(16, b"\0")
    cfg = EngineConfig(
        me=me, nodes=("alpha", "beta"), links=("hb0",), timing=FAST, uuid=uuid, generation=7
    )
    logger = logging.getLogger(f"test.hbnode.{me}.{id(sock)}")
    logger.setLevel(logging.DEBUG)
    handler = ListHandler()
    logger.addHandler(handler)
    hacf = SimpleNamespace(udpport=694, auto_failback="on", parameters={"keepalive": "200ms"},
                           log_badpack=True)  # fmt: skip
    parts = NodeParts(
        me=me,
        engine=MembershipEngine(cfg),
        media=[PairMedium(sock, fail_send)],
        ping_media=[],
        codec=WireCodec(AuthKeys.from_mapping({1: ("sha1", key)}, active=1)),
        socket_path=tmp / me / "cl_status.sock",
        state_dir=tmp / me,
        state=NodeState(cfg.uuid, cfg.generation),
        logger=logger,
        hacf=hacf,
    )
    node = HeartbeatNode(parts)
    node.open()
    node.engine.start(node.clock())
    return node, handler


def peer_status(node: HeartbeatNode, name: str) -> str:
    info = node.engine.nodes.get(name)
    assert info is not None
    return info.status


def drive(nodes: list[HeartbeatNode], cond: Any, limit: float = 8.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        for node in nodes:
            node._log_verdict(node.cycle())


def test_two_nodes_go_active_and_answer_status(tmp_path: Path) -> None:
    sa, sb = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    a, alog = make_node(tmp_path, "alpha", sa)
    b, _ = make_node(tmp_path, "beta", sb)
    try:
        drive([a, b], lambda: peer_status(a, "beta") == peer_status(b, "alpha") == "active")
        assert "INFO: Link beta:hb0 up." in alog.lines
        # the peer's generation was saved when it first appeared, with our own state
        saved = load_state(tmp_path / "alpha")
        assert saved == NodeState(a.engine.cfg.uuid, 7, {"beta": 7})
        assert a.parts.state == saved and not a.engine.peers_changed
        assert "INFO: verdict: alpha active, comm up, 1/1 peers alive" in alog.lines
        verdict = a.cycle()
        assert verdict.summary == "alpha active, comm up, 1/1 peers alive"

        # cl_status against the live status socket.
        stop = threading.Event()

        def serve() -> None:  # the nodes' own loops answer the status socket
            while not stop.is_set():
                a.cycle()
                b.cycle()

        t = threading.Thread(target=serve)
        t.start()
        try:
            runner = CliRunner()
            sd = str(tmp_path / "alpha")
            res = runner.invoke(main, ["cl_status", "--state-dir", sd, "nodestatus", "beta"])
            assert (res.exit_code, res.output) == (0, "active\n")
            res = runner.invoke(main, ["cl_status", "--state-dir", sd, "nodestatus", "-m", "beta"])
            assert res.output == "The cluster node beta is active\n"
            res = runner.invoke(main, ["cl_status", "--state-dir", sd, "listnodes"])
            assert res.output == "beta\nalpha\n"
            res = runner.invoke(
                main, ["cl_status", "--state-dir", sd, "hblinkstatus", "beta", "hb0"]
            )
            assert (res.exit_code, res.output) == (0, "up\n")
            res = runner.invoke(
                main, ["cl_status", "--state-dir", sd, "linkstatus", "beta", "eth9"]
            )
            assert res.exit_code == 13
            res = runner.invoke(
                main, ["cl_status", "--state-dir", sd, "hbparameter", "-p", "keepalive"]
            )
            assert res.output == "200ms\n"
            res = runner.invoke(main, ["cl_status", "--state-dir", sd, "nodestatus", "zed"])
            assert res.exit_code == 11
        finally:
            stop.set()
            t.join()
        res = CliRunner().invoke(
            main, ["cl_status", "--state-dir", str(tmp_path / "x"), "hbstatus"]
        )
        assert (res.exit_code, res.output) == (1, "Heartbeat is stopped on this machine.\n")
    finally:
        a.close()
        b.close()


def test_bad_auth_is_logged_rate_limited_and_send_errors_survived(tmp_path: Path) -> None:
    sa, sb = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    a, alog = make_node(tmp_path, "alpha", sa, key="right", fail_send=True)
    b, _ = make_node(tmp_path, "beta", sb, key="wrong")
    try:
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            a.cycle()
            b.cycle()
        auth = [line for line in alog.lines if "authentication failed" in line]
        assert 1 <= len(auth) <= 3  # about one per second, not one per packet
        assert auth[0].startswith("WARNING: authentication failed for packet from peer on hb0")
        send = [line for line in alog.lines if "send failed" in line]
        assert 1 <= len(send) <= 3
        assert peer_status(a, "beta") == "init"
        assert a.codec.stats.dropped
    finally:
        a.close()
        b.close()


def make_ha_d(tmp: Path, authkeys: str, mode: int = 0o600) -> Path:
    ha_d = tmp / "ha.d"
    ha_d.mkdir()
    (ha_d / "ha.cf").write_text(
        f"logfile {tmp}/ha-log\nlogfacility none\nkeepalive 200ms\ndeadtime 2\n"
        "warntime 1\ninitdead 4\nbcast lo\nnode alpha beta\n"
    )
    (ha_d / "authkeys").write_text(authkeys)
    (ha_d / "authkeys").chmod(mode)
    (ha_d / "nodeinfo").write_text("Alpha\n")
    return ha_d


def test_nodeinfo(tmp_path: Path) -> None:
    (tmp_path / "nodeinfo").write_text("NodeA\n")
    assert local_node_name(tmp_path) == "nodea"


def test_assemble_refuses_a_readable_authkeys(tmp_path: Path) -> None:
    ha_d = make_ha_d(tmp_path, "auth 1\n1 sha1 x\n", 0o640)
    with pytest.raises(FatalError, match="Bad permissions on keyfile"):
        assemble(NodeOptions(ha_d=ha_d, state_dir=tmp_path / "state"))
    assert not (tmp_path / "state").exists()


def test_assemble_refuses_a_spare_crc_key_unless_opted_in(tmp_path: Path) -> None:
    ha_d = make_ha_d(tmp_path, "auth 1\n1 sha1 x\n3 crc\n")
    with pytest.raises(FatalError) as err:
        assemble(NodeOptions(ha_d=ha_d, state_dir=tmp_path / "state"))
    assert str(err.value).startswith(f"{ha_d}/authkeys:3: auth key 3 uses crc")
    assert str(err.value).endswith("or opt in with --allow-insecure-auth")
    assert not (tmp_path / "state").exists()  # refused before anything was written

    opts = NodeOptions(ha_d=ha_d, state_dir=tmp_path / "state", allow_insecure_auth=True)
    parts = assemble(opts)
    warnings = [text for level, text in parts.startup if level == logging.WARNING]
    assert any("running anyway because of --allow-insecure-auth" in w for w in warnings)
    assert sorted(parts.codec.keys) == [1, 3]


def test_assemble_verifies_with_hmac_keys_only_when_there_is_no_crc(tmp_path: Path) -> None:
    ha_d = make_ha_d(tmp_path, "auth 1\n1 sha1 x\n2 md5 y\n")
    parts = assemble(NodeOptions(ha_d=ha_d, state_dir=tmp_path / "state"))
    assert sorted(parts.codec.keys) == [1, 2]
    assert not [text for level, text in parts.startup if "crc" in text]
