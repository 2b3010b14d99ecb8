"""haresources: ResourceManager's pre-processing, grammar and script lookup."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.config.haresources import (
    IpSpec,
    ip_shorthand,
    is_ip_shorthand,
    parse_haresources,
    read_haresources,
)


@pytest.fixture
def ha_d(tmp_path: Path) -> Path:
    """A realistic ha.d with resource.d scripts, plus a fake init.d."""
    root = tmp_path / "ha.d"
    (root / "resource.d").mkdir(parents=True)
    for name in ("IPaddr", "IPaddr2", "Filesystem", "drbddisk", "apache", "MailTo", "hbdummy"):
        script = root / "resource.d" / name
        script.write_text("#!/bin/sh\nexit 0\n")
        os.chmod(script, 0o755)
    (root / "resource.d" / "notexec").write_text("#!/bin/sh\n")
    init = tmp_path / "init.d"
    init.mkdir()
    for name in ("mysql", "postfix", "hbdummy"):
        script = init / name
        script.write_text("#!/bin/sh\nexit 0\n")
        os.chmod(script, 0o755)
    return root


CLASSIC = """\
# classic two-node web cluster
Node1 drbddisk::r0 Filesystem::/dev/drbd0::/srv/www::ext4 10.0.0.100/24/eth0 apache
node2 IPaddr2::10.0.0.101/24/eth1/10.0.0.255 \\
      mysql
