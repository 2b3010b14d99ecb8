"""`pycrm run --config`: the TOML keys of issue 8, profiles, overrides and every
kind of bad input as one ``file:line: message`` error."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from pycrm.daemon import config_toml, paths
from pycrm.daemon.config import PROFILES, ConfigError, DaemonConfig, find_run_dir, load_config

BASE = """\
[cluster]
name = "web"
nodes = ["node1", "node2", "node3"]
local_node = "node1"
[[link]]
type = "ucast"
interface = "eth0"
peers = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
[auth]
keyfile = "authkeys"
"""

Write = Callable[[str], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    keys = tmp_path / "authkeys"
    keys.write_text("auth 1\n1 sha1 test-secret\n")
    os.chmod(keys, 0o600)

    def make(text: str) -> Path:
        path = tmp_path / "pycrm.toml"
        path.write_text(text)
        return path

    return make


def load(path: Path, **kwargs: object) -> DaemonConfig:
    return load_config(config=path, ha_d=None, **kwargs)  # type: ignore[arg-type]


def error(path: Path, **kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(path, **kwargs)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{info.value.file}:{info.value.line}: ")
    return info.value


# ------------------------------------------------------------------ good input


def test_issue_example(write: Write) -> None:
    path = write(
        BASE.replace('local_node = "node1"\n', 'local_node = "node1"\ncib = "/x/cib.xml"\n')
        + '[timers]\nkeepalive = "200ms"\ndeadtime = "1s"\n'
    )
    cfg = load(path)
    assert cfg.mode == "toml"
    assert cfg.source == path
    assert cfg.cluster_name == "web"
    assert cfg.nodes == ("node1", "node2", "node3")
    assert cfg.local_node == "node1"
    assert cfg.cib_path == Path("/x/cib.xml")
    assert cfg.state_dir == paths.DEFAULT_STATE_DIR
    assert cfg.run_dir == paths.DEFAULT_RUN_DIR
    assert cfg.profile == "default"
    assert (cfg.timing.keepalive_ms, cfg.timing.deadtime_ms) == (200, 1000)
    assert [m.peer for m in cfg.media] == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert {(m.kind, m.interface, m.port) for m in cfg.media} == {("ucast", "eth0", cfg.udpport)}
    assert cfg.authkeys_path == path.parent / "authkeys"
    assert not cfg.allow_insecure_auth
    assert cfg.quorum.two_node is False and cfg.quorum.wait_for_all is False
    assert cfg.msgfmt == "netstring"
    assert cfg.respawn == () and cfg.ha_d is None and cfg.auto_failback is None


def test_profiles_and_derived_timers(write: Write) -> None:
    default = load(write(BASE)).timing
    assert (default.keepalive_ms, default.warn_ms, default.deadtime_ms, default.init_ms) == (
        500,
        1000,
        2000,
        4000,
    )
    fast_path = write(
        BASE.replace('local_node = "node1"', 'local_node = "node1"\nprofile = "fast"')
    )
    fast = load(fast_path)
    assert fast.profile == "fast"
    t = fast.timing
    assert (t.keepalive_ms, t.warn_ms, t.deadtime_ms, t.init_ms, t.ping_ms) == (
        100,
        200,
        400,
        2000,
        400,
    )
    assert PROFILES["fast"].keepalive_ms == 100
    # [timers] overrides key by key; warntime and initdead follow the new deadtime
    over = load(write(BASE + '[timers]\ndeadtime = "3s"\n')).timing
    assert (over.keepalive_ms, over.warn_ms, over.deadtime_ms, over.init_ms) == (
        500,
        1500,
        3000,
        6000,
    )


@pytest.mark.parametrize(
    ("value", "ms"),
    [
        ('"200ms"', 200),
        ('"1s"', 1000),
        ('"2"', 2000),
        ("2", 2000),
        ("0.25", 250),
        ('"1.5sec"', 1500),
        ('"1500 msec"', 1500),
        ('"500000us"', 500),
    ],
)
def test_time_units(write: Write, value: str, ms: int) -> None:
    cfg = load(write(BASE + f'[timers]\ndeadtime = "10s"\nkeepalive = {value}\n'))
    assert cfg.timing.keepalive_ms == ms


def test_two_nodes_default_to_two_node_and_wait_for_all(write: Write) -> None:
    text = BASE.replace('"node1", "node2", "node3"', '"node1", "node2"')
    assert load(write(text)).quorum.two_node is True
    assert load(write(text)).quorum.wait_for_all is True
    cfg = load(write(text + "[quorum]\nwait_for_all = false\n"))
    assert (cfg.quorum.two_node, cfg.quorum.wait_for_all) == (True, False)
    cfg = load(write(text + "[quorum]\ntwo_node = false\n"))
    assert (cfg.quorum.two_node, cfg.quorum.wait_for_all) == (False, False)


def test_command_line_overrides(write: Write, tmp_path: Path) -> None:
    path = write(
        BASE.replace('local_node = "node1"\n', 'state_dir = "/srv/a"\nrun_dir = "/run/a"\n')
        + "allow_insecure_auth = false\n"
    )
    cfg = load(
        path,
        state_dir=tmp_path / "s",
        run_dir=tmp_path / "r",
        allow_insecure_auth=True,
        local_node="NODE2",
    )
    assert cfg.state_dir == tmp_path / "s"
    assert cfg.run_dir == tmp_path / "r"
    assert cfg.cib_path == tmp_path / "s" / "cib.xml"  # follows the state dir
    assert cfg.allow_insecure_auth is True
    assert cfg.local_node == "node2"
    assert find_run_dir(config=path, ha_d=None) == Path("/run/a")
    assert find_run_dir(config=path, ha_d=None, run_dir=tmp_path) == tmp_path


def test_relative_paths(write: Write) -> None:
    path = write(
        BASE.replace('local_node = "node1"\n', 'state_dir = "state"\ncib = "my.xml"\n')
        + '[logging]\nfile = "log/pycrm.log"\nfacility = "local3"\n'
        + '[executor]\nmax_parallel = 3\ninit_d = "init.d"\n[metrics]\nport = 9100\n'
    )
    cfg = load(path, local_node="node3")
    assert cfg.state_dir == path.parent / "state"
    assert cfg.cib_path == path.parent / "state" / "my.xml"
    assert cfg.logging.logfile == path.parent / "log" / "pycrm.log"
    assert cfg.logging.facility == "local3"
    assert cfg.executor.max_parallel == 3
    assert cfg.executor.init_d == path.parent / "init.d"
    assert cfg.metrics_port == 9100


def test_local_node_defaults_to_uname(write: Write) -> None:
    me = os.uname().nodename.lower()
    path = write(BASE.replace('local_node = "node1"\n', "").replace('"node3"', f'"{me}"'))
    assert load(path).local_node == me


def test_every_link_type(write: Write) -> None:
    text = BASE + (
        '[[link]]\ntype = "bcast"\ninterface = "eth1"\nport = 700\n'
        '[[link]]\ntype = "mcast"\ninterface = "eth2"\ngroup = "239.1.2.3"\nttl = 2\nloop = true\n'
        '[[link]]\ntype = "serial"\ndevice = "/dev/ttyS0"\nbaud = 115200\n'
    )
    media = load(write(text)).media
    assert [m.kind for m in media] == ["ucast"] * 3 + ["bcast", "mcast", "serial"]
    bcast, mcast, serial = media[3:]
    assert (bcast.interface, bcast.port) == ("eth1", 700)
    assert (mcast.group, mcast.ttl, mcast.loop) == ("239.1.2.3", 2, 1)
    assert (serial.interface, serial.baud) == ("/dev/ttyS0", 115200)
    assert (bcast.line, mcast.line, serial.line) == (11, 15, 21)


def test_ping(write: Write) -> None:
    cfg = load(
        write(BASE + '[ping]\nnodes = ["10.0.0.254"]\n[ping.groups]\nuplink = ["10.1.0.1"]\n')
    )
    assert cfg.ping_nodes == ("10.0.0.254",)
    assert dict(cfg.ping_groups) == {"uplink": ("10.1.0.1",)}
    assert [(p.attribute, p.addresses) for p in cfg.ping_sets] == [
        ("pingd", ("10.0.0.254",)),
        ("pingd_uplink", ("10.1.0.1",)),
    ]


def test_empty_cib_is_a_cib_of_the_nodes(write: Write) -> None:
    cfg = load(write(BASE))
    root = etree.fromstring(cfg.initial_cib)
    assert (root.get("admin_epoch"), root.get("epoch"), root.get("num_updates")) == ("0",) * 3
    assert [(n.get("id"), n.get("uname")) for n in root.iter("node")] == [
        ("1", "node1"),
        ("2", "node2"),
        ("3", "node3"),
    ]
    assert root.find("configuration/resources") is not None
    assert len(root.find("configuration/resources")) == 0  # type: ignore[arg-type]
    assert dict(cfg.node_ids) == {"node1": "1", "node2": "2", "node3": "3"}


def test_loading_creates_nothing(write: Write, tmp_path: Path) -> None:
    path = write(BASE.replace('local_node = "node1"\n', 'state_dir = "s"\nrun_dir = "r"\n'))
    load(path, local_node="node1")
    assert not (tmp_path / "s").exists() and not (tmp_path / "r").exists()


# ------------------------------------------------------------------- bad input


def test_syntax_error(write: Write) -> None:
    err = error(write(BASE + "[timers\nkeepalive = 1\n"))
    assert err.line == 11
    assert "TOML syntax error" in err.message


def test_syntax_error_at_end_of_document(write: Write) -> None:
    err = error(write(BASE + 'x = """never closed\n'))
    assert "TOML syntax error" in err.message


