"""`pycrm run --ha-d`: an unchanged legacy ha.d -> DaemonConfig and its in-memory CIB."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from pycrm.daemon.config import ConfigError, DaemonConfig, load_config
from pycrm.daemon.config_hacf import load_ha_d
from pycrm.daemon.config_model import Overrides

HACF = """\
logfile /var/log/ha-log
debugfile /var/log/ha-debug
logfacility local0
keepalive 500ms
deadtime 3
warntime 1
initdead 10
udpport 695
ucast eth0 10.0.0.1
ucast eth0 10.0.0.2
bcast eth1
node Alpha beta
auto_failback off
ping 10.0.0.254
ping_group uplink 10.1.0.1 10.1.0.2
respawn hacluster /usr/lib/heartbeat/ipfail
respawn root {prog} -v 'a b'
env FOO=bar
msgfmt netstring
"""
HARES = (
    "alpha 10.0.0.100/24/eth0 Filesystem::/dev/sdb1::/srv::ext4 myapp::one::two "
    "apache::/etc/apache2/apache2.conf\n"
    "beta IPaddr2::10.0.0.101/24/eth0 postfix\n"
)

MakeHaD = Callable[..., Path]


def _exe(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> None:
    path.write_text(text)
    os.chmod(path, 0o755)


@pytest.fixture
def make_ha_d(tmp_path: Path) -> MakeHaD:
    prog = tmp_path / "bin" / "watcher"
    prog.parent.mkdir()
    _exe(prog)
    init_d = tmp_path / "init.d"
    init_d.mkdir()
    _exe(init_d / "postfix")

    def make(hacf: str = HACF, haresources: str = HARES, nodeinfo: str | None = "alpha\n") -> Path:
        ha_d = tmp_path / "ha.d"
        (ha_d / "resource.d").mkdir(parents=True, exist_ok=True)
        for name in ("IPaddr", "IPaddr2", "Filesystem", "apache", "myapp"):
            _exe(ha_d / "resource.d" / name)
        (ha_d / "ha.cf").write_text(hacf.format(prog=prog))
        (ha_d / "haresources").write_text(haresources)
        if nodeinfo is not None:
            (ha_d / "nodeinfo").write_text(nodeinfo)
        keys = ha_d / "authkeys"
        keys.write_text("auth 2\n2 sha1 ha-d-secret\n")
        os.chmod(keys, 0o600)
        return ha_d

    return make


def load(ha_d: Path, **kwargs: object) -> DaemonConfig:
    return load_ha_d(ha_d, Overrides(**kwargs), init_d=ha_d.parent / "init.d")  # type: ignore[arg-type]


def error(ha_d: Path, **kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(ha_d, **kwargs)
    err = info.value
    assert str(err) == f"{err.file}:{err.line}: {err.message}" and "\n" not in str(err)
    return err


def test_everything_comes_from_ha_cf(make_ha_d: MakeHaD) -> None:
    ha_d = make_ha_d()
    cfg = load(ha_d)
    assert (cfg.mode, cfg.source, cfg.ha_d) == ("ha.d", ha_d, ha_d)
    assert cfg.resource_d == ha_d / "resource.d"
    assert cfg.cluster_name == "linux-ha"
    assert cfg.nodes == ("alpha", "beta")
    assert cfg.local_node == "alpha"  # nodeinfo
    assert cfg.profile is None
    t = cfg.timing
    assert (t.keepalive_ms, t.warn_ms, t.deadtime_ms, t.init_ms, t.ping_ms) == (
        500,
        1000,
        3000,
        10000,
        3000,
    )
    assert [(m.kind, m.interface, m.peer, m.port) for m in cfg.media] == [
        ("ucast", "eth0", "10.0.0.1", 695),
        ("ucast", "eth0", "10.0.0.2", 695),
        ("bcast", "eth1", None, 695),
    ]
    assert cfg.udpport == 695 and cfg.msgfmt == "netstring" and cfg.hopfudge == 1
    assert cfg.authkeys_path == ha_d / "authkeys"
    assert cfg.logging.logfile == Path("/var/log/ha-log")
    assert cfg.logging.debugfile == Path("/var/log/ha-debug")
    assert cfg.logging.facility == "local0"
    assert cfg.auto_failback == "off"
    assert cfg.ping_nodes == ("10.0.0.254",)
    assert dict(cfg.ping_groups) == {"uplink": ("10.1.0.1", "10.1.0.2")}
    assert [p.attribute for p in cfg.ping_sets] == ["pingd", "pingd_uplink"]
    assert cfg.quorum.two_node and cfg.quorum.wait_for_all
    assert cfg.executor.init_d == ha_d.parent / "init.d"


def test_respawn_entries(make_ha_d: MakeHaD) -> None:
    cfg = load(make_ha_d())
    (entry,) = cfg.respawn  # ipfail is left out: the daemon does its job
    assert entry.user == "root"
    assert entry.argv[1:] == ("-v", "a b")
    assert entry.argv[0].endswith("/bin/watcher")
    assert entry.line == 17 and entry.failfast is False
    assert dict(entry.env) == {"HA_CURHOST": "alpha", "HA_FOO": "bar"}
    assert any(
        "ha.cf:16: respawn /usr/lib/heartbeat/ipfail: not started" in w for w in cfg.warnings
    )


def test_in_memory_cib(make_ha_d: MakeHaD) -> None:
    cfg = load(make_ha_d())
    root = etree.fromstring(cfg.initial_cib)
    assert (root.get("admin_epoch"), root.get("epoch"), root.get("num_updates")) == ("0",) * 3
    prims = {p.get("id"): p for p in root.iter("primitive")}
    kinds = {pid: (p.get("class"), p.get("provider"), p.get("type")) for pid, p in prims.items()}
    assert kinds["myapp"] == ("heartbeat", None, "myapp")
    params = [(nv.get("name"), nv.get("value")) for nv in prims["myapp"].iter("nvpair")]
    assert params == [("1", "one"), ("2", "two")]
    # heartbeat's own resource.d wrappers map to the agents they ran: ours
    assert kinds["ip_10_0_0_100"] == ("ocf", "pycrm", "IPaddr2")
    assert kinds["fs_srv"] == ("ocf", "pycrm", "Filesystem")
    assert kinds["apache"] == ("ocf", "pycrm", "apache")
    assert kinds["postfix"] == ("lsb", None, "postfix")  # found in init.d only
    assert not list(root.iter("clone"))  # no ocf:pacemaker:ping: the daemon sets pingd
    rules = [r for r in root.iter("rule") if r.get("score") == "-INFINITY"]
    assert len(rules) == 2
    attrs = {e.get("attribute") for r in rules for e in r.iter("expression")}
    assert attrs == {"pingd", "pingd_uplink"}
    assert not any("corosync" in n or "cibadmin" in n for n in cfg.notes)
    stick = root.find(".//rsc_defaults//nvpair[@name='resource-stickiness']")
    assert stick is not None and stick.get("value") == "1000"  # auto_failback off


def test_overrides(make_ha_d: MakeHaD, tmp_path: Path) -> None:
    cfg = load(
        make_ha_d(nodeinfo=None),
        state_dir=tmp_path / "s",
        run_dir=tmp_path / "r",
        local_node="BETA",
        allow_insecure_auth=True,
    )
    assert cfg.local_node == "beta"
    assert cfg.state_dir == tmp_path / "s" and cfg.run_dir == tmp_path / "r"
    assert cfg.cib_path == tmp_path / "s" / "cib.xml"
    assert cfg.allow_insecure_auth


def test_load_config_dispatches_to_ha_d(make_ha_d: MakeHaD) -> None:
    ha_d = make_ha_d(haresources="alpha 10.0.0.100\n")
    cfg = load_config(config=None, ha_d=ha_d)
    assert cfg.mode == "ha.d" and cfg.executor.init_d == Path("/etc/init.d")


def test_local_node_not_declared(make_ha_d: MakeHaD) -> None:
    err = error(make_ha_d(nodeinfo="gamma\n"))
    assert err.file.endswith("ha.cf") and err.line == 12
    assert "Current node [gamma] not in configuration!" in err.message


def test_bad_hacf_line(make_ha_d: MakeHaD) -> None:
    err = error(make_ha_d(hacf=HACF.replace("keepalive 500ms", "keepalive 2s")))
    assert (Path(err.file).name, err.line) == ("ha.cf", 4)
    assert err.message.startswith("keepalive: invalid time")


def test_deadtime_too_small(make_ha_d: MakeHaD) -> None:
    err = error(make_ha_d(hacf=HACF.replace("deadtime 3", "deadtime 1")))
    assert err.line == 5 and "too small" in err.message


def test_bad_haresources(make_ha_d: MakeHaD) -> None:
    err = error(make_ha_d(haresources="gamma 10.0.0.100\n"))
    assert (Path(err.file).name, err.line) == ("haresources", 1)
    assert "Bad nodename" in err.message


def test_missing_authkeys(make_ha_d: MakeHaD) -> None:
    ha_d = make_ha_d()
    (ha_d / "authkeys").unlink()
    err = error(ha_d)
    assert err.file == str(ha_d / "authkeys") and "does not exist" in err.message


def test_respawn_program_not_executable(make_ha_d: MakeHaD, tmp_path: Path) -> None:
    os.chmod(tmp_path / "bin" / "watcher", 0o644)
    err = error(make_ha_d())
    assert err.line == 17 and err.message.startswith("respawn: Client child command")


def test_respawn_unknown_user(make_ha_d: MakeHaD) -> None:
    err = error(make_ha_d(hacf=HACF.replace("respawn root", "respawn no-such-user-h8")))
    assert err.line == 17 and "Invalid uid [no-such-user-h8]" in err.message


@pytest.mark.parametrize("tail", ["| logger", "> /tmp/x", "$HOME", "`id`", "; reboot", '"$X"'])
def test_respawn_shell_syntax(make_ha_d: MakeHaD, tail: str) -> None:
    err = error(make_ha_d(hacf=HACF.replace("-v 'a b'", f"-v {tail}")))
    assert err.line == 17 and "shell syntax" in err.message


def test_failfast_entry(make_ha_d: MakeHaD) -> None:
    cfg = load(make_ha_d(hacf=HACF.replace("respawn root", "failfast root")))
    assert cfg.respawn[0].failfast


def test_unsupported_medium(make_ha_d: MakeHaD) -> None:
    err = error(make_ha_d(hacf=HACF.replace("bcast eth1", "ucast6 eth1 fd00::2")))
    assert err.line == 11 and "not supported" in err.message


def test_not_a_directory(tmp_path: Path) -> None:
    err = error(tmp_path / "missing")
    assert err.line == 0 and "not a directory" in err.message


def test_crm_on_is_translated_with_a_warning(make_ha_d: MakeHaD) -> None:
    cfg = load(make_ha_d(hacf=HACF + "crm respawn\n"))
    assert any("heartbeat ignored haresources" in w for w in cfg.warnings)


def test_crc_in_authkeys_refuses_unless_opted_in(make_ha_d: MakeHaD) -> None:
    ha_d = make_ha_d()
    (ha_d / "authkeys").write_text("auth 2\n2 sha1 ha-d-secret\n5 crc\n")
    err = error(ha_d)
    assert err.file == str(ha_d / "authkeys") and err.line == 3
    assert "--allow-insecure-auth" in err.message
    cfg = load_config(config=None, ha_d=ha_d, allow_insecure_auth=True)
    assert any("running anyway" in w for w in cfg.warnings)
