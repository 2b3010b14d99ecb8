"""ha.cf: every directive, the lexical rules and heartbeat's derived defaults."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.config.hacf import HaCf, is_legal_directive, load_hacf, parse_hacf

BASE = "logfile /dev/null\nbcast eth0\nnode alpha beta\n"


def parse(extra: str = "", base: str = BASE, **kw: object) -> HaCf:
    return parse_hacf(base + extra, "ha.cf", **kw)  # type: ignore[arg-type]


def fails(text: str, **kw: object) -> HaConfigError:
    with pytest.raises(HaConfigError) as err:
        parse_hacf(text, "ha.cf", **kw)  # type: ignore[arg-type]
    return err.value


SAMPLE = """\
#	sample ha.cf as shipped (abridged)
debugfile /var/log/ha-debug
logfile	/var/log/ha-log
logfacility	local0
keepalive 2
deadtime 30
warntime 10
initdead 120
udpport	694
bcast	eth0		# Linux
ucast eth1 10.0.0.2
auto_failback on
node	ken3
node	kathy
ping 10.10.10.254
respawn hacluster /usr/lib/heartbeat/ipfail
apiauth ipfail gid=haclient uid=hacluster
"""


def test_shipped_sample(write_file: Callable[..., Path]) -> None:
    cf = load_hacf(write_file("ha.cf", SAMPLE))
    assert cf.nodes == ("ken3", "kathy")
    assert (cf.keepalive_ms, cf.deadtime_ms, cf.warntime_ms, cf.initdead_ms) == (
        2000,
        30000,
        10000,
        120000,
    )
    assert cf.deadping_ms == 30000
    assert cf.udpport == 694
    assert [(m.kind, m.interface, m.peer, m.port) for m in cf.media] == [
        ("bcast", "eth0", None, 694),
        ("ucast", "eth1", "10.0.0.2", 694),
    ]
    assert cf.auto_failback == "on"
    assert cf.ping_nodes == ("10.10.10.254",)
    assert cf.respawn[0].user == "hacluster"
    assert cf.respawn[0].path == "/usr/lib/heartbeat/ipfail"
    assert cf.apiauth["ipfail"].gids == ("haclient",)
    assert cf.apiauth["ipfail"].builtin is False
    assert cf.logfacility == "local0"
    assert cf.parameters["keepalive"] == "2"
    assert cf.parameters["deadtime"] == "30"
    assert cf.crm == "off"
    assert cf.manages_resources
    assert cf.ttl == 3


def test_compiled_defaults() -> None:
    cf = parse()
    assert cf.keepalive_ms == 1000
    assert cf.deadtime_ms == 30000
    assert cf.warntime_ms == 15000
    assert cf.initdead_ms == 30000
    assert cf.deadping_ms == 30000
    assert cf.udpport == 694
    assert cf.auto_failback == "legacy"
    assert cf.baud == 19200
    assert cf.hopfudge == 1
    assert cf.msgfmt == "classic"
    assert cf.compression == "zlib"
    assert cf.compression_threshold == 2
    assert cf.traditional_compression is False
    assert cf.max_rexmit_delay_ms == 250
    assert cf.memreserve_kib == 6500
    assert cf.uuidfrom == "file"
    assert cf.autojoin == "none"
    assert cf.realtime is True
    assert cf.coredumps is True
    assert cf.conn_logd_time_ms == 60000
    assert cf.cluster == "linux-ha"
    assert cf.debug == 0
    # what `cl_status hbparameter -p` would show for unset directives
    assert cf.parameters["keepalive"] == "1000ms"
    assert cf.parameters["deadtime"] == "30000ms"
    assert cf.parameters["warntime"] == "15000ms"
    assert cf.parameters["initdead"] == "30000ms"
    assert cf.parameters["udpport"] == "694"
    assert cf.parameters["auto_failback"] == "legacy"
    assert cf.parameters["pacemaker"] == "false"
    assert sorted(cf.apiauth) == ["anon", "ccm", "ipfail", "lha-snmpagent", "ping"]
    assert any("legacy" in w for w in cf.warnings)


@pytest.mark.parametrize(
    ("deadtime", "initdead"),
    [("30", 30000), ("10.001", 10001), ("10", 20000), ("6", 12000), ("5", 12000), ("3", 12000)],
)
def test_initdead_default_rule(deadtime: str, initdead: int) -> None:
    cf = parse(f"deadtime {deadtime}\n")
    assert cf.initdead_ms == initdead


def test_warntime_is_half_deadtime_integer() -> None:
    assert parse("deadtime 3001ms\n").warntime_ms == 1500


def test_deadtime_must_exceed_twice_keepalive() -> None:
    err = fails(BASE + "keepalive 5\ndeadtime 10\n")
    assert err.code == "HACF_DEADTIME_TOO_SMALL"
    assert str(err).startswith("ha.cf:5: deadtime: Dead time [10000]")
    assert fails(BASE + "deadtime 10\nkeepalive 5\n").line == 5
    assert fails(BASE + "keepalive 20\n").line == 4  # deadtime left at its default
    assert fails("logfile /dev/null\nbcast eth0\n").line == 0  # no node line at all
    assert "Dead time [10000]" in err.message
    cf = parse("keepalive 200ms\ndeadtime 401ms\ninitdead 12\n")
    assert cf.deadtime_ms == 401
    assert cf.keepalive_ms == 200


def test_initdead_smaller_than_deadtime_is_fatal() -> None:
    assert fails(BASE + "deadtime 30\ninitdead 20\n").code == "HACF_INITDEAD_TOO_SMALL"


def test_small_initdead_warns() -> None:
    cf = parse("keepalive 1\ndeadtime 4\ninitdead 5\n")
    assert any("Initial dead time [5000 ms] may be too small" in w for w in cf.warnings)


def test_deadping() -> None:
    assert parse("deadping 20\n").deadping_ms == 20000
    assert fails(BASE + "keepalive 2\ndeadping 4\n").code == "HACF_DEADPING_TOO_SMALL"


@pytest.mark.parametrize("value", ["2s", "2sec", "1min", "fast"])
def test_time_with_bad_unit_is_fatal(value: str) -> None:
    err = fails(BASE + f"keepalive {value}\n")
    assert err.code == "HACF_BAD_TIME"
    assert err.line == 4
    assert err.directive == "keepalive"
    assert str(err) == f"ha.cf:4: keepalive: {err.message}"


def test_time_units() -> None:
    cf = parse("keepalive 500ms\ndeadtime 2500000us\nwarntime 1.5\ninitdead 12\n")
    assert (cf.keepalive_ms, cf.deadtime_ms, cf.warntime_ms) == (500, 2500, 1500)


def test_keepalive_zero_is_fatal() -> None:
    assert fails(BASE + "keepalive 0\n").code == "HACF_BAD_TIME"


def test_warntime_zero_is_fatal() -> None:
    assert fails(BASE + "warntime 0\n").code == "HACF_BAD_TIME"


def test_comment_anywhere_and_crlf() -> None:
    cf = parse_hacf("node A#,b\r\nbcast eth0 # eth1\r\nlogfile /x#y\r\n  # only\n\n", "f")
    assert cf.nodes == ("a",)
    assert [m.interface for m in cf.media] == ["eth0"]
    assert cf.logfile == "/x"


def test_comma_and_blank_splitting_and_lowercase_nodes() -> None:
    cf = parse_hacf("logfile /dev/null\nbcast eth0, eth1\nnode NodeA,nodeB\tNODEC\n", "f")
    assert cf.nodes == ("nodea", "nodeb", "nodec")
    assert [m.interface for m in cf.media] == ["eth0", "eth1"]


def test_repeated_option_last_wins() -> None:
    assert parse("keepalive 1 2\n").keepalive_ms == 2000


def test_duplicate_node_kept_once() -> None:
    cf = parse("node Alpha\n")
    assert cf.nodes == ("alpha", "beta")
    assert any("declared twice" in w for w in cf.warnings)


def test_directive_without_value_is_ignored() -> None:
    assert parse("keepalive\n").keepalive_ms == 1000


def test_unknown_directive_is_fatal() -> None:
    err = fails(BASE + "keepalive_ms 3\n")
    assert err.code == "HACF_ILLEGAL_DIRECTIVE"
    assert (err.line, err.directive) == (4, "keepalive_ms")
    assert str(err) == "ha.cf:4: keepalive_ms: Illegal directive"


def test_directive_is_case_sensitive() -> None:
    assert fails(BASE + "Keepalive 3\n").code == "HACF_ILLEGAL_DIRECTIVE"


def test_udp_is_bcast_alias() -> None:
    cf = parse_hacf("logfile /dev/null\nudp eth3\nnode a\n", "f")
    assert cf.media[0].kind == "bcast"
    assert any("'udp' replaced by 'bcast'" in w for w in cf.warnings)


def test_no_media_is_fatal() -> None:
    assert fails("logfile /dev/null\nnode a\n").code == "HACF_NO_MEDIA"


def test_no_nodes_is_fatal() -> None:
    assert fails("logfile /dev/null\nbcast eth0\n").code == "HACF_NO_NODES"


def test_local_node_check() -> None:
    assert parse(local_node="ALPHA").nodes[0] == "alpha"
    assert fails(BASE, local_node="gamma").code == "HACF_LOCAL_NODE"


def test_udpport_and_media_order() -> None:
    cf = parse_hacf("logfile /dev/null\nudpport 700\nbcast eth0\nnode a\n", "f")
    assert cf.udpport == 700
    assert cf.media[0].port == 700
    late = parse_hacf(
        "logfile /dev/null\nbcast eth0\nudpport 700\nucast eth1 10.0.0.1\nnode a\n", "f"
    )
    assert late.udpport == 700
    # each plugin reads udpport once, at its first medium: bcast kept 694
    assert [m.port for m in late.media] == [694, 700]
    assert any("must precede media" in w for w in late.warnings)
    assert fails(BASE + "udpport 0\n").code == "HACF_BAD_PORT"


def test_ucast_mcast_serial_media() -> None:
    cf = parse(
        "ucast eth1 10.0.0.2 ignored\nmcast eth2 239.1.2.3 695 1 0\nserial /dev/ttyS0\n"
        "ucast6 eth3 fd00::2\nmcast6 eth4 ff02::1:2 694 1 1\n"
    )
    kinds = [(m.kind, m.interface) for m in cf.media]
    assert kinds == [
        ("bcast", "eth0"),
        ("ucast", "eth1"),
        ("mcast", "eth2"),
        ("serial", "/dev/ttyS0"),
        ("ucast6", "eth3"),
        ("mcast6", "eth4"),
    ]
    mcast = cf.media[2]
    assert (mcast.group, mcast.port, mcast.ttl, mcast.loop) == ("239.1.2.3", 695, 1, 0)
    assert cf.media[3].baud == 19200


@pytest.mark.parametrize(
    "line",
    [
        "ucast eth1",
        "mcast eth0 10.0.0.1 694 1 0",
        "mcast eth0 225.0.0.1 694 5 0",
        "mcast eth0 225.0.0.1 694 1 2",
        "mcast eth0 225.0.0.1 0 1 0",
        "mcast eth0 225.0.0.1 694 1",
        "mcast eth0 225.0.0.1",
        "ping_group onlyname",
    ],
)
def test_bad_media(line: str) -> None:
    err = fails(BASE + line + "\n")
    assert err.line == 4
    assert err.directive == line.split(maxsplit=1)[0]


def test_baud() -> None:
    cf = parse_hacf("logfile /dev/null\nbaud 38400\nserial /dev/ttyS1\nnode a\n", "f")
    assert cf.baud == 38400
    assert cf.media[0].baud == 38400
    assert fails(BASE + "baud 1234\n").code == "HACF_BAD_BAUD"
    assert fails(BASE + "baud 9600\nbaud 9600\n").code == "HACF_DUPLICATE"


def test_ping_and_ping_group() -> None:
    cf = parse("ping 10.0.0.254 10.0.1.254\nping_group uplinks 10.1.0.1 10.1.0.2\n")
    assert cf.ping_nodes == ("10.0.0.254", "10.0.1.254")
    assert dict(cf.ping_groups) == {"uplinks": ("10.1.0.1", "10.1.0.2")}
    assert cf.nodes == ("alpha", "beta")


def test_ping_only_counts_as_media() -> None:
    cf = parse_hacf("logfile /dev/null\nping 10.0.0.1\nnode a\n", "f")
    assert cf.media == ()
    assert cf.ping_nodes == ("10.0.0.1",)


@pytest.mark.parametrize(
    ("value", "mode"),
    [
        ("on", "on"),
        ("yes", "on"),
        ("true", "on"),
        ("off", "off"),
        ("no", "off"),
        ("legacy", "legacy"),
        ("LEGACY", "legacy"),
    ],
)
def test_auto_failback(value: str, mode: str) -> None:
    cf = parse(f"auto_failback {value}\n")
    assert cf.auto_failback == mode
    assert cf.nice_failback == (mode != "legacy")


def test_auto_failback_bad_value() -> None:
    assert fails(BASE + "auto_failback sometimes\n").code == "HACF_BAD_AUTO_FAILBACK"


def test_nice_failback_is_obsolete_and_quirky() -> None:
    # heartbeat tests its current flag, not the value: alone it means legacy
    assert parse("nice_failback on\n").auto_failback == "legacy"
    # after an explicit auto_failback it turns into 'off'
    assert parse("auto_failback on\nnice_failback on\n").auto_failback == "off"
    assert any("obsolete" in w for w in parse("nice_failback off\n").warnings)


@pytest.mark.parametrize(
    ("value", "crm"),
    [
        ("off", "off"),
        ("no", "off"),
        ("on", "on"),
        ("yes", "on"),
        ("respawn", "respawn"),
        ("manual", "minimal"),
        ("ccm-only", "ccm-only"),
    ],
)
def test_crm_and_pacemaker(value: str, crm: str) -> None:
    for directive in ("crm", "pacemaker"):
        cf = parse(f"{directive} {value}\n")
        assert cf.crm == crm
        assert cf.parameters["pacemaker"] == value
        assert cf.manages_resources == (crm == "off")
    assert "cib" in parse("crm on\n").apiauth


def test_crm_twice_and_order_rules() -> None:
    assert fails(BASE + "crm on\npacemaker on\n").code == "HACF_DUPLICATE"
    assert fails(BASE + "crm on\ncrmd_spawns_pengine yes\n").code == "HACF_ORDER"
    # heartbeat only logs this one (inverted test in set_crm_daemon_dir)
    late = parse("crm on\ncrm_daemon_dir /x\n")
    assert late.crm_daemon_dir == "/x"
    assert any("must come before" in w for w in late.warnings)
    cf = parse("crmd_spawns_pengine no\ncrm_daemon_dir /usr/lib/pacemaker\ncrm respawn\n")
    assert cf.crmd_spawns_pengine is False
    assert cf.crm_daemon_dir == "/usr/lib/pacemaker"
    assert fails(BASE + "crm maybe\n").code == "HACF_BAD_VALUE"


def test_autojoin_conflicts_with_haresources() -> None:
    assert fails(BASE + "autojoin any\n").code == "HACF_AUTOJOIN_R1"
    assert parse("autojoin other\ncrm on\n").autojoin == "other"
    assert parse("autojoin NONE\n").autojoin == "none"
    cf = parse_hacf("logfile /dev/null\nbcast eth0\nautojoin any\ncrm on\n", "f")
    assert cf.nodes == ()


def test_logging_rules() -> None:
    assert parse_hacf("bcast eth0\nnode a\n", "f").use_logd is True
    err = fails("bcast eth0\nnode a\nuse_logd off\n")
    assert err.code == "HACF_NO_LOGGING"
    cf = parse_hacf("bcast eth0\nnode a\nlogfacility daemon\n", "f")
    assert cf.logfacility == "daemon"
    assert cf.parameters["logfile"] == "/dev/null"
    assert fails(BASE + "logfacility Daemon\n").code == "HACF_BAD_FACILITY"
    cf = parse("debugfile /var/log/ha-debug\nuse_logd yes\nconn_logd_time 10\n")
    assert cf.debugfile == "/var/log/ha-debug"
    assert cf.use_logd is True
    assert cf.conn_logd_time_ms == 10000


def test_integer_and_enum_directives() -> None:
    cf = parse(
        "hopfudge 3\ndebug 2\nrtprio 50\nmsgfmt netstring\nuuidfrom nodename\nhbgenmethod time\n"
        "compression bz2\ncompression_threshold 4\ntraditional_compression yes\n"
        "max_rexmit_delay 300\nmemreserve 1000\ncluster prod\nquorum_server qs1\n"
        "watchdog /dev/watchdog\nrealtime off\ncoredumps no\nlog_badpack false\n"
        "syslogmsgfmt false\nuse_apphbd no\nrecord_config_changes off\n"
        "record_pengine_inputs off\nenable_config_writes off\ncoreroot /var/lib/heartbeat/cores\n"
        "env FOO=bar\n"
    )
    assert cf.hopfudge == 3
    assert cf.ttl == 5
    assert cf.debug == 2
    assert cf.rtprio == 50
    assert cf.msgfmt == "netstring"
    assert cf.uuidfrom == "nodename"
    assert cf.hbgenmethod == "time"
    assert cf.compression == "bz2"
    assert cf.compression_threshold == 4
    assert cf.traditional_compression is True
    assert cf.max_rexmit_delay_ms == 300
    assert cf.memreserve_kib == 1000
    assert cf.cluster == "prod"
    assert cf.quorum_server == "qs1"
    assert cf.watchdog == "/dev/watchdog"
    assert cf.realtime is False
    assert cf.coredumps is False
    assert cf.log_badpack is False
    assert cf.syslogmsgfmt is False
    assert cf.use_apphbd is False
    assert (cf.record_config_changes, cf.record_pengine_inputs, cf.enable_config_writes) == (
        False,
        False,
        False,
    )
    assert cf.coreroot == "/var/lib/heartbeat/cores"
    assert dict(cf.env) == {"FOO": "bar"}


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("hopfudge 256", "HACF_BAD_INTEGER"),
        ("debug 300", "HACF_BAD_INTEGER"),
        ("rtprio 0", "HACF_BAD_INTEGER"),
        ("msgfmt xml", "HACF_BAD_VALUE"),
        ("uuidfrom File", "HACF_BAD_VALUE"),
        ("hbgenmethod random", "HACF_BAD_VALUE"),
        ("compression lzo", "HACF_BAD_VALUE"),
        ("compression_threshold 0", "HACF_BAD_INTEGER"),
        ("traditional_compression maybe", "HACF_BAD_BOOLEAN"),
        ("max_rexmit_delay -1", "HACF_BAD_INTEGER"),
        ("memreserve 0", "HACF_BAD_INTEGER"),
        ("watchdog /a\nwatchdog /b", "HACF_DUPLICATE"),
        ("realtime maybe", "HACF_BAD_BOOLEAN"),
        ("env NOEQUALS", "HACF_BAD_VALUE"),
        ("autojoin some", "HACF_BAD_VALUE"),
        ("conn_logd_time 0", "HACF_BAD_TIME"),
    ],
)
def test_bad_values(line: str, code: str) -> None:
    assert fails(BASE + line + "\n").code == code


def test_stonith_directives() -> None:
    cf = parse(
        "stonith baytech /etc/ha.d/conf/stonith.baytech\n"
        "stonith_host * external/ssh hostlist=alpha,beta\n"
        "stonith_host ALPHA apcsmart /dev/ttyS1 beta\n"
    )
    assert cf.stonith[0].type == "baytech"
    assert cf.stonith[0].config_file == "/etc/ha.d/conf/stonith.baytech"
    assert [(s.host, s.type, s.params) for s in cf.stonith_hosts] == [
        ("*", "external/ssh", "hostlist=alpha,beta"),
        ("alpha", "apcsmart", "/dev/ttyS1 beta"),
    ]
    assert cf.stonith_configured
    assert not parse().stonith_configured
    assert fails(BASE + "stonith\n").code == "HACF_BAD_STONITH"
    assert fails(BASE + "stonith_host *\n").code == "HACF_BAD_STONITH"


def test_respawn_and_failfast() -> None:
    cf = parse("respawn hacluster /usr/lib/heartbeat/ipfail -v\nfailfast root /bin/true\n")
    assert cf.respawn[0].command == "/usr/lib/heartbeat/ipfail -v"
    assert cf.respawn[1].failfast is True
    assert fails(BASE + "respawn hacluster ipfail\n").code == "HACF_BAD_RESPAWN"
    assert fails(BASE + "respawn hacluster\n").code == "HACF_BAD_RESPAWN"


def test_respawn_host_checks() -> None:
    assert parse("respawn root /bin/true\n", check_host=True).respawn[0].user == "root"
    err = fails(BASE + "respawn no-such-user-xyz /bin/true\n", check_host=True)
    assert err.code == "HACF_HOST_CHECK"
    err = fails(BASE + "respawn root /nonexistent/prog\n", check_host=True)
    assert err.code == "HACF_HOST_CHECK"


def test_apiauth() -> None:
    cf = parse("apiauth myclient uid=root,daemon gid=root\napiauth ipfail uid=root\n")
    assert cf.apiauth["myclient"].uids == ("root", "daemon")
    assert cf.apiauth["ipfail"].uids == ("root",)  # overrides the built-in
    assert fails(BASE + "apiauth c1 uid=a\napiauth c1 gid=b\n").code == "HACF_DUPLICATE"
    assert fails(BASE + "apiauth c1\n").code == "HACF_BAD_APIAUTH"
    assert fails(BASE + "apiauth c1 uid=a uid=b\n").code == "HACF_BAD_APIAUTH"
    assert fails(BASE + "apiauth c1 user=a\n").code == "HACF_BAD_APIAUTH"


def test_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(HaConfigError) as err:
        load_hacf(tmp_path / "nope")
    assert err.value.code == "HACF_CANNOT_OPEN"


def test_is_legal_directive() -> None:
    for name in ("node", "ucast", "ping_group", "stonith_host", "crm", "mcast6", "memreserve"):
        assert is_legal_directive(name)
    for name in ("normalpoll", "udp", "Node", "resource"):
        assert not is_legal_directive(name)


def test_stonith_type_host_check() -> None:
    from tests.fixtures.tools import require_tool

    require_tool("stonith")
    assert parse("stonith_host * null alpha\n", check_host=True).stonith_hosts[0].type == "null"
    assert fails(BASE + "stonith_host * bogus x\n", check_host=True).code == "HACF_HOST_CHECK"
    assert parse("stonith_host * bogus x\n").stonith_hosts[0].type == "bogus"


def test_ping6_and_ucast6_addresses_are_checked() -> None:
    cf = parse("ping6 fd00::1\n")
    assert cf.ping_nodes == ("fd00::1",)
    assert fails(BASE + "ping6 10.0.0.1\n").code == "HACF_BAD_ADDRESS"
    assert fails(BASE + "ucast6 eth0 10.0.0.1\n").code == "HACF_BAD_ADDRESS"


def test_every_legal_directive_is_exercised_here() -> None:
    from heartbeat_compat.config.hacf_state import DIRECTIVES, MEDIA_NEW, MEDIA_PARSE, WHOLE_LINE

    source = Path(__file__).read_text()
    missing = [
        name
        for name in (*DIRECTIVES, *WHOLE_LINE, *MEDIA_PARSE, *MEDIA_NEW)
        if f"{name} " not in source
    ]
    assert missing == []


def test_default_udpport_follows_etc_services(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def fake(name: str, proto: str) -> int:
        assert (name, proto) == ("ha-cluster", "udp")
        return 1694

    monkeypatch.setattr(socket, "getservbyname", fake)
    cf = parse()
    assert cf.udpport == 1694
    assert cf.media[0].port == 1694
    assert parse("udpport 700\n").udpport == 700