"""


def test_classic_file(ha_d: Path) -> None:
    path = ha_d / "haresources"
    path.write_text(CLASSIC)
    groups = read_haresources(
        path, nodes=["node1", "node2"], init_d=str(ha_d.parent / "init.d")
    ).groups
    assert [g.node for g in groups] == ["node1", "node2"]
    assert [g.line for g in groups] == [2, 3]
    first = groups[0]
    assert first.key == "drbddisk::r0"
    assert [(r.script, r.args, r.kind) for r in first.resources] == [
        ("drbddisk", ("r0",), "heartbeat"),
        ("Filesystem", ("/dev/drbd0", "/srv/www", "ext4"), "heartbeat"),
        ("IPaddr", ("10.0.0.100/24/eth0",), "heartbeat"),
        ("apache", (), "heartbeat"),
    ]
    assert first.resources[2].implicit_ip
    second = groups[1]
    assert [(r.script, r.kind) for r in second.resources] == [
        ("IPaddr2", "heartbeat"),
        ("mysql", "lsb"),
    ]
    assert second.resources[1].path == str(ha_d.parent / "init.d" / "mysql")


def test_resource_d_wins_over_init_d(ha_d: Path) -> None:
    res = parse_haresources(
        "a hbdummy notexec postfix nothere\n", ha_d=str(ha_d), init_d=str(ha_d.parent / "init.d")
    )
    kinds = [(r.script, r.kind) for r in res.groups[0].resources]
    assert kinds == [
        ("hbdummy", "heartbeat"),
        ("notexec", "missing"),
        ("postfix", "lsb"),
        ("nothere", "missing"),
    ]


def test_comments_anywhere_and_blank_lines() -> None:
    res = parse_haresources("\n  # full comment\nA  10.0.0.1\t Foo::x#comment\n\n")
    assert len(res.groups) == 1
    assert [r.spec for r in res.groups[0].resources] == ["10.0.0.1", "Foo::x"]
    assert res.groups[0].node == "a"


def test_continuation_joins_without_blank() -> None:
    res = parse_haresources("a r1 r2\\\nr3 \\\n   r4\n")
    assert [r.spec for r in res.groups[0].resources] == ["r1", "r2r3", "r4"]
    assert any("r2r3" in w for w in res.warnings)


def test_backslash_before_comment_is_not_continuation() -> None:
    res = parse_haresources("a r1 \\ # note\nb r2\n")
    assert [g.node for g in res.groups] == ["a", "b"]
    assert [r.spec for r in res.groups[0].resources] == ["r1", "\\"]


def test_comment_on_continued_line_is_an_error() -> None:
    with pytest.raises(HaConfigError) as err:
        parse_haresources("a r1 \\\n r2 # c\n", "hr")
    assert err.value.code == "HARES_COMMENT_IN_CONTINUATION"
    assert err.value.line == 2


def test_args_split_on_double_colon_and_empty_dropped() -> None:
    res = parse_haresources("a Filesystem::nfs:/export::/mnt::::nfs MailTo::root::Failover\n")
    fs, mail = res.groups[0].resources
    assert fs.args == ("nfs:/export", "/mnt", "nfs")
    assert mail.args == ("root", "Failover")


def test_bad_node_and_empty_line_and_duplicate_key() -> None:
    with pytest.raises(HaConfigError) as err:
        parse_haresources("x 10.0.0.1\n", "hr", nodes=["a", "b"])
    assert (err.value.code, err.value.line, err.value.directive) == ("HARES_BAD_NODE", 1, "x")
    assert str(err.value).startswith("hr:1: x: Bad nodename")
    with pytest.raises(HaConfigError) as err:
        parse_haresources("a\n")
    assert err.value.code == "HARES_NO_RESOURCES"
    with pytest.raises(HaConfigError) as err:
        parse_haresources("a 10.0.0.1 web\nb 10.0.0.1\n")
    assert (err.value.code, err.value.line) == ("HARES_DUPLICATE_KEY", 2)


def test_id_hints_and_upstream_directives() -> None:
    res = parse_haresources(
        "a 10.0.0.5 apache  #web\nb mysql # the db\n#rsc_order web start before db\n"
    )
    assert [g.id_hint for g in res.groups] == ["web", None]
    assert res.directives == ((3, "#rsc_order web start before db"),)


@pytest.mark.parametrize(
    ("word", "isip"),
    [
        ("10.0.0.1", True),
        ("10.0.0.1/24/eth0", True),
        ("1.2.3.4x", True),
        ("drbddisk::r0", False),
        ("IPaddr::10.0.0.1", False),
        ("10.0.1", False),
        ("apache", False),
    ],
)
def test_isip_glob(word: str, isip: bool) -> None:
    assert is_ip_shorthand(word) == isip


@pytest.mark.parametrize(
    ("arg", "spec"),
    [
        ("10.0.0.5", IpSpec("10.0.0.5")),
        ("10.0.0.5/24", IpSpec("10.0.0.5", "24")),
        # the upstream haresources2cib.py got these two swapped (nic=24, cidr_netmask=eth0)
        ("10.0.0.5/24/eth0", IpSpec("10.0.0.5", "24", "eth0")),
        ("10.0.0.6/24/eth1/10.0.0.255", IpSpec("10.0.0.6", "24", "eth1", None, "10.0.0.255")),
        ("10.0.0.5/24/10.0.0.255", IpSpec("10.0.0.5", "24", None, None, "10.0.0.255")),
        ("10.0.0.5/255.255.255.0/eth0", IpSpec("10.0.0.5", "24", "eth0")),
        ("10.0.0.5/24/eth0:web", IpSpec("10.0.0.5", "24", "eth0", "web")),
        ("fd00::5/64/eth0", IpSpec("fd00::5", "64", "eth0")),
    ],
)
def test_ip_shorthand_like_the_wrapper(arg: str, spec: IpSpec) -> None:
    assert ip_shorthand(arg) == spec


@pytest.mark.parametrize(
    "arg",
    [
        "10.0.0.300",
        "10.0.0.5/33",
        "10.0.0.5/24/eth0/notip",
        "10.0.0.5/255.0.255.0",
        "10.0.0.5/24/10.0.0.255/x",
    ],
)
def test_ip_shorthand_invalid(arg: str) -> None:
    with pytest.raises(ValueError):
        ip_shorthand(arg)


def test_read_haresources_defaults_ha_d_to_file_dir(ha_d: Path) -> None:
    path = ha_d / "haresources"
    path.write_text("a hbdummy::x\n")
    res = read_haresources(path)
    assert res.groups[0].resources[0].kind == "heartbeat"
    assert res.groups[0].resources[0].path == str(ha_d / "resource.d" / "hbdummy")


def test_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(HaConfigError) as err:
        read_haresources(tmp_path / "none")
    assert err.value.code == "HARES_CANNOT_OPEN"