def test_not_utf8(write: Write) -> None:
    path = write(BASE)
    path.write_bytes(BASE.encode() + b"# caf\xe9\n")
    assert error(path).line == 11


def test_missing_file(tmp_path: Path) -> None:
    err = error(tmp_path / "nope.toml")
    assert err.line == 0 and "cannot read" in err.message


def test_unknown_key(write: Write) -> None:
    err = error(write(BASE.replace('name = "web"', 'name = "web"\nnodez = ["a"]')))
    assert err.line == 3
    assert err.message.startswith("cluster.nodez: unknown key")


def test_unknown_table(write: Write) -> None:
    err = error(write(BASE + "[timer]\nkeepalive = 1\n"))
    assert (err.line, err.message.split(":")[0]) == (11, "timer")


def test_unknown_key_in_second_link(write: Write) -> None:
    text = BASE + '[[link]]\ntype = "bcast"\ninterface = "eth1"\npeers = ["10.0.0.9"]\n'
    err = error(write(text))
    assert err.line == 14
    assert err.message.startswith("link[2].peers: unknown key")


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ('name = "web"', "name = 7", 2, "cluster.name: expected a string, got an integer"),
        ('"node1", "node2", "node3"', '"node1", 2', 3, "found an integer"),
        ('nodes = ["node1", "node2", "node3"]', 'nodes = "node1"', 3, "expected an array"),
        ('keyfile = "authkeys"', "keyfile = true", 10, "expected a string, got a boolean"),
        ('interface = "eth0"', 'interface = ["eth0"]', 7, "link[1].interface: expected"),
    ],
)
def test_wrong_type(write: Write, old: str, new: str, line: int, words: str) -> None:
    err = error(write(BASE.replace(old, new)))
    assert err.line == line
    assert words in err.message


