"""The upstream haresources2cib example (shared reference), translated correctly."""

from __future__ import annotations

import shutil
from pathlib import Path

from lxml import etree

from heartbeat_compat.migrate import convert


def test_upstream_example(shared_dir: Path, tmp_path: Path, init_d: str) -> None:
    example = shared_dir / "reference" / "hbv1-captures" / "haresources2cib-example"
    ha_d = tmp_path / "ha.d"
    ha_d.mkdir()
    shutil.copy(example / "haresources", ha_d / "haresources")
    # the example's ha.cf declares no medium, which heartbeat itself refuses
    (ha_d / "ha.cf").write_text((example / "ha.cf").read_text() + "bcast eth0\n")
    result = convert(ha_d, agents="heartbeat", init_d=init_d)
    root = etree.fromstring(result.xml)

    def params(rid: str) -> dict[str, str]:
        prim = root.find(f".//primitive[@id='{rid}']")
        assert prim is not None, rid
        return {nv.get("name", ""): nv.get("value", "") for nv in prim.iter("nvpair")}

    # upstream: nic="24" cidr_netmask="eth0" (swapped); here as the wrapper ran it
    assert params("ip_10_0_0_5") == {"ip": "10.0.0.5", "cidr_netmask": "24", "nic": "eth0"}
    assert params("ip_10_0_0_6") == {
        "ip": "10.0.0.6",
        "cidr_netmask": "24",
        "nic": "eth1",
        "broadcast": "10.0.0.255",
        "lvs_support": "true",
    }
    group_ids = [g.get("id") for g in root.iter("group")]
    assert group_ids == ["web", "group_ip_10_0_0_6"]
    # the single drbddisk line became a promotable clone preferring n1 when promoted
    clone = root.find(".//clone[@id='drbd_r0-clone']")
    assert clone is not None
    loc = root.find(".//rsc_location[@rsc='drbd_r0-clone'][@role='Promoted'][@node='n1']")
    assert loc is not None
    # upstream ignored auto_failback and ping; both are translated here
    stick = root.find(".//rsc_defaults//nvpair[@name='resource-stickiness']")
    assert stick is not None and stick.get("value") == "0"
    assert root.find(".//primitive[@type='ping']") is not None
    # mysql is not in init.d of this test: reported, not dropped
    assert any("mysql" in w for w in result.warnings)
    assert any("#rsc_order" in w for w in result.warnings)
