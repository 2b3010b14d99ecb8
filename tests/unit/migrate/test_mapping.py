"""One haresources word -> one primitive, as heartbeat's wrappers ran it."""

from __future__ import annotations

import pytest

from heartbeat_compat.config.haresources import Resource
from heartbeat_compat.migrate.ids import IdAllocator, sanitize
from heartbeat_compat.migrate.mapping import Agents, Mapped, map_resource


def mapped(
    spec: str,
    script: str,
    args: tuple[str, ...] = (),
    *,
    kind: str = "heartbeat",
    implicit: bool = False,
    agents: Agents = "heartbeat",
) -> Mapped:
    res = Resource(spec, script, args, implicit, kind, None)  # type: ignore[arg-type]
    return map_resource(res, agents=agents, ids=IdAllocator(), where="hr:1")


def params(m: Mapped) -> dict[str, str]:
    assert m.primitive is not None
    return dict(m.primitive.params)


def test_ip_shorthand_names_nic_and_netmask_correctly() -> None:
    m = mapped("10.0.0.5/24/eth0", "IPaddr", ("10.0.0.5/24/eth0",), implicit=True)
    assert m.primitive is not None
    assert (m.primitive.cls, m.primitive.provider, m.primitive.type) == (
        "ocf",
        "heartbeat",
        "IPaddr2",
    )
    # upstream haresources2cib.py produced nic=24 cidr_netmask=eth0 here
    assert params(m) == {"ip": "10.0.0.5", "cidr_netmask": "24", "nic": "eth0"}
    assert m.primitive.id == "ip_10_0_0_5"


def test_ipaddr2_keeps_wrapper_lvs_support_and_broadcast() -> None:
    m = mapped("IPaddr2::10.0.0.6/24/eth1/10.0.0.255", "IPaddr2", ("10.0.0.6/24/eth1/10.0.0.255",))
    assert params(m) == {
        "ip": "10.0.0.6",
        "cidr_netmask": "24",
        "nic": "eth1",
        "broadcast": "10.0.0.255",
        "lvs_support": "true",
    }


def test_ip_broadcast_without_nic_and_label() -> None:
    assert params(mapped("10.0.0.5/24/10.0.0.255", "IPaddr", ("10.0.0.5/24/10.0.0.255",))) == {
        "ip": "10.0.0.5",
        "cidr_netmask": "24",
        "broadcast": "10.0.0.255",
    }
    assert params(mapped("x", "IPaddr", ("10.0.0.5/24/eth0:web",)))["iflabel"] == "web"


def test_pycrm_provider_for_the_four_agents() -> None:
    m = mapped("10.0.0.5", "IPaddr", ("10.0.0.5",), implicit=True, agents="pycrm")
    assert m.primitive is not None and m.primitive.provider == "pycrm"
    m = mapped("MailTo::root", "MailTo", ("root",), agents="pycrm")
    assert m.primitive is not None and m.primitive.provider == "heartbeat"


def test_invalid_ip_is_warned_not_dropped_silently() -> None:
    m = mapped("10.0.0.300", "IPaddr", ("10.0.0.300",), implicit=True)
    assert m.primitive is None
    assert "not translated" in m.warnings[0]


def test_filesystem_positional_params() -> None:
    m = mapped(
        "Filesystem::/dev/sdb1::/data::xfs::noatime,nodev",
        "Filesystem",
        ("/dev/sdb1", "/data", "xfs", "noatime,nodev"),
    )
    assert params(m) == {
        "device": "/dev/sdb1",
        "directory": "/data",
        "fstype": "xfs",
        "options": "noatime,nodev",
    }
    assert m.primitive is not None and m.primitive.id == "fs_data"
    short = mapped("Filesystem::/dev/sdb1::/data", "Filesystem", ("/dev/sdb1", "/data"))
    assert "fstype" in short.warnings[0]
    assert mapped("Filesystem::/dev/sdb1", "Filesystem", ("/dev/sdb1",)).primitive is None


def test_every_primitive_has_start_stop_and_monitor() -> None:
    m = mapped("apache::/etc/apache2/apache2.conf", "apache", ("/etc/apache2/apache2.conf",))
    assert m.primitive is not None
    assert params(m) == {"configfile": "/etc/apache2/apache2.conf"}
    names = [(op.name, op.interval, op.timeout) for op in m.primitive.ops]
    assert names == [("start", "0s", "40s"), ("stop", "0s", "60s"), ("monitor", "10s", "20s")]


