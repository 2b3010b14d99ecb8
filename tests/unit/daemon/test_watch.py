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