def test_link_as_plain_table(write: Write) -> None:
    text = BASE.replace("[[link]]", "[link]")
    err = error(write(text))
    assert err.line == 5 and "[[link]]" in err.message


@pytest.mark.parametrize("value", ['"2s5"', '"fast"', '"-1"', '"1min"', "true", "-2"])
def test_bad_time(write: Write, value: str) -> None:
    err = error(write(BASE + f"[timers]\nkeepalive = {value}\n"))
    assert err.line == 12
    assert err.message.startswith("timers.keepalive: invalid time")


def test_zero_time(write: Write) -> None:
    err = error(write(BASE + '[timers]\nkeepalive = "0ms"\n'))
    assert err.line == 12 and "more than 0" in err.message


def test_deadtime_not_above_twice_keepalive(write: Write) -> None:
    err = error(write(BASE + '[timers]\ndeadtime = "1s"\nkeepalive = "500ms"\n'))
    assert err.line == 13  # the later of the two keys involved
    assert "Dead time [1000] is too small" in err.message
    # only keepalive overridden: the profile's deadtime is too small for it
    err = error(write(BASE + '[timers]\nkeepalive = "1s"\n'))
    assert err.line == 12


def test_initdead_below_deadtime(write: Write) -> None:
    err = error(write(BASE + '[timers]\ninitdead = "1s"\n'))
    assert err.line == 12 and "Initial dead time" in err.message


