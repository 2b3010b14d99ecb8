"""`pycrm heartbeat` against forged and replayed packets, as real processes in namespaces.

* a crc key anywhere in authkeys refuses the node unless `--allow-insecure-auth`;
* without a crc line, a crc-signed ("forged") status packet is dropped and counted,
  and the node it names never shows up;
* a packet captured from an older generation of the real heartbeat 3.0.6 is still a
  replay after our own node restarted (the peers' generations are saved).

Timings as in test_heartbeat_interop: keepalive 200ms, deadtime 2, initdead 4.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from heartbeat_compat.membership.persist import STATE_FILE
from heartbeat_compat.membership.statusd import SOCKET_NAME
from heartbeat_compat.wire import AuthKey, AuthKeys, DecodeStats, Message, control, decode, encode
from tests.fixtures.hblab import (
    OURS_ADDR,
    REAL_ADDR,
    HbConfig,
    HbLab,
    OurNode,
    pycrm_argv,
    require_hblab,
    wait_until,
    write_ha_d,
)

pytestmark = [pytest.mark.realproc, pytest.mark.root]

REAL = "hbreal"
OURS = "hbpy"
NODES = (REAL, OURS)
TAP_ADDR = "10.201.0.3"  # a third namespace on the bridge that sees the real node's packets


def run_once(ha_d: Path, state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`pycrm heartbeat -f` that is expected to refuse to start."""
    return subprocess.run(
        [*pycrm_argv(), "heartbeat", "--ha-d", str(ha_d), "--state-dir", str(state_dir), "-f",
         *args],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def counters(node: OurNode) -> dict[str, int]:
    snap = node.snapshot() or {}
    return {**snap.get("counters", {}), **snap.get("decode", {})}


# ----------------------------------------------------------------------------- crc


def test_spare_crc_key_refuses_to_start_in_one_line(tmp_path: Path) -> None:
    require_hblab()
    ha_d = write_ha_d(tmp_path, HbConfig(nodes=NODES, auth_index=1, spare_crc=True), OURS)
    res = run_once(ha_d, tmp_path / "st")
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0] == (
        f"pycrm heartbeat: ERROR: {ha_d}/authkeys:4: auth key 3 uses crc, an unkeyed checksum:"
        " anyone on the link can forge cluster packets; switch every node to sha1 with a secret"
        " key (heartbeat 3.0.6 supports it), or opt in with --allow-insecure-auth"
    )
    assert not (tmp_path / "st").exists()  # refused before any state was written


def test_authkeys_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    require_hblab()
    ha_d = write_ha_d(tmp_path, HbConfig(nodes=NODES), OURS)
    os.chown(ha_d / "authkeys", 65534, 65534)  # nobody; we run as root
    res = run_once(ha_d, tmp_path / "st")
    assert res.returncode != 0
    assert res.stderr.strip() == (
        f"pycrm heartbeat: ERROR: {ha_d}/authkeys: keyfile is owned by uid 65534, not by root"
        " or by the user running the node (uid 0); chown it to root (mode 600)"
    )
    assert not (tmp_path / "st").exists()


def test_spare_crc_key_with_opt_in_runs_and_warns_at_every_start(hblab: HbLab) -> None:
    cfg = HbConfig(nodes=NODES, auth_index=1, spare_crc=True)
    ours = hblab.prepare_ours(OURS, cfg, args=("--allow-insecure-auth",))
    warning = (
        f"WARN: {ours.ha_d}/authkeys:4: auth key 3 uses crc, an unkeyed checksum: anyone on the"
        " link can forge cluster packets; running anyway because of --allow-insecure-auth:"
        " switch every node to sha1 with a secret key (heartbeat 3.0.6 supports it)"
    )
    for start in (1, 2):
        hblab.start_ours(ours)
        assert ours.log().count(warning) == start
        hblab.stop(ours.proc)
        assert ours.proc is not None and ours.proc.returncode == 0


def _forged_status(src: str, seq: int) -> bytes:
    msg = control.status("active", deadtime_ms=2000)
    control.add_control_fields(msg, src=src, seq=seq, hg=1, ts=1, ttl=3, ld="0.00")
    return encode(msg, fmt="netstring", auth=AuthKey.of(3, "crc"))


