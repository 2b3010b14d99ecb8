"""pycrm's Heartbeat v1 node against the real heartbeat 3.0.6, in network namespaces.

Timings: keepalive 200ms, warntime 1, deadtime 2, initdead 4 (deadtime > 2 x
keepalive as heartbeat requires). Timing assertions are stated in those
terms: death is detected deadtime +/- one keepalive after the kill (plus a
small scheduling allowance for a loaded CI machine); everything else waits on
a condition with a deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.hblab import (
    REAL_ADDR,
    HbConfig,
    HbLab,
    OurNode,
    RealNode,
    pycrm_argv,
    require_hblab,
    wait_until,
    write_ha_d,
)
from tests.fixtures.tools import require_tool

pytestmark = [pytest.mark.realproc, pytest.mark.root]

REAL = "hbreal"
OURS = "hbpy"
NODES = (REAL, OURS)
KEEPALIVE = 0.2
DEADTIME = 2.0
SCHED_SLACK = 0.1  # event-loop and polling latency allowance, seconds


def both_active(real: RealNode, ours: OurNode) -> bool:
    return ours.nodestatus(REAL) == "active" and real.nodestatus(OURS) == "active"


def start_pair(lab: HbLab, real_cfg: HbConfig, ours_cfg: HbConfig) -> tuple[RealNode, OurNode]:
    real = lab.start_real(lab.prepare_real(REAL, real_cfg))
    ours = lab.start_ours(lab.prepare_ours(OURS, ours_cfg))
    return real, ours


def test_ucast_sha1_active_dead_and_rejoin(hblab: HbLab) -> None:
    cfg = HbConfig(nodes=NODES, media="ucast", auth_index=1)
    # Our node also watches the real node's address as an ICMP ping node.
    ours_cfg = HbConfig(nodes=NODES, media="ucast", auth_index=1, extra=(f"ping {REAL_ADDR}",))
    real, ours = start_pair(hblab, cfg, ours_cfg)
    wait_until(lambda: both_active(real, ours), 20, 0.1, "both nodes active")
    wait_until(lambda: ours.nodestatus(REAL_ADDR) == "ping", 10, 0.1, "ping node up")
    res = ours.cl_status("nodetype", REAL_ADDR)
    assert res.stdout == "ping\n"

    # Our cl_status answers exactly like heartbeat's.
    res = ours.cl_status("nodestatus", REAL)
    assert (res.returncode, res.stdout) == (0, "active\n")
    res = ours.cl_status("hbstatus")
    assert (res.returncode, res.stdout) == (0, "Heartbeat is running on this machine.\n")
    res = ours.cl_status("listnodes")
    # heartbeat's node walk lists the last configured node first
    assert res.stdout.split() == [REAL_ADDR, OURS, REAL]
    res = ours.cl_status("listnodes", "-n")
    assert res.stdout.split() == [OURS, REAL]
    res = ours.cl_status("listhblinks", REAL)
    assert res.stdout == "\thb0\n"
    res = ours.cl_status("hblinkstatus", REAL, "hb0")
    assert (res.returncode, res.stdout) == (0, "up\n")
    res = ours.cl_status("nodestatus", "nosuchnode")
    assert res.returncode == 11
    # Flow control runs both ways: we acknowledge the real daemon and it us.
    wait_until(
        lambda: (
            (snap := ours.snapshot()) is not None
            and snap["counters"].get("acks_sent", 0) > 0
            and snap["counters"].get("acks_received", 0) > 0
        ),
        10,
        0.2,
        "NS_ackmsg in both directions",
    )
    # ... and the real daemon sees our node and its link.
    assert real.cl_status("hblinkstatus", OURS, "hb0") == (0, "up")
    assert real.cl_status("nodetype", OURS) == (0, "normal")

    # The real daemon announces deadtime+2 s (dt) for 5 s after start; kill it
    # only once it is back to plain deadtime, so the expected window is exact.
    wait_until(
        lambda: (ours.node(REAL) or {}).get("deadtime_ms") == int(DEADTIME * 1000),
        15,
        0.1,
        "the real daemon's dt to settle at deadtime",
    )
    real.kill(signal.SIGKILL)
    killed = time.monotonic()
    wait_until(lambda: ours.nodestatus(REAL) == "dead", DEADTIME * 3, 0.01, "peer declared dead")
    took = time.monotonic() - killed
    assert DEADTIME - KEEPALIVE - SCHED_SLACK <= took <= DEADTIME + KEEPALIVE + SCHED_SLACK, took
    log = ours.log()
    assert f"WARN: node {REAL}: is dead" in log
    assert f"info: Link {REAL}:hb0 dead." in log
    res = ours.cl_status("nodestatus", REAL)
    assert (res.returncode, res.stdout) == (1, "dead\n")

    # Restart: it comes back with a new generation and both sides go active again.
    real.wait_exit()
    hblab.start_real(real)
    wait_until(lambda: both_active(real, ours), 20, 0.1, "both nodes active after restart")
    log = ours.log()
    assert f"info: Heartbeat restart on node {REAL}" in log
    assert log.count(f"info: Link {REAL}:hb0 up.") == 2
    assert "returning after partition" not in log  # a new generation, not a partition
    assert f"Status update for node {OURS}: status active" in real.log()

    # Graceful stop of our node: shutdone first, then the real daemon's deadtime.
    hblab.stop(ours.proc)
    assert ours.proc is not None and ours.proc.returncode == 0
    wait_until(lambda: real.nodestatus(OURS) == "dead", DEADTIME * 4, 0.1, "real sees us dead")
    real_log = real.log()
    assert f"Received shutdown notice from '{OURS}'." in real_log
    assert f"node {OURS}: is dead" in real_log


def _loss(lab: HbLab, action: str, probability: float) -> None:
    for chain in ("INPUT", "OUTPUT"):
        lab.in_ours(
            ["iptables", action, chain, "-p", "udp", "--dport", "694", "-m", "statistic",
             "--mode", "random", "--probability", str(probability), "-j", "DROP"]
        )  # fmt: skip


def test_bcast_md5_netstring_survives_packet_loss(hblab: HbLab) -> None:
    require_tool("iptables")
    real_cfg = HbConfig(nodes=NODES, media="bcast", auth_index=2)
    ours_cfg = HbConfig(nodes=NODES, media="bcast", auth_index=2, extra=("msgfmt netstring",))
    real, ours = start_pair(hblab, real_cfg, ours_cfg)
    wait_until(lambda: both_active(real, ours), 20, 0.1, "both nodes active")
    assert "bcast hb0 to 10.201.0.255 port 694: started" in ours.log()

    # sch_netem is not available in this kernel: drop 30% of heartbeat packets
    # in both directions with iptables' statistic match in our namespace.
    _loss(hblab, "-A", 0.3)
    try:
        end = time.monotonic() + 6.0
        checks = 0
        while time.monotonic() < end:
            assert ours.nodestatus(REAL) == "active"
            if checks % 10 == 0:
                assert real.nodestatus(OURS) == "active"
            checks += 1
            time.sleep(0.1)
        # Keep going until both retransmission directions have been exercised.
        wait_until(
            lambda: (
                (snap := ours.snapshot()) is not None
                and snap["counters"].get("filled", 0) > 0
                and snap["counters"].get("rexmit_sent", 0) > 0
            ),
            20,
            0.2,
            "retransmissions in both directions",
        )
        assert ours.nodestatus(REAL) == "active"
        assert real.nodestatus(OURS) == "active"
    finally:
        _loss(hblab, "-D", 0.3)
    snap = ours.snapshot()
    assert snap is not None
    assert snap["counters"]["rexmit_requested"] > 0
    ours_log, real_log = ours.log(), real.log()
    assert f"lost packet(s) for [{REAL}]" in ours_log
    assert f"No pkts missing from {REAL}!" in ours_log
    assert f"lost packet(s) for [{OURS}]" in real_log
    # the real daemon accepted our retransmissions (gaps closed)
    wait_until(
        lambda: f"No pkts missing from {OURS}!" in real.log(), 10, 0.2, "real gap filled by us"
    )
    assert f"node {REAL}: is dead" not in ours_log
    assert f"node {OURS}: is dead" not in real_log


def test_mcast_crc_active(hblab: HbLab) -> None:
    cfg = HbConfig(nodes=NODES, media="mcast", auth_index=3)
    real = hblab.start_real(hblab.prepare_real(REAL, cfg))
    ours = hblab.start_ours(hblab.prepare_ours(OURS, cfg, args=("--allow-insecure-auth",)))
    wait_until(lambda: both_active(real, ours), 20, 0.1, "both nodes active over mcast")
    assert real.cl_status("hblinkstatus", OURS, "hb0") == (0, "up")
    assert "mcast hb0 group 239.0.0.201 port 694 ttl 1: started" in ours.log()
    # the opted-in crc key is warned about in the node's log
    assert any(
        "WARN:" in line and "running anyway because of --allow-insecure-auth" in line
        for line in ours.log().splitlines()
    )


def test_wrong_key_is_rejected_and_logged_on_both_sides(hblab: HbLab) -> None:
    real_cfg = HbConfig(nodes=NODES, media="ucast", auth_index=1, sha1_key="the-right-key")
    ours_cfg = HbConfig(nodes=NODES, media="ucast", auth_index=1, sha1_key="a-wrong-key")
    real, ours = start_pair(hblab, real_cfg, ours_cfg)
    wait_until(
        lambda: f"authentication failed for packet from {REAL_ADDR} on hb0" in ours.log(),
        10,
        0.1,
        "our node to log the rejected packets",
    )
    wait_until(
        lambda: f"node [{OURS}] failed authentication" in real.log(),
        10,
        0.1,
        "the real daemon to log the rejected packets",
    )
    # Several keepalives later neither side has accepted anything from the other.
    time.sleep(5 * KEEPALIVE)
    assert ours.nodestatus(REAL) not in ("up", "active")
    assert real.nodestatus(OURS) not in ("up", "active")
    snap = ours.snapshot()
    assert snap is not None
    assert snap["decode"].get("bad_auth", 0) > 0
    assert f"Link {REAL}:hb0 up." not in ours.log()
    assert f"Link {OURS}:hb0 up." not in real.log()


@pytest.fixture
def hblab3() -> Iterator[HbLab]:
    """The real daemon and two pycrm nodes on one bridge."""
    require_hblab()
    lab = HbLab()
    try:
        lab.setup_network(extra_ours=1)
        yield lab
    finally:
        lab.close()


def test_three_nodes_membership_and_one_failure(hblab3: HbLab) -> None:
    lab = hblab3
    nodes = (REAL, OURS, "hbpy2")
    cfg = HbConfig(nodes=nodes, media="bcast", auth_index=1)
    real = lab.start_real(lab.prepare_real(REAL, cfg))
    ours = lab.start_ours(lab.prepare_ours(OURS, cfg))
    ours2 = lab.start_ours(lab.prepare_ours("hbpy2", cfg, ns=lab.extra_ns[0]))

    def all_active() -> bool:
        return (
            real.nodestatus(OURS) == real.nodestatus("hbpy2") == "active"
            and ours.nodestatus(REAL) == ours.nodestatus("hbpy2") == "active"
            and ours2.nodestatus(REAL) == ours2.nodestatus(OURS) == "active"
        )

    wait_until(all_active, 20, 0.2, "all three nodes active")
    assert real.cl_status("listnodes")[1].split() == ["hbpy2", OURS, REAL]

    assert ours2.proc is not None
    os.kill(ours2.proc.pid, signal.SIGKILL)
    ours2.proc.wait(10)
    wait_until(
        lambda: real.nodestatus("hbpy2") == "dead" and ours.nodestatus("hbpy2") == "dead",
        DEADTIME * 4,
        0.1,
        "hbpy2 declared dead by both survivors",
    )
    assert real.nodestatus(OURS) == "active"
    assert ours.nodestatus(REAL) == "active"
    assert "node hbpy2: is dead" in real.log()
    assert "node hbpy2: is dead" in ours.log()


def test_group_readable_authkeys_refused(tmp_path: Path) -> None:
    ha_d = write_ha_d(tmp_path, HbConfig(nodes=NODES), OURS)
    keys = ha_d / "authkeys"
    keys.chmod(0o644)
    state = tmp_path / "state"
    res = subprocess.run(
        [*pycrm_argv(), "heartbeat", "--ha-d", str(ha_d), "--state-dir", str(state), "-f"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Bad permissions on keyfile" in lines[0]
    assert str(keys) in lines[0]
    assert "Traceback" not in res.stderr
    assert not (state / "cl_status.sock").exists()
    assert os.stat(keys).st_mode & 0o777 == 0o644  # refused, not "fixed"
