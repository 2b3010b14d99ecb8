"""Generated CIBs are valid: Pacemaker's RelaxNG schema and crm_verify, both --agents."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree

from heartbeat_compat.migrate import convert
from tests.fixtures.tools import require_path, require_tool
from tests.unit.migrate.conftest import CLASSIC_HACF, CLASSIC_HARES, TWO_GROUPS_HARES, MakeHaD

RNG = Path("/usr/share/pacemaker/pacemaker-3.9.rng")

TREES = {
    "classic": (CLASSIC_HACF, CLASSIC_HARES),
    "two-groups": (CLASSIC_HACF, TWO_GROUPS_HARES),
    "ping": (
        CLASSIC_HACF + "ping 10.0.0.254\nping_group uplinks 10.0.1.1 10.0.2.1\n"
        "respawn hacluster /usr/lib/heartbeat/ipfail\n",
        CLASSIC_HARES + "beta IPaddr2::10.0.0.101/24/eth0 postfix\n",
    ),
    "failback-off": (
        CLASSIC_HACF.replace("auto_failback on", "auto_failback off"),
        TWO_GROUPS_HARES,
    ),
    "legacy-single": (CLASSIC_HACF.replace("auto_failback on\n", ""), "alpha 10.0.0.9\n"),
    "misc-wrappers": (
        CLASSIC_HACF + "node gamma\n",
        "alpha IPv6addr::fd00:0:0:0:0:0:0:10/64/eth0 Raid1::/etc/raidtab::/dev/md0 "
        "Delay::5::2 IPsrcaddr::10.0.0.5 hbdummy::x\n"
        "gamma MailTo::root::failover\n",
    ),
    "stonith": (
        CLASSIC_HACF + "stonith_host * external/ssh alpha beta\n",
        CLASSIC_HARES,
    ),
}


@pytest.fixture(scope="module")
def relaxng() -> etree.RelaxNG:
    require_path(RNG, "Pacemaker's pacemaker-3.9.rng")
    return etree.RelaxNG(etree.parse(str(RNG)))


@pytest.mark.parametrize("agents", ["pycrm", "heartbeat"])
@pytest.mark.parametrize("tree", sorted(TREES))
def test_schema_and_crm_verify(
    make_ha_d: MakeHaD, init_d: str, tmp_path: Path, relaxng: etree.RelaxNG, tree: str, agents: str
) -> None:
    hacf, hares = TREES[tree]
    result = convert(
        make_ha_d(hacf=hacf, haresources=hares),
        agents=agents,  # type: ignore[arg-type]
        init_d=init_d,
        stonith_names=lambda t: ["hostlist"],
    )
    doc = etree.fromstring(result.xml)
    assert relaxng.validate(doc), relaxng.error_log
    require_tool("crm_verify")
    path = tmp_path / f"{tree}-{agents}.xml"
    path.write_bytes(result.xml)
    res = subprocess.run(
        ["crm_verify", "--xml-file", str(path), "-V"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if tree == "stonith":
        # A CIB file has no status section: with fencing enabled, crm_verify
        # plans to fence the never-seen nodes (startup-fencing) and says so.
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        unexpected = [
            ln
            for ln in lines
            if "for fencing" not in ln and not ln.startswith(("crm_verify:", "-V may"))
        ]
        assert unexpected == [], res.stderr
    else:
        assert res.returncode == 0, res.stderr
        assert res.stderr.strip() == "", res.stderr
