"""`pycrm run` as systemd runs it, with real daemons in the namespace lab: the notify
protocol on a NOTIFY_SOCKET this test listens on, journald's stream contract on stderr,
/metrics on the node's loopback, and a stop that moves the resources away before exit 0."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.fixtures.clusterlab import LabHarness

pytestmark = [pytest.mark.root, pytest.mark.realproc, pytest.mark.slow]

Make = Callable[..., LabHarness]
PORT = 9464  # each node has its own network namespace: the same port everywhere


class NotifySocket:
    """What systemd listens on: a datagram socket at $NOTIFY_SOCKET."""

    def __init__(self, sock: socket.socket, path: str) -> None:
        self.sock = sock
        self.path = path
        self.messages: list[tuple[float, dict[str, str]]] = []

    def poll(self, timeout: float = 0.1) -> None:
        """Take what arrived, waiting up to `timeout` for the first datagram."""
        self.sock.settimeout(timeout)
        while True:
            try:
                data = self.sock.recv(4096)
            except (TimeoutError, BlockingIOError):
                return
            fields = dict(line.split("=", 1) for line in data.decode().splitlines())
            self.messages.append((time.monotonic(), fields))
            self.sock.settimeout(0)

    def wait(
        self, what: str, cond: Callable[[dict[str, str]], bool], limit: float
    ) -> dict[str, str]:
        deadline = time.monotonic() + limit
        seen = 0
        while True:
            for _, fields in self.messages[seen:]:
                if cond(fields):
                    return fields
            seen = len(self.messages)
            assert time.monotonic() < deadline, f"no {what} in {limit} s: {self.messages}"
            self.poll(0.1)

    def all(self, key: str) -> list[str]:
        return [fields[key] for _, fields in self.messages if key in fields]


@contextmanager
def notify_socket() -> Iterator[NotifySocket]:
    with tempfile.TemporaryDirectory(prefix="pycrm-notify-") as tmp:
        path = str(Path(tmp) / "notify")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.bind(path)
            yield NotifySocket(sock, path)


def scrape(lab: LabHarness, node: str, address: str = "127.0.0.1") -> str:
    """GET /metrics from inside the node's network namespace (curl, as a user would)."""
    host = f"[{address}]" if ":" in address else address
    argv = [
        "ip", "netns", "exec", lab.node(node).ns,
        "curl", "-sS", "-m", "5", f"http://{host}:{PORT}/metrics",
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in the text format (None: absent)."""
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        m = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", line)
        if m is None:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(m.group(2))
    return None


def _journal_env(lab: LabHarness, node: str) -> dict[str, str]:
    """$JOURNAL_STREAM naming the daemon's stderr (the lab's log file), as systemd names
    the journal's stream socket."""
    log = lab.node(node).log
    log.touch()
    st = os.stat(log)
    return {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}