def test_crc_forged_status_is_dropped_and_counted(hblab: HbLab) -> None:
    cfg = HbConfig(nodes=NODES, auth_index=1)  # sha1 + md5, no crc line
    assert "crc" not in cfg.authkeys()
    ours = hblab.start_ours(hblab.prepare_ours(OURS, cfg))
    for seq in range(1, 4):
        for src in ("intruder", REAL):
            hblab.send_udp(hblab.ns_real, OURS_ADDR, _forged_status(src, seq))
    wait_until(lambda: counters(ours).get("unknown_auth_index", 0) >= 6, 10, 0.1, "6 forged drops")
    assert counters(ours).get("received", 0) == counters(ours).get("own_packets", 0)
    listed = ours.cl_status("listnodes")
    assert listed.returncode == 0 and sorted(listed.stdout.split()) == sorted(NODES)
    assert ours.cl_status("nodestatus", "intruder").returncode == 11  # unknown node
    assert ours.nodestatus(REAL) not in ("up", "active")
    log = ours.log()
    assert f"authentication failed for packet from {REAL_ADDR} on hb0 (unknown_auth_index)" in log
    assert "intruder" not in log  # never got past authentication
    assert f"Link {REAL}:hb0 up." not in log


# -------------------------------------------------------------------------- replay


@pytest.fixture
def tapped() -> Iterator[HbLab]:
    """The real daemon, our node and a listening tap on one bridge."""
    require_hblab()
    lab = HbLab()
    try:
        lab.setup_network(extra_ours=1)  # the extra namespace (10.201.0.3) is the tap
        yield lab
    finally:
        lab.close()


def _status_packets(capdir: Path, keys: AuthKeys) -> list[tuple[int, bytes]]:
    """(generation, packet) of every status message the real node sent to the tap."""
    found = []
    for path in sorted(capdir.glob("*.bin")):
        data = path.read_bytes()
        msg: Message | None = decode(data, keys=keys, stats=DecodeStats())
        if msg is not None and msg.get_str("t") == "status" and msg.get_str("src") == REAL:
            found.append((int(msg.get_str("hg") or "0", 16), data))
    return found


def _saved_generation(ours: OurNode) -> int | None:
    try:
        doc = json.loads((ours.state_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    value = doc["peers"].get(REAL)
    return value if isinstance(value, int) else None


def test_replayed_packet_from_an_older_generation_after_our_restart(tapped: HbLab) -> None:
    lab = tapped
    real_cfg = HbConfig(nodes=NODES, extra=(f"ucast hb0 {TAP_ADDR}",))
    ours_cfg = HbConfig(nodes=NODES)
    keys = AuthKeys.from_mapping({1: ("sha1", real_cfg.sha1_key)}, active=1)
    capdir = lab.capture(lab.extra_ns[0], TAP_ADDR)
    real = lab.start_real(lab.prepare_real(REAL, real_cfg))
    ours = lab.start_ours(lab.prepare_ours(OURS, ours_cfg))

    def active() -> bool:
        return ours.nodestatus(REAL) == "active"

    # generation G: capture one of its status packets
    wait_until(active, 20, 0.1, "the real node active")
    wait_until(lambda: _status_packets(capdir, keys), 10, 0.1, "a captured status packet")
    gen, captured = _status_packets(capdir, keys)[0]
    assert (ours.node(REAL) or {}).get("generation") == gen
    wait_until(lambda: _saved_generation(ours) == gen, 10, 0.1, "generation G saved")

    # the real node restarts: generation G+1, saved when it is first seen
    real.kill(signal.SIGKILL)
    real.wait_exit()
    lab.start_real(real)
    wait_until(
        lambda: (ours.node(REAL) or {}).get("generation") == gen + 1 and active(),
        20,
        0.1,
        "the real node back at generation G+1",
    )
    wait_until(lambda: _saved_generation(ours) == gen + 1, 10, 0.1, "generation G+1 saved")

    # the real node stops for good; our node restarts
    real.kill(signal.SIGKILL)
    real.wait_exit()
    lab.stop(ours.proc)
    restarted_at = len(ours.log())
    lab.start_ours(ours)
    wait_until(lambda: ours.nodestatus(REAL) == "dead", 15, 0.1, "the peer dead after initdead")

    lab.send_udp(lab.extra_ns[0], OURS_ADDR, captured)
    wait_until(lambda: counters(ours).get("dropped_replay", 0) >= 1, 10, 0.1, "replay counted")
    assert ours.nodestatus(REAL) == "dead"
    res = ours.cl_status("nodestatus", REAL)
    assert (res.returncode, res.stdout) == (1, "dead\n")
    log = ours.log()[restarted_at:]
    assert (
        f"ERROR: should_drop_message: attempted replay attack [{REAL}]?"
        f" [gen = {gen}, curgen = {gen + 1}]"
    ) in log
    assert f"Link {REAL}:hb0 up." not in log
    assert f"Status update for node {REAL}" not in log
    assert (ours.state_dir / SOCKET_NAME).exists()
