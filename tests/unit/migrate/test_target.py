"""target="pycrm-run": the CIB `pycrm run --ha-d` starts from, against the default."""

from __future__ import annotations

from lxml import etree

from heartbeat_compat.migrate import convert
from heartbeat_compat.migrate.planner import ping_attribute
from tests.unit.migrate.conftest import MakeHaD

HACF = "logfile /dev/null\nbcast eth1\nnode alpha beta\nping 10.0.0.254\nping_group up 10.1.0.1\n"
HARES = "alpha 10.0.0.100/24/eth0 hbdummy::x::y::z apache mysql\n"


def _prims(xml: bytes) -> dict[str, etree._Element]:
    return {str(p.get("id")): p for p in etree.fromstring(xml).iter("primitive")}


def test_resource_d_script_becomes_heartbeat_class(make_ha_d: MakeHaD, init_d: str) -> None:
    ha_d = make_ha_d(HACF, HARES)
    daemon = convert(ha_d, init_d=init_d, target="pycrm-run")
    prim = _prims(daemon.xml)["hbdummy"]
    assert (prim.get("class"), prim.get("provider"), prim.get("type")) == (
        "heartbeat",
        None,
        "hbdummy",
    )
    params = [(nv.get("name"), nv.get("value")) for nv in prim.iter("nvpair")]
    assert params == [("1", "x"), ("2", "y"), ("3", "z")]
    assert not any("hbdummy" in w for w in daemon.warnings)
    # heartbeat's wrappers keep their agents; init.d scripts stay LSB
    prims = _prims(daemon.xml)
    assert prims["apache"].get("provider") == "pycrm"
    assert prims["mysql"].get("class") == "lsb"
    # the default output is unchanged: LSB with a warning
    default = convert(ha_d, init_d=init_d)
    assert _prims(default.xml)["hbdummy"].get("class") == "lsb"
    assert any("hbdummy" in w for w in default.warnings)


def test_ping_gives_rules_only(make_ha_d: MakeHaD, init_d: str) -> None:
    ha_d = make_ha_d(HACF, HARES)
    root = etree.fromstring(convert(ha_d, init_d=init_d, target="pycrm-run").xml)
    assert not list(root.iter("clone"))
    attrs = {e.get("attribute") for e in root.iter("expression")}
    assert attrs == {ping_attribute(), ping_attribute("up")} == {"pingd", "pingd_up"}
    default = etree.fromstring(convert(ha_d, init_d=init_d).xml)
    names = {nv.get("value") for nv in default.iter("nvpair") if nv.get("name") == "name"}
    assert names == attrs  # the clones of the default set the same attributes


def test_version_and_notes(make_ha_d: MakeHaD, init_d: str) -> None:
    ha_d = make_ha_d(HACF, HARES)
    daemon = convert(ha_d, init_d=init_d, target="pycrm-run")
    root = etree.fromstring(daemon.xml)
    assert [root.get(a) for a in ("admin_epoch", "epoch", "num_updates")] == ["0", "0", "0"]
    assert not any(
        "corosync" in n or "cibadmin" in n or "agents install" in n for n in daemon.notes
    )
    default = etree.fromstring(convert(ha_d, init_d=init_d).xml)
    assert [default.get(a) for a in ("admin_epoch", "epoch", "num_updates")] == ["1", "1", "0"]
