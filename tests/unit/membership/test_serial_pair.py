"""Two nodes over a serial line: two pty pairs joined by a byte relay (a null-modem cable)."""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Literal

from heartbeat_compat.daemon import HeartbeatNode, NodeParts
from heartbeat_compat.membership.codec import WireCodec
from heartbeat_compat.membership.engine import EngineConfig, MembershipEngine
from heartbeat_compat.membership.persist import NodeState
from heartbeat_compat.transport import SerialMedium
from heartbeat_compat.wire import AuthKeys
from tests.unit.membership.sim import FAST


def relay(a: int, b: int, stop: threading.Event) -> None:
    while not stop.is_set():
        ready, _, _ = select.select([a, b], [], [], 0.05)
        for fd in ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            os.write(b if fd == a else a, data)


def make(tmp: Path, me: str, tty: str, fmt: Literal["classic", "netstring"]) -> HeartbeatNode:
    cfg = EngineConfig(
        me=me,
        nodes=("alpha", "beta"),
        links=(tty,),
        timing=FAST,
        uuid=me.encode().ljust(16, b"\0"),
        generation=3,
    )
    logger = logging.getLogger(f"test.serial.{me}")
    parts = NodeParts(
        me=me,
        engine=MembershipEngine(cfg),
        media=[SerialMedium(tty, 115200)],
        ping_media=[],
        codec=WireCodec(AuthKeys.from_mapping({1: ("sha1", "k")}, active=1), fmt=fmt),
        socket_path=tmp / me / "cl_status.sock",
        state_dir=tmp / me,
        state=NodeState(cfg.uuid, cfg.generation),
        logger=logger,
        hacf=SimpleNamespace(udpport=694, auto_failback="on", parameters={}, log_badpack=True),
    )
    node = HeartbeatNode(parts)
    node.open()
    node.engine.start(node.clock())
    return node


def test_two_nodes_become_active_over_serial(tmp_path: Path) -> None:
    m1, s1 = os.openpty()
    m2, s2 = os.openpty()
    stop = threading.Event()
    thread = threading.Thread(target=relay, args=(m1, m2, stop), daemon=True)
    thread.start()
    tty1, tty2 = os.ttyname(s1), os.ttyname(s2)
    a = make(tmp_path, "alpha", tty1, "classic")
    b = make(tmp_path, "beta", tty2, "netstring")
    try:
        deadline = time.monotonic() + 8
        while True:
            sa = a.engine.nodes.get("beta")
            sb = b.engine.nodes.get("alpha")
            assert sa is not None and sb is not None
            if sa.status == "active" and sb.status == "active":
                break
            assert time.monotonic() < deadline, (sa.status, sb.status)
            a.cycle()
            b.cycle()
        assert sa.links[tty1].status == "up"
        assert sb.links[tty2].status == "up"
    finally:
        stop.set()
        thread.join(2)
        a.close()
        b.close()
        for fd in (m1, s1, m2, s2):
            os.close(fd)
