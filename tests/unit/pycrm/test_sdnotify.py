"""The in-tree sd_notify: one datagram on $NOTIFY_SOCKET, a no-op without it."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from pathlib import Path

import pytest

from pycrm.sdnotify import Notifier, notify, watchdog_interval


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


# ------------------------------------------------------------------ the loop's Notifier
class Recorder:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        self.fail = False

    def __call__(self, state: Mapping[str, str], environ: Mapping[str, str]) -> bool:
        assert environ == {"NOTIFY_SOCKET": "/run/notify"}
        if self.fail:
            raise ConnectionRefusedError(111, "Connection refused")
        self.sent.append(dict(state))
        return True


def test_ready_status_stopping_in_order_and_once() -> None:
    rec = Recorder()
    n = Notifier({"NOTIFY_SOCKET": "/run/notify"}, pid=812, send=rec)
    n.ready("node1: started", now=0.0)
    n.status("moved web to node2:\n node1 dead")
    n.status("moved web to node2: node1 dead")  # unchanged: not sent again
    n.stopping("shutting down")
    n.stopping("shutting down")
    n.status("late verdict")  # after STOPPING the status stays
    assert rec.sent == [
        {"READY": "1", "STATUS": "node1: started", "MAINPID": "812"},
        {"STATUS": "moved web to node2: node1 dead"},
        {"STOPPING": "1", "STATUS": "shutting down"},
    ]
    assert n.next_wakeup() is None  # no watchdog asked for


def test_watchdog_at_half_the_interval_from_the_loop() -> None:
    rec = Recorder()
    env = {"NOTIFY_SOCKET": "/run/notify", "WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "812"}
    n = Notifier(env, pid=812, send=rec)
    assert n.interval == 2.0
    n.ready("up", now=100.0)
    assert n.next_wakeup() == 100.0
    n.tick(100.0)
    n.tick(101.9)  # not yet
    n.tick(102.0)
    assert [s for s in rec.sent if "WATCHDOG" in s] == [{"WATCHDOG": "1"}] * 2
    assert n.next_wakeup() == 104.0


@pytest.mark.parametrize(
    "env",
    [
        {"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "1"},  # another process's watchdog
        {"WATCHDOG_USEC": "0"},
        {"WATCHDOG_USEC": "soon"},
        {"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "x"},
    ],
)
def test_no_watchdog_when_it_is_not_ours(env: dict[str, str]) -> None:
    assert watchdog_interval(env, pid=812) is None


def test_without_a_socket_nothing_is_sent_and_no_watchdog() -> None:
    rec = Recorder()
    n = Notifier({"WATCHDOG_USEC": "4000000"}, pid=812, send=rec)
    n.ready("up", now=0.0)
    n.tick(10.0)
    assert rec.sent == [] and not n.enabled and n.next_wakeup() is None


def test_from_environment_takes_the_variables_away_from_children() -> None:
    env = {"NOTIFY_SOCKET": "/run/notify", "WATCHDOG_USEC": "1", "WATCHDOG_PID": "9", "PATH": "/"}
    n = Notifier.from_environment(env, pid=9, log=lambda text: None)
    assert n.socket == "/run/notify" and env == {"PATH": "/"}


def test_a_vanished_socket_is_logged_once_and_survived() -> None:
    rec, logged = Recorder(), []
    n = Notifier({"NOTIFY_SOCKET": "/run/notify"}, pid=1, send=rec, log=logged.append)
    rec.fail = True
    n.ready("up", now=0.0)
    n.status("again")
    assert logged == ["cannot notify systemd at /run/notify: Connection refused"]
    rec.fail = False
    n.status("back")
    assert rec.sent == [{"STATUS": "back"}]