def test_drbddisk() -> None:
    assert mapped("drbddisk::r0", "drbddisk", ("r0",)).drbd_resource == "r0"
    every = mapped("drbddisk", "drbddisk", ())
    assert every.drbd_resource is None and every.primitive is None
    assert "ALL DRBD resources" in every.warnings[0]


def test_other_known_wrappers() -> None:
    assert params(mapped("MailTo::root::subj", "MailTo", ("root", "subj"))) == {
        "email": "root",
        "subject": "subj",
    }
    assert params(mapped("IPsrcaddr::10.0.0.5", "IPsrcaddr", ("10.0.0.5",))) == {
        "ipaddress": "10.0.0.5"
    }
    delay = mapped("Delay::5::3", "Delay", ("5", "3"))
    assert params(delay) == {"startdelay": "5", "stopdelay": "3"}
    assert delay.primitive is not None and delay.primitive.ops[0].timeout == "35s"


def test_init_script_is_lsb_and_arguments_are_reported() -> None:
    m = mapped("mysql", "mysql", (), kind="lsb")
    assert m.primitive is not None
    assert (m.primitive.cls, m.primitive.type, m.primitive.provider) == ("lsb", "mysql", None)
    assert m.warnings == []
    m = mapped("postfix::a::b", "postfix", ("a", "b"), kind="lsb")
    assert "cannot be passed" in m.warnings[0]


def test_apache_found_only_in_init_d_stays_lsb() -> None:
    m = mapped("apache", "apache", (), kind="lsb")
    assert m.primitive is not None and m.primitive.cls == "lsb"


def test_unknown_resource_d_script_and_missing_script_warn() -> None:
    m = mapped("hbdummy::x", "hbdummy", ("x",))
    assert m.primitive is not None and m.primitive.cls == "lsb"
    assert any("no OCF equivalent" in w for w in m.warnings)
    assert any("cannot be passed" in w for w in m.warnings)
    gone = mapped("ghost", "ghost", (), kind="missing")
    assert "cannot locate" in gone.warnings[0]


def test_known_wrapper_missing_from_resource_d_is_still_mapped() -> None:
    m = mapped("apache", "apache", (), kind="missing")
    assert m.primitive is not None and m.primitive.type == "apache"
    assert "standard wrapper" in m.notes[0]


def test_extra_args_warned() -> None:
    m = mapped("IPsrcaddr::1.2.3.4::x", "IPsrcaddr", ("1.2.3.4", "x"))
    assert "extra arguments" in m.warnings[0]


def test_ids() -> None:
    ids = IdAllocator()
    assert ids.reserve("apache") == "apache"
    assert ids.reserve("apache") == "apache-2"
    assert sanitize("/srv/www") == "srv_www"
    assert sanitize("10.0.0.1") == "_10.0.0.1"
    assert sanitize("///") == "x"
    assert "apache" in ids


@pytest.mark.parametrize("agents", ["pycrm", "heartbeat"])
def test_drbd_provider(agents: Agents) -> None:
    from heartbeat_compat.migrate.mapping import provider_for

    assert provider_for("drbd", agents) == (
        ("pycrm", "drbd") if agents == "pycrm" else ("linbit", "drbd")
    )


def test_ipv6addr_and_raid1() -> None:
    m = mapped(
        "IPv6addr::fd00:0:0:0:0:0:0:10/64/eth0", "IPv6addr", ("fd00:0:0:0:0:0:0:10/64/eth0",)
    )
    assert params(m) == {"ipv6addr": "fd00::10", "cidr_netmask": "64", "nic": "eth0"}
    assert m.primitive is not None and m.primitive.type == "IPv6addr"
    assert m.primitive.id == "ip6_fd00_10"
    # "::" inside the address is split by heartbeat itself: reported, not translated
    broken = mapped("IPv6addr::fd00::10/64", "IPv6addr", ("fd00", "10/64"))
    assert broken.primitive is None
    assert "splits resource arguments" in broken.warnings[0]
    raid = mapped("Raid1::/etc/raidtab::/dev/md0", "Raid1", ("/etc/raidtab", "/dev/md0"))
    assert params(raid) == {"raidconf": "/etc/raidtab", "raiddev": "/dev/md0"}
