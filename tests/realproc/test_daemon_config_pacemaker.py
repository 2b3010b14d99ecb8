"""The CIBs `pycrm run` starts from are accepted by Pacemaker 2.1.5's own tools.

* TOML mode: the empty CIB of the configured nodes passes crm_verify.
* --ha-d mode: the in-memory translation (heartbeat-class resource.d script,
  our agents for heartbeat's wrappers, an LSB script, ping and ping_group
  rules without ping clones) passes crm_verify, and crm_simulate's scheduler
  places the group by the ``pingd``/``pingd_<group>`` attributes the daemon
  maintains: nowhere while they are unset, on the preferred node when it is
  connected, elsewhere when it is not.

crm_simulate cannot *execute* a heartbeat-class action (Pacemaker 2 dropped
the class: "Invalid class"), so placements are read from its Transition
Summary, which the scheduler computes before execution.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from pycrm.daemon.config import load_config
from tests.fixtures.tools import require_root, require_tool

pytestmark = [pytest.mark.realproc]

_START = re.compile(r"^\s*\* Start\s+(\S+)\s+\(\s*(\S+)\s*\)", re.MULTILINE)


def _exe(path: Path) -> None:
    path.write_text("#!/bin/sh\nexit 0\n")
    os.chmod(path, 0o755)


def _verify(path: Path) -> None:
    res = subprocess.run(
        ["crm_verify", "-V", "--xml-file", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "error" not in res.stderr.lower(), res.stderr


def test_toml_initial_cib(tmp_path: Path) -> None:
    require_tool("crm_verify")
    keys = tmp_path / "authkeys"
    keys.write_text("auth 1\n1 sha1 k\n")
    os.chmod(keys, 0o600)
    conf = tmp_path / "pycrm.toml"
    conf.write_text(
        '[cluster]\nname = "web"\nnodes = ["node1", "node2", "node3"]\nlocal_node = "node2"\n'
        '[[link]]\ntype = "bcast"\ninterface = "eth0"\n[auth]\nkeyfile = "authkeys"\n'
    )
    cib = tmp_path / "cib.xml"
    cib.write_bytes(load_config(config=conf, ha_d=None).initial_cib)
    _verify(cib)


def _ha_d(root: Path) -> Path:
    ha_d = root / "ha.d"
    (ha_d / "resource.d").mkdir(parents=True)
    for name in ("IPaddr", "Filesystem", "apache", "myapp"):
        _exe(ha_d / "resource.d" / name)
    (ha_d / "ha.cf").write_text(
        "logfile /dev/null\nkeepalive 500ms\ndeadtime 2\nbcast eth1\nnode alpha beta\n"
        "auto_failback on\nping 10.0.0.254\nping_group uplink 10.1.0.1 10.1.0.2\n"
    )
    (ha_d / "haresources").write_text(
        "alpha 10.0.0.100/24/eth0 Filesystem::/dev/sdb1::/srv::ext4 myapp::one::two apache\n"
    )
    keys = ha_d / "authkeys"
    keys.write_text("auth 1\n1 sha1 k\n")
    os.chmod(keys, 0o600)
    return ha_d


def _summary(cib: Path, *args: str) -> dict[str, str]:
    res = subprocess.run(
        ["crm_simulate", "-x", str(cib), *args, "-S"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    summary = res.stdout.split("Transition Summary:", 1)[1].split("Executing", 1)[0]
    return dict(_START.findall(summary))


def _attr(cib: Path, node: str, name: str, value: str) -> None:
    subprocess.run(
        ["crm_attribute", "-N", node, "-n", name, "-v", value, "-l", "reboot"],
        env={**os.environ, "CIB_file": str(cib)},
        capture_output=True,
        timeout=60,
        check=True,
    )


def test_ha_d_initial_cib(tmp_path: Path) -> None:
    require_root()
    require_tool("crm_verify", "crm_simulate", "crm_attribute")
    cfg = load_config(config=None, ha_d=_ha_d(tmp_path), local_node="alpha")
    cib = tmp_path / "cib.xml"
    cib.write_bytes(cfg.initial_cib)
    _verify(cib)

    online = tmp_path / "online.xml"
    subprocess.run(
        ["crm_simulate", "-x", str(cib), "-u", "alpha", "-u", "beta", "-O", str(online)],
        capture_output=True,
        timeout=60,
        check=True,
    )
    group = {"ip_10_0_0_100", "fs_srv", "myapp", "apache"}
    assert _summary(online) == {}  # no node has reported connectivity yet
    for node in ("alpha", "beta"):
        _attr(online, node, "pingd", "1000")
        _attr(online, node, "pingd_uplink", "2000")
    assert _summary(online) == dict.fromkeys(group, "alpha")
    _attr(online, "alpha", "pingd_uplink", "0")  # alpha lost both uplink addresses
    assert _summary(online) == dict.fromkeys(group, "beta")
