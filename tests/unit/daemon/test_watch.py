"""What the watchers react to: the table's rules, and a real pidfd."""

from __future__ import annotations

import selectors
import subprocess
import sys
import time

from pycrm.daemon.watch import LinkEvent, PidWatcher, WatchTable


def test_address_removed_triggers_only_its_resource() -> None:
    table = WatchTable()
    table.watch_address("vip", "10.9.0.100", 3)
    table.watch_address("vip2", "10.9.1.100", 4)
    assert table.match(LinkEvent("addr-del", 3, address="10.9.0.100")) == [
        ("vip", "address 10.9.0.100 removed")
    ]
    assert table.match(LinkEvent("addr-del", 3, address="10.9.0.7")) == []


def test_link_down_triggers_once_per_transition() -> None:
    table = WatchTable()
    table.watch_address("vip", "10.9.0.100", 3)
    down = LinkEvent("link", 3, "eth0", up=False)
    assert table.match(down) == [("vip", "link eth0 under 10.9.0.100 went down")]
    assert table.match(down) == []  # still down: no new trigger
    assert table.match(LinkEvent("link", 3, "eth0", up=True)) == []
    assert table.match(down) != []
    assert table.match(LinkEvent("link", 5, "eth1", up=False)) == []


def test_new_address_teaches_the_interface() -> None:
    table = WatchTable()
    table.watch_address("vip", "10.9.0.100", None)
    table.match(LinkEvent("addr-new", 7, address="10.9.0.100"))
    assert table.match(LinkEvent("link", 7, "eth0", up=False)) != []
    table.forget("vip")
    assert table.match(LinkEvent("link", 7, "eth0", up=True)) == []
    assert table.match(LinkEvent("link", 7, "eth0", up=False)) == []


def test_pidfd_exit_triggers_the_monitor() -> None:
    selector = selectors.DefaultSelector()
    hits: list[tuple[str, str]] = []
    watcher = PidWatcher(selector, lambda rsc, why: hits.append((rsc, why)))
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        watcher.watch("www", proc.pid)
        assert selector.select(0.05) == []
        proc.kill()
        deadline = time.monotonic() + 5
        while not hits and time.monotonic() < deadline:
            for key, mask in selector.select(0.5):
                key.data.on_ready(mask)
        assert hits == [("www", f"main process {proc.pid} exited")]
        assert watcher.handles == {}
    finally:
        proc.kill()
        proc.wait()
        watcher.close()
        selector.close()


def test_watching_a_dead_pid_triggers_at_once() -> None:
    selector = selectors.DefaultSelector()
    hits: list[str] = []
    watcher = PidWatcher(selector, lambda rsc, why: hits.append(rsc))
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    watcher.watch("www", proc.pid)
    assert hits == ["www"]
    selector.close()


def test_decode_real_message_shapes_and_garbage() -> None:
    import socket as sock
    import struct

    from ocf.net import rtnl
    from pycrm.daemon.watch import decode

    def msg(mtype: int, body: bytes) -> bytes:
        return struct.pack("=IHHII", 16 + len(body), mtype, 0, 0, 0) + body

    def attr(kind: int, payload: bytes) -> bytes:
        raw = struct.pack("=HH", 4 + len(payload), kind) + payload
        return raw + b"\0" * (-len(raw) % 4)

    link_down = (
        struct.pack("=BxHiII", 0, 1, 3, 0x1003, 0)
        + attr(3, b"eth0\0")
        + attr(
            16,
            bytes([3]),  # IFLA_OPERSTATE LOWERLAYERDOWN: the veth peer went down
        )
    )
    addr_del = struct.pack("=BBBBI", sock.AF_INET, 24, 0, 0, 3) + attr(2, bytes([10, 9, 0, 100]))
    data = msg(rtnl.RTM_NEWLINK, link_down) + msg(rtnl.RTM_DELADDR, addr_del)
    events = decode(data)
    assert events == [
        LinkEvent("link", 3, "eth0", up=False),
        LinkEvent("addr-del", 3, address="10.9.0.100"),
    ]
    assert decode(b"\x00" * 7) == []
    assert decode(msg(rtnl.RTM_NEWLINK, b"\x01")) == []  # body shorter than ifinfomsg