def test_one_node_notify_watchdog_journal_and_metrics(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=1, disk=False)
    member = lab.members[0]
    lab.write_config(member, lab.group_cib(), extra=f"[metrics]\nport = {PORT}")
    with notify_socket() as notify:
        env = {"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"}
        proc = lab.start("node1", env={**env, **_journal_env(lab, "node1")})
        ready = notify.wait("READY=1", lambda f: f.get("READY") == "1", 30)
        assert ready["MAINPID"] == str(proc.pid)  # ip netns exec and unshare exec the daemon
        assert ready["STATUS"]
        lab.wait_holder("node1", timeout=60)
        notify.wait("a verdict as STATUS", lambda f: "started web" in f.get("STATUS", ""), 30)
        pings = len(notify.all("WATCHDOG"))
        notify.wait("more watchdog pings", lambda f: len(notify.all("WATCHDOG")) >= pings + 3, 10)

        text = scrape(lab, "node1")
        assert sample(text, "ha_cluster_pacemaker_nodes", node="node1", status="online") == 1
        assert sample(text, "ha_cluster_pacemaker_nodes", node="node1", status="dc") == 1
        active = sample(
            text, "ha_cluster_pacemaker_resources",
            node="node1", resource="web-ip", group="web", status="active", role="started",
        )  # fmt: skip
        assert active == 1
        assert sample(text, "ha_cluster_corosync_quorate") == 1
        assert sample(text, "ha_cluster_pacemaker_stonith_enabled") == 0
        assert sample(text, "pycrm_failovers_total", cause="node") == 0
        assert sample(text, "pycrm_fence_actions_total", result="success") == 0
        assert sample(text, "ha_cluster_scrape_success", collector="pacemaker") == 1
        # loopback only: the node's own cluster address does not answer
        outside = subprocess.run(
            ["ip", "netns", "exec", member.ns, "curl", "-sS", "-m", "5",
             f"http://{member.addrs[0]}:{PORT}/metrics"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert outside.returncode == 7, outside  # curl: could not connect (refused)

        proc.send_signal(signal.SIGTERM)
        notify.wait("STOPPING=1", lambda f: f.get("STOPPING") == "1", 30)
        assert proc.wait(60) == 0
        assert lab.vip_holders() == []
    lines = member.log.read_text().splitlines()
    daemon_lines = [line for line in lines if line.startswith("<")]
    assert daemon_lines, lines[-20:]
    # journald's stream contract: priority prefix, no timestamp/host/identifier of our own
    assert all(re.match(r"<[0-7]>(DEBUG|INFO|WARNING|ERROR|CRITICAL): ", x) for x in daemon_lines)
    assert any(x.startswith("<6>INFO: verdict: started web on node1") for x in daemon_lines)


def test_sigterm_moves_the_group_away_then_exits_zero(cluster_lab: Make) -> None:
    """systemctl stop: SIGTERM, the group's members stop on node1 in reverse order, the
    group starts on node2, STOPPING=1 was sent, and the daemon exits 0 with nothing left."""
    lab = cluster_lab(nodes=2)
    cib = lab.group_cib()
    for member in lab.members:
        lab.write_config(member, cib, extra=f"[metrics]\nport = {PORT}")
    with notify_socket() as notify:
        proc = lab.start("node1", env={"NOTIFY_SOCKET": notify.path})
        lab.start("node2")
        lab.start_sampling()
        lab.audit(vip_holder="node1", timeout=90)
        assert lab.http() == 200
        proc.send_signal(signal.SIGTERM)
        notify.wait("STOPPING=1", lambda f: f.get("STOPPING") == "1", 30)
        assert proc.wait(120) == 0
        # at the exit, nothing of the group is left on node1
        assert "node1" not in lab.vip_holders() and "node1" not in lab.disk_holders()
        assert lab.daemon_pids("node1") == []
    lab.wait_holder("node2", timeout=60)
    lab.wait_http(timeout=30)
    lab.audit(vip_holder="node2")
    log = lab.node("node1").log.read_text()
    stops = [
        m.group(1)
        for m in re.finditer(r"call \d+: (web-\w+)_stop_0 on node1: rc=0 \(complete\)", log)
    ]
    assert stops == ["web-site", "web-fs", "web-ip"]  # the group, stopped in reverse order
    # a planned move is not a failover
    assert sample(scrape(lab, "node2"), "pycrm_failovers_total", cause="node") == 0


def test_a_crash_is_counted_as_a_failover_with_its_duration(cluster_lab: Make) -> None:
    lab = cluster_lab(nodes=2, disk=False)
    cib = lab.group_cib()
    for member in lab.members:
        lab.write_config(member, cib, extra=f"[metrics]\nport = {PORT}")
    for member in lab.members:
        lab.start(member.name)
    lab.audit(vip_holder="node1", timeout=90)
    lab.crash("node1")
    lab.wait_holder("node2", timeout=60)
    lab.wait_settled()

    def counted() -> str | None:
        text = scrape(lab, "node2")
        return text if sample(text, "pycrm_failovers_total", cause="node") == 1 else None

    text = lab.wait_for(counted, 20, "the failover counted on node2")
    duration = sample(text, "pycrm_last_failover_duration_seconds")
    assert duration is not None and 0 < duration < 30
    assert sample(text, "ha_cluster_pacemaker_nodes", node="node1", status="online") == 0
    assert sample(text, "ha_cluster_corosync_quorate") == 1  # two_node
    assert sample(text, "ha_cluster_corosync_member_votes", node="node2", local="true") == 1
    assert sample(text, "ha_cluster_corosync_member_votes", node="node1") is None
