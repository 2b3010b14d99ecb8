"""Data model of a parsed ha.cf (frozen dataclasses) and heartbeat's constants."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

DEFAULT_UDPPORT = 694  # UDPPORT; the ha-cluster/udp entry of /etc/services wins if present


def default_udpport() -> int:
    """heartbeat's default port: ``ha-cluster/udp`` from /etc/services, else 694."""
    try:
        return socket.getservbyname("ha-cluster", "udp")
    except OSError:
        return DEFAULT_UDPPORT


MAXNODE = 100
MAXMEDIA = 64
MAXLINE = 5120
HA_CCMUSER = "hacluster"
HA_APIGROUP = "haclient"

MediumKind = Literal["ucast", "bcast", "mcast", "serial", "ucast6", "mcast6"]
AutoFailback = Literal["on", "off", "legacy"]

SYSLOG_FACILITIES = frozenset(
    {
        "auth",
        "authpriv",
        "cron",
        "daemon",
        "ftp",
        "kern",
        "lpr",
        "mail",
        "mark",
        "news",
        "security",
        "syslog",
        "user",
        "uucp",
        *(f"local{i}" for i in range(8)),
        "none",
    }
)
VALID_BAUD = frozenset({9600, 19200, 38400, 57600, 115200, 230400, 460800})
COMPRESSION_MODULES = frozenset({"zlib", "bz2"})
PACEMAKER_WORDS = frozenset({"minimal", "manual", "respawn", "ccm-only", "valgrind"})


@dataclass(frozen=True)
class Medium:
    """One heartbeat communication path (a line or token of a media directive).

    kind       ucast | bcast | mcast | serial | ucast6 | mcast6
    interface  network device (``eth1``) or, for serial, the tty device path
    peer       ucast/ucast6: the address or host name packets are sent to
    group, ttl, loop   mcast/mcast6 parameters
    port       UDP port (ucast/bcast: the ``udpport`` in force when the plugin
               first initialised, as in heartbeat; mcast: the explicit port)
    baud       serial: the ``baud`` setting
    line       source line in ha.cf
    """

    kind: MediumKind
    interface: str
    line: int
    peer: str | None = None
    group: str | None = None
    port: int | None = None
    ttl: int | None = None
    loop: int | None = None
    baud: int | None = None


@dataclass(frozen=True)
class StonithDevice:
    """``stonith <type> <configfile>``."""

    type: str
    config_file: str
    line: int


@dataclass(frozen=True)
class StonithHost:
    """``stonith_host <host|*> <type> <params...>`` (host lowercased)."""

    host: str
    type: str
    params: str
    line: int


@dataclass(frozen=True)
class Respawn:
    """``respawn``/``failfast <user> </abs/program> [args]``."""

    user: str
    command: str
    path: str
    failfast: bool
    line: int


@dataclass(frozen=True)
class ApiAuth:
    """``apiauth <client> [uid=u1,u2] [gid=g1,g2]`` (names as written)."""

    client: str
    uids: tuple[str, ...]
    gids: tuple[str, ...]
    builtin: bool = False


def _frozen_map() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({})


@dataclass(frozen=True)
class HaCf:
    """A parsed and validated ha.cf. Times are integer milliseconds.

    ``parameters`` holds what heartbeat records for ``cl_status hbparameter -p
    <name>``: the value as written for given directives (``keepalive`` -> ``"2"``)
    and the default or derived value otherwise (``warntime`` -> ``"15000ms"``).
    ``warnings`` lists non-fatal findings heartbeat would log (legacy
    auto_failback, small initdead, udpport after media, obsolete nice_failback ...).
    """

    path: str
    nodes: tuple[str, ...]
    keepalive_ms: int = 1000
    deadtime_ms: int = 30000
    warntime_ms: int = 15000
    initdead_ms: int = 30000
    deadping_ms: int = 30000
    udpport: int = DEFAULT_UDPPORT
    media: tuple[Medium, ...] = ()
    baud: int = 19200
    auto_failback: AutoFailback = "legacy"
    ping_nodes: tuple[str, ...] = ()
    ping_groups: Mapping[str, tuple[str, ...]] = field(default_factory=_frozen_map)
    respawn: tuple[Respawn, ...] = ()
    apiauth: Mapping[str, ApiAuth] = field(default_factory=lambda: MappingProxyType({}))
    crm: str = "off"
    crm_daemon_dir: str | None = None
    crmd_spawns_pengine: bool | None = None
    logfile: str | None = None
    debugfile: str | None = None
    logfacility: str | None = None
    use_logd: bool | None = None
    conn_logd_time_ms: int = 60000
    syslogmsgfmt: bool = True
    log_badpack: bool = True
    uuidfrom: Literal["file", "nodename"] = "file"
    autojoin: Literal["none", "other", "any"] = "none"
    compression: str = "zlib"
    compression_threshold: int = 2
    traditional_compression: bool = False
    msgfmt: Literal["classic", "netstring"] = "classic"
    stonith: tuple[StonithDevice, ...] = ()
    stonith_hosts: tuple[StonithHost, ...] = ()
    hopfudge: int = 1
    realtime: bool = True
    rtprio: int | None = None
    debug: int = 0
    coredumps: bool = True
    coreroot: str | None = None
    watchdog: str | None = None
    hbgenmethod: Literal["file", "time"] = "file"
    max_rexmit_delay_ms: int = 250
    memreserve_kib: int = 6500
    cluster: str = "linux-ha"
    quorum_server: str | None = None
    use_apphbd: bool | None = None
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    record_config_changes: bool = True
    record_pengine_inputs: bool = True
    enable_config_writes: bool = True
    parameters: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()

    @property
    def manages_resources(self) -> bool:
        """True when heartbeat itself runs haresources (``crm off``)."""
        return self.crm == "off"

    @property
    def nice_failback(self) -> bool:
        """heartbeat's internal flag: auto_failback on/off (not legacy)."""
        return self.auto_failback != "legacy"

    @property
    def stonith_configured(self) -> bool:
        return bool(self.stonith or self.stonith_hosts)

    @property
    def ttl(self) -> int:
        """The ``ttl`` field of every message: hopfudge + number of nodes."""
        return self.hopfudge + len(self.nodes)