def test_warntime_not_below_deadtime(write: Write) -> None:
    err = error(write(BASE + '[timers]\nwarntime = "2s"\n'))
    assert err.line == 12 and "warntime" in err.message


def test_local_node_not_in_nodes(write: Write) -> None:
    err = error(write(BASE.replace('local_node = "node1"', 'local_node = "node9"')))
    assert err.line == 4
    assert "'node9' (from local_node) is not one of the cluster's nodes" in err.message
    err = error(write(BASE), local_node="other")
    assert err.line == 3 and "from --node" in err.message


def test_uname_not_in_nodes(write: Write) -> None:
    err = error(write(BASE.replace('local_node = "node1"\n', "")))
    assert err.line == 3 and "uname -n" in err.message


def test_empty_nodes(write: Write) -> None:
    err = error(write(BASE.replace('"node1", "node2", "node3"', "")))
    assert err.line == 3 and "no nodes" in err.message


def test_missing_nodes(write: Write) -> None:
    err = error(write(BASE.replace('nodes = ["node1", "node2", "node3"]\n', "")))
    assert err.line == 1 and "missing required key 'nodes'" in err.message


def test_uppercase_and_duplicate_nodes(write: Write) -> None:
    err = error(write(BASE.replace('"node2"', '"Node2"')))
    assert err.line == 3 and "lowercase ('node2')" in err.message
    err = error(write(BASE.replace('"node3"', '"node1"')))
    assert err.line == 3 and "listed twice" in err.message
    err = error(write(BASE.replace('"node3"', '"no de"')))
    assert "invalid node name" in err.message


def test_missing_cluster(write: Write) -> None:
    err = error(write("[[link]]" + BASE.split("[[link]]", 1)[1]))
    assert err.line == 0 and "missing required key 'cluster'" in err.message


def test_no_link(write: Write) -> None:
    err = error(write(BASE.split("[[link]]", 1)[0]))
    assert "no [[link]]" in err.message


def test_bad_link_type(write: Write) -> None:
    err = error(write(BASE.replace('type = "ucast"', 'type = "ucast6"')))
    assert err.line == 6
    assert "unknown link type 'ucast6'" in err.message
    err = error(write(BASE.replace('type = "ucast"\n', "")))
    assert err.line == 5 and "missing required key 'type'" in err.message


@pytest.mark.parametrize(
    ("link", "line", "words"),
    [
        ('type = "ucast"\ninterface = "eth1"\npeers = []\n', 14, "no peers"),
        ('type = "ucast"\ninterface = "eth1"\npeers = ["fd00::1"]\n', 14, "IPv6"),
        ('type = "ucast"\ninterface = "eth1"\npeers = ["a b"]\n', 14, "not an address"),
        ('type = "ucast"\ninterface = "eth1"\n', 11, "missing required key 'peers'"),
        ('type = "bcast"\ninterface = "a-very-long-ifname"\n', 13, "not a network interface"),
        ('type = "bcast"\ninterface = "eth1"\nport = 70000\n', 14, "out of range 1..65535"),
        ('type = "mcast"\ninterface = "eth1"\ngroup = "10.0.0.1"\n', 14, "not an IPv4 multicast"),
        ('type = "mcast"\ninterface = "eth1"\ngroup = "239.0.0.1"\nttl = 9\n', 15, "0..4"),
        ('type = "mcast"\ninterface = "eth1"\ngroup = "239.0.0.1"\nloop = 1\n', 15, "true or"),
        ('type = "serial"\ndevice = "ttyS0"\n', 13, "absolute path"),
        ('type = "serial"\ndevice = "/dev/ttyS0"\nbaud = 1200\n', 14, "1200: one of"),
    ],
)
def test_bad_link(write: Write, link: str, line: int, words: str) -> None:
    err = error(write(BASE + "[[link]]\n" + link))
    assert err.line == line
    assert err.message.startswith("link[2]")
    assert words in err.message


