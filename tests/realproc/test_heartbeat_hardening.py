"""`pycrm heartbeat` against forged and replayed packets, as real processes in namespaces.

* a crc key anywhere in authkeys refuses the node unless `--allow-insecure-auth`;
* without a crc line, a crc-signed ("forged") status packet is dropped and counted,
  and the node it names never shows up;

Timings as in test_heartbeat_interop: keepalive 200ms, deadtime 2, initdead 4.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from heartbeat_compat.wire import AuthKey, control, encode
from tests.fixtures.hblab import (
    OURS_ADDR,
    REAL_ADDR,
    HbConfig,
    HbLab,
    OurNode,
    pycrm_argv,
    require_hblab,
    wait_until,
)

pytestmark = [pytest.mark.realproc, pytest.mark.root]

REAL = "hbreal"
OURS = "hbpy"
NODES = (REAL, OURS)


def write_ha_d(tmp_path: Path, cfg: HbConfig) -> Path:
    ha_d = tmp_path / "ha.d"
    ha_d.mkdir()
    (ha_d / "ha.cf").write_text(cfg.hacf(tmp_path))
    (ha_d / "authkeys").write_text(cfg.authkeys())
    (ha_d / "authkeys").chmod(0o600)
    (ha_d / "nodeinfo").write_text(f"{OURS}\n")
    return ha_d


def run_once(ha_d: Path, state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`pycrm heartbeat -f` that is expected to refuse to start."""
    return subprocess.run(
        [*pycrm_argv(), "heartbeat", "--ha-d", str(ha_d), "--state-dir", str(state_dir), "-f",
         *args],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def cl_status(node: OurNode, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*pycrm_argv(), "cl_status", "--state-dir", str(node.state_dir), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def counters(node: OurNode) -> dict[str, int]:
    snap = node.snapshot() or {}
    return {**snap.get("counters", {}), **snap.get("decode", {})}


# ----------------------------------------------------------------------------- crc


def test_spare_crc_key_refuses_to_start_in_one_line(tmp_path: Path) -> None:
    require_hblab()
    ha_d = write_ha_d(tmp_path, HbConfig(nodes=NODES, auth_index=1, spare_crc=True))
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
    ha_d = write_ha_d(tmp_path, HbConfig(nodes=NODES))
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
    listed = cl_status(ours, "listnodes")
    assert listed.returncode == 0 and sorted(listed.stdout.split()) == sorted(NODES)
    assert cl_status(ours, "nodestatus", "intruder").returncode == 11  # unknown node
    assert ours.nodestatus(REAL) not in ("up", "active")
    log = ours.log()
    assert f"authentication failed for packet from {REAL_ADDR} on hb0 (unknown_auth_index)" in log
    assert "intruder" not in log  # never got past authentication
    assert f"Link {REAL}:hb0 up." not in log
