"""ha.d -> CIB decisions: groups, placement, stickiness, DRBD, ping, STONITH, quorum."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from heartbeat_compat.migrate import MigrationResult, convert
from tests.unit.migrate.conftest import CLASSIC_HACF, TWO_GROUPS_HARES, MakeHaD


def run(
    ha_d: Path, init_d: str, agents: str = "heartbeat", names: dict[str, list[str]] | None = None
) -> tuple[MigrationResult, etree._Element]:
    lookup = names or {}
    result = convert(
        ha_d,
        agents=agents,
        init_d=init_d,  # type: ignore[arg-type]
        stonith_names=lookup.get,
    )
    return result, etree.fromstring(result.xml)


def nv(root: etree._Element, path: str, name: str) -> str | None:
    el = root.find(f"{path}//nvpair[@name='{name}']")
    return None if el is None else el.get("value")


def test_classic_line(make_ha_d: MakeHaD, init_d: str) -> None:
    result, root = run(make_ha_d(), init_d)
    group = root.find("configuration/resources/group")
    assert group is not None
    assert [p.get("type") for p in group.findall("primitive")] == [
        "Filesystem",
        "IPaddr2",
        "apache",
    ]
    clone = root.find("configuration/resources/clone")
    assert clone is not None
    assert nv(clone, "meta_attributes", "promotable") == "true"
    assert nv(clone, "meta_attributes", "promoted-max") == "1"
    assert nv(clone, "meta_attributes", "promoted-node-max") == "1"
    assert nv(clone, "meta_attributes", "clone-max") == "2"
    assert nv(clone, "meta_attributes", "notify") == "true"
    drbd = clone.find("primitive")
    assert drbd is not None
    assert (drbd.get("provider"), drbd.get("type")) == ("linbit", "drbd")
    assert nv(drbd, "instance_attributes", "drbd_resource") == "r0"
    roles = {op.get("role") for op in drbd.iter("op") if op.get("name") == "monitor"}
    assert roles == {"Promoted", "Unpromoted"}
    colo = root.find("configuration/constraints/rsc_colocation")
    assert colo is not None
    assert (
        colo.get("rsc"),
        colo.get("with-rsc"),
        colo.get("with-rsc-role"),
        colo.get("score"),
    ) == (group.get("id"), clone.get("id"), "Promoted", "INFINITY")
    order = root.find("configuration/constraints/rsc_order")
    assert order is not None
    assert (
        order.get("first"),
        order.get("first-action"),
        order.get("then"),
        order.get("then-action"),
    ) == (clone.get("id"), "promote", group.get("id"), "start")
    locs = {
        (loc.get("rsc"), loc.get("node"), loc.get("role"), loc.get("score"))
        for loc in root.iter("rsc_location")
    }
    assert (group.get("id"), "alpha", None, "100") in locs
    assert (clone.get("id"), "alpha", "Promoted", "100") in locs
    assert [n.get("uname") for n in root.iter("node")] == ["alpha", "beta"]
    assert [n.get("id") for n in root.iter("node")] == ["1", "2"]
    assert nv(root, "configuration/crm_config", "stonith-enabled") == "false"
    assert nv(root, "configuration/crm_config", "no-quorum-policy") == "ignore"
    assert nv(root, "configuration/rsc_defaults", "resource-stickiness") == "0"
    assert any("STONITH" in w for w in result.warnings)
    assert root.get("validate-with") == "pacemaker-3.9"
    assert root.get("crm_feature_set") == "3.16.1"
    # every primitive is monitored
    for prim in root.iter("primitive"):
        assert any(op.get("name") == "monitor" for op in prim.iter("op")), prim.get("id")


def test_two_groups_in_order(make_ha_d: MakeHaD, init_d: str) -> None:
    _result, root = run(make_ha_d(haresources=TWO_GROUPS_HARES), init_d)
    groups = root.findall("configuration/resources/group")
    assert [g.get("id") for g in groups] == ["group_ip_10_0_0_100", "group_ip_10_0_0_101"]
    second = [(p.get("class"), p.get("type")) for p in groups[1].findall("primitive")]
    assert second == [("ocf", "IPaddr2"), ("lsb", "mysql"), ("ocf", "MailTo")]
    fs = groups[0].find("primitive[@type='Filesystem']")
    assert fs is not None and nv(fs, "instance_attributes", "options") == "noatime"
    locs = [(loc.get("rsc"), loc.get("node")) for loc in root.iter("rsc_location")]
    assert locs == [("group_ip_10_0_0_100", "alpha"), ("group_ip_10_0_0_101", "beta")]
    assert not root.findall(".//rsc_colocation")


def test_single_resource_line_is_a_bare_primitive(make_ha_d: MakeHaD, init_d: str) -> None:
    _, root = run(make_ha_d(haresources="beta 10.0.0.7\n"), init_d)
    assert root.find("configuration/resources/group") is None
    prim = root.find("configuration/resources/primitive")
    assert prim is not None and prim.get("id") == "ip_10_0_0_7"
    loc = root.find(".//rsc_location")
    assert loc is not None and (loc.get("rsc"), loc.get("node")) == ("ip_10_0_0_7", "beta")


def test_group_id_hint(make_ha_d: MakeHaD, init_d: str) -> None:
    _, root = run(make_ha_d(haresources="alpha 10.0.0.5 apache  #web\n"), init_d)
    group = root.find("configuration/resources/group")
    assert group is not None and group.get("id") == "web"


def test_auto_failback_off_is_sticky(make_ha_d: MakeHaD, init_d: str) -> None:
    hacf = CLASSIC_HACF.replace("auto_failback on", "auto_failback off")
    _, root = run(make_ha_d(hacf=hacf), init_d)
    assert nv(root, "configuration/rsc_defaults", "resource-stickiness") == "1000"
    comments = [c.text or "" for c in root.iter(etree.Comment)]
    assert any("resource-stickiness=1000" in c for c in comments)


def test_auto_failback_legacy_fails_back_with_warning(make_ha_d: MakeHaD, init_d: str) -> None:
    hacf = CLASSIC_HACF.replace("auto_failback on\n", "")
    result, root = run(make_ha_d(hacf=hacf), init_d)
    assert nv(root, "configuration/rsc_defaults", "resource-stickiness") == "0"
    assert any("legacy" in w for w in result.warnings)


def test_ping_and_ping_group(make_ha_d: MakeHaD, init_d: str) -> None:
    hacf = CLASSIC_HACF + "ping 10.0.0.254 10.0.1.254\nping_group uplinks 192.168.1.1 192.168.2.1\n"
    result, root = run(make_ha_d(hacf=hacf, haresources=TWO_GROUPS_HARES), init_d)
    pings = [c for c in root.iter("clone") if c.find("primitive[@type='ping']") is not None]
    assert len(pings) == 2
    lists = sorted(nv(c, "primitive/instance_attributes", "host_list") or "" for c in pings)
    assert lists == ["10.0.0.254 10.0.1.254", "192.168.1.1 192.168.2.1"]
    attrs = sorted(nv(c, "primitive/instance_attributes", "name") or "" for c in pings)
    assert attrs == ["pingd", "pingd_uplinks"]
    for prim in (c.find("primitive") for c in pings):
        assert prim is not None and prim.get("provider") == "pacemaker"
    rules = [loc for loc in root.iter("rsc_location") if loc.find("rule") is not None]
    assert {loc.get("rsc") for loc in rules} == {"group_ip_10_0_0_100", "group_ip_10_0_0_101"}
    rule = rules[0].find("rule")
    assert rule is not None
    assert (rule.get("score"), rule.get("boolean-op")) == ("-INFINITY", "or")
    exprs = [(e.get("attribute"), e.get("operation"), e.get("value")) for e in rule]
    assert exprs == [
        ("pingd", "not_defined", None),
        ("pingd", "lte", "0"),
        ("pingd_uplinks", "not_defined", None),
        ("pingd_uplinks", "lte", "0"),
    ]
    assert any("ipfail" in n for n in result.notes)


def test_ping_rule_on_promoted_drbd(make_ha_d: MakeHaD, init_d: str) -> None:
    _, root = run(make_ha_d(hacf=CLASSIC_HACF + "ping 10.0.0.254\n"), init_d)
    promoted = [
        loc
        for loc in root.iter("rsc_location")
        if loc.find("rule") is not None and loc.get("role") == "Promoted"
    ]
    assert len(promoted) == 1


def test_stonith_host(make_ha_d: MakeHaD, init_d: str) -> None:
    hacf = CLASSIC_HACF + (
        "stonith_host * external/ssh alpha beta\n"
        "stonith_host alpha external/ipmi beta 10.1.1.2 admin secret lan\n"
    )
    names = {
        "external/ssh": ["hostlist"],
        "external/ipmi": ["hostname", "ipaddr", "userid", "passwd", "interface"],
    }
    result, root = run(make_ha_d(hacf=hacf), init_d, names=names)
    assert nv(root, "configuration/crm_config", "stonith-enabled") == "true"
    devices = [p for p in root.iter("primitive") if p.get("class") == "stonith"]
    assert [d.get("type") for d in devices] == ["external/ssh", "external/ipmi"]
    assert nv(devices[0], "instance_attributes", "hostlist") == "alpha beta"
    assert nv(devices[1], "instance_attributes", "passwd") == "secret"
    assert any("review" in w for w in result.warnings)


def test_stonith_without_device(make_ha_d: MakeHaD, init_d: str) -> None:
    hacf = CLASSIC_HACF + "stonith baytech /etc/ha.d/conf/stonith.baytech\n"
    result, root = run(make_ha_d(hacf=hacf), init_d)
    assert nv(root, "configuration/crm_config", "stonith-enabled") == "true"
    assert any("no fencing device could be generated" in w for w in result.warnings)


def test_three_nodes_keep_quorum_policy(make_ha_d: MakeHaD, init_d: str) -> None:
    hacf = CLASSIC_HACF + "node gamma\n"
    result, root = run(make_ha_d(hacf=hacf), init_d)
    assert nv(root, "configuration/crm_config", "no-quorum-policy") is None
    assert any("no-quorum-policy" in n for n in result.notes)


def test_upstream_directives_and_unmappable_things_are_reported(
    make_ha_d: MakeHaD, init_d: str
) -> None:
    hares = "alpha 10.0.0.5 hbdummy::x drbddisk ghost\n#rsc_order web start before db\n"
    result, root = run(make_ha_d(haresources=hares), init_d)
    text = "\n".join(result.warnings)
    assert "#rsc_order" in text
    assert "no OCF equivalent" in text
    assert "ALL DRBD resources" in text
    assert "cannot locate resource script ghost" in text
    group = root.find("configuration/resources/group")
    assert group is not None
    assert [p.get("id") for p in group.findall("primitive")] == ["ip_10_0_0_5", "hbdummy", "ghost"]


def test_drbd_not_first_warns(make_ha_d: MakeHaD, init_d: str) -> None:
    result, _ = run(make_ha_d(haresources="alpha 10.0.0.5 drbddisk::r1 apache\n"), init_d)
    assert any("was not the first resource" in w for w in result.warnings)


def test_pycrm_agents(make_ha_d: MakeHaD, init_d: str) -> None:
    _, root = run(make_ha_d(), init_d, agents="pycrm")
    providers = {p.get("type"): p.get("provider") for p in root.iter("primitive")}
    assert providers == {
        "drbd": "pycrm",
        "Filesystem": "pycrm",
        "IPaddr2": "pycrm",
        "apache": "pycrm",
    }


def test_crm_on_is_converted_with_warning(make_ha_d: MakeHaD, init_d: str) -> None:
    result, _ = run(make_ha_d(hacf=CLASSIC_HACF + "crm on\n"), init_d)
    assert any("crm on" in w for w in result.warnings)