def test_missing_keyfile(write: Write, tmp_path: Path) -> None:
    (tmp_path / "authkeys").unlink()
    err = error(write(BASE))
    assert err.line == 10 and "does not exist" in err.message


def test_default_keyfile_is_checked_too(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tmp_path / "etc" / "authkeys"
    monkeypatch.setattr(config_toml, "DEFAULT_KEYFILE", default)
    err = error(write(BASE.replace('[auth]\nkeyfile = "authkeys"\n', "")))
    assert err.line == 0 and f"{default} does not exist" in err.message


def test_bad_keyfile_reports_its_own_line(write: Write, tmp_path: Path) -> None:
    (tmp_path / "authkeys").write_text("auth 1\n1 sha256 key\n")
    err = error(write(BASE))
    assert err.file == str(tmp_path / "authkeys")
    assert err.line == 2 and "Invalid authtype" in err.message


def test_readable_keyfile(write: Write, tmp_path: Path) -> None:
    os.chmod(tmp_path / "authkeys", 0o644)
    err = error(write(BASE))
    assert err.file == str(tmp_path / "authkeys") and "Bad permissions" in err.message


def test_two_node_with_three_nodes(write: Write) -> None:
    err = error(write(BASE + "[quorum]\ntwo_node = true\n"))
    assert err.line == 12 and "exactly 2 nodes" in err.message


def test_bad_profile(write: Write) -> None:
    err = error(
        write(BASE.replace('local_node = "node1"', 'local_node = "node1"\nprofile = "turbo"'))
    )
    assert err.line == 5 and "unknown profile 'turbo'" in err.message


def test_bad_logging_facility(write: Write) -> None:
    err = error(write(BASE + '[logging]\nfacility = "local9"\n'))
    assert err.line == 12 and "unknown syslog facility" in err.message


def test_ping_group_named_like_a_node(write: Write) -> None:
    err = error(write(BASE + '[ping.groups]\nnode2 = ["10.0.0.1"]\n'))
    assert err.line == 12 and "node's name" in err.message


def test_executor_range(write: Write) -> None:
    err = error(write(BASE + "[executor]\nmax_parallel = 0\n"))
    assert err.line == 12 and "out of range" in err.message


def test_exactly_one_source(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        load_config(config=None, ha_d=None)
    with pytest.raises(ValueError, match="exactly one"):
        load_config(config=tmp_path, ha_d=tmp_path)


def test_documented_example_loads(write: Write, tmp_path: Path) -> None:
    doc = (Path(__file__).parents[3] / "docs" / "daemon-config.md").read_text()
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    example = example.replace('keyfile = "/etc/pycrm/authkeys"', 'keyfile = "authkeys"')
    cfg = load(write(example))
    assert cfg.nodes == ("node1", "node2") and cfg.quorum.two_node
    assert (cfg.timing.keepalive_ms, cfg.timing.deadtime_ms, cfg.timing.ping_ms) == (
        200,
        1000,
        1000,
    )
    assert [p.attribute for p in cfg.ping_sets] == ["pingd", "pingd_uplink"]


def test_spare_crc_key_refuses_to_start(write: Write, tmp_path: Path) -> None:
    (tmp_path / "authkeys").write_text("auth 1\n1 sha1 secret\n3 crc\n")
    err = error(write(BASE))
    assert err.file == str(tmp_path / "authkeys") and err.line == 3
    assert "anyone on the link can forge" in err.message
    assert "allow_insecure_auth = true" in err.message and "sha1" in err.message


def test_crc_opt_in_from_toml_or_cli_warns(write: Write, tmp_path: Path) -> None:
    (tmp_path / "authkeys").write_text("auth 1\n1 sha1 secret\n3 crc\n")
    cfg = load(write(BASE + "allow_insecure_auth = true\n"))
    assert cfg.allow_insecure_auth
    assert any("running anyway" in w for w in cfg.warnings)
    cfg = load(write(BASE), allow_insecure_auth=True)
    assert any("running anyway" in w for w in cfg.warnings)
