"""ha.cf parse state: value helpers, media and whole-line directives.

Mirrors heartbeat's globals while `parse_config` reads ha.cf; the ordinary
directive handlers live in `hacf_options`.
"""

from __future__ import annotations

import functools
import grp
import ipaddress
import os
import pwd
import shutil
import subprocess

from heartbeat_compat.config.hacf_model import (
    HA_APIGROUP,
    HA_CCMUSER,
    MAXMEDIA,
    ApiAuth,
    Medium,
    Respawn,
    StonithDevice,
    StonithHost,
    default_udpport,
)
from heartbeat_compat.config.lexer import (
    WHITESPACE,
    c_atoi,
    parse_boolean,
    parse_msec,
    split_words,
)


class Fail(Exception):
    """Internal: a handler rejected its value (turned into HaConfigError)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# name -> (record value in `parameters`?, default applied after parsing)
DIRECTIVES: dict[str, tuple[bool, str | None]] = {
    "cluster": (True, "linux-ha"),
    "node": (False, None),
    "hopfudge": (True, "1"),
    "keepalive": (True, "1000ms"),
    "deadtime": (True, "30000ms"),
    "deadping": (True, None),
    "initdead": (True, None),
    "warntime": (True, None),
    "watchdog": (True, None),
    "baud": (True, "19200"),
    "udpport": (True, None),
    "logfacility": (True, None),
    "logfile": (True, None),
    "debugfile": (True, None),
    "nice_failback": (False, None),
    "auto_failback": (True, "legacy"),
    "rtprio": (True, None),
    "hbgenmethod": (True, "file"),
    "realtime": (True, "true"),
    "debug": (True, None),
    "msgfmt": (True, "classic"),
    "use_logd": (True, None),
    "conn_logd_time": (True, "60"),
    "use_apphbd": (False, None),
    "log_badpack": (True, "true"),
    "syslogmsgfmt": (True, "true"),
    "coredumps": (True, "true"),
    "coreroot": (True, None),
    "crm_daemon_dir": (True, None),
    "crmd_spawns_pengine": (True, None),
    "crm": (False, None),
    "pacemaker": (True, "false"),
    "autojoin": (True, "none"),
    "uuidfrom": (True, "file"),
    "compression": (True, "zlib"),
    "compression_threshold": (True, "2"),
    "traditional_compression": (True, "no"),
    "env": (False, None),
    "max_rexmit_delay": (True, "250"),
    "record_config_changes": (True, "on"),
    "record_pengine_inputs": (True, "on"),
    "enable_config_writes": (True, "on"),
    "memreserve": (True, "6500"),
    "quorum_server": (True, None),
}
# Whole-line directives (heartbeat WLdirectives[]).
WHOLE_LINE = ("stonith", "stonith_host", "apiauth", "respawn", "failfast")
# Media plugins with a parse function (whole line) / a new function (per token).
MEDIA_PARSE = ("ucast", "ucast6", "mcast", "mcast6", "ping_group")
MEDIA_NEW = ("bcast", "serial", "ping", "ping6")

BUILTIN_APIAUTH = (
    ("ipfail", f"uid={HA_CCMUSER}"),
    ("ccm", f"uid={HA_CCMUSER}"),
    ("ping", f"gid={HA_APIGROUP}"),
    ("lha-snmpagent", "uid=root"),
    ("anon", f"uid=root gid={HA_APIGROUP}"),
)
PACEMAKER_APIAUTH = (
    ("cib", f"uid={HA_CCMUSER}"),
    ("crmd", f"uid={HA_CCMUSER}"),
    ("stonithd", "uid=root"),
    ("stonith-ng", "uid=root"),
    ("attrd", f"uid={HA_CCMUSER}"),
    ("pingd", "uid=root"),
)


def is_legal_directive(name: str) -> bool:
    """Whether heartbeat 3.0.6 (Debian build, all shipped plugins) knows `name`."""
    return name in DIRECTIVES or name in WHOLE_LINE or name in MEDIA_PARSE + MEDIA_NEW


class BuilderBase:
    """Mutable parse state mirroring heartbeat's globals while reading ha.cf."""

    def __init__(self, filename: str, check_host: bool) -> None:
        self.filename = filename
        self.check_host = check_host
        self.params: dict[str, str] = {}
        self.nodes: list[str] = []
        self.ping_nodes: list[str] = []
        self.ping_groups: dict[str, tuple[str, ...]] = {}
        self.media: list[Medium] = []
        self.media_count = 0  # heartbeat's nummedia: ping media count too
        self.any_media_yet = False
        self.plugin_port: dict[str, int] = {}
        self.warnings: list[str] = []
        self.keepalive_ms = 1000
        self.deadtime_ms = 30000
        self.deadping_ms = -1
        self.initdead_ms = -1
        self.warntime_ms = 0
        self.hopfudge = 1
        self.nice_failback = False
        self.auto_failback = False
        self.pacemaker_seen = False
        self.crm = "off"
        self.watchdog: str | None = None
        self.baud_seen = False
        self.logfacility: str | None = None
        self.respawn: list[Respawn] = []
        self.apiauth: dict[str, ApiAuth] = {}
        self.stonith: list[StonithDevice] = []
        self.stonith_hosts: list[StonithHost] = []
        self.env: dict[str, str] = {}
        self.line = 0
        self.in_defaults = False
        self.directive_lines: dict[str, int] = {}
        self.values: dict[str, object] = {}

    # -- helpers -----------------------------------------------------------
    def warn(self, message: str) -> None:
        where = f"{self.filename}:{self.line}" if self.line else self.filename
        self.warnings.append(f"{where}: {message}")

    def _bool(self, value: str, directive: str) -> bool:
        result = parse_boolean(value)
        if result is None:
            raise Fail("HACF_BAD_BOOLEAN", f"invalid boolean [{value}] (use on/off, yes/no)")
        self.values[directive] = result
        return result

    def _time(self, value: str, *, positive: bool) -> int:
        ms = parse_msec(value)
        if ms is None or ms < 0 or (positive and ms <= 0):
            raise Fail(
                "HACF_BAD_TIME",
                f"invalid time [{value}]: a bare number is seconds, or use a ms/us suffix"
                " (s, sec and min are not accepted)",
            )
        return ms

    # -- media ---------------------------------------------------------------
    def _udp_port(self, kind: str) -> int:
        # Each UDP plugin reads udpport once, when its first medium is created.
        if kind not in self.plugin_port:
            self.plugin_port[kind] = c_atoi(self.params.get("udpport", str(default_udpport())))
        return self.plugin_port[kind]

    def _register_medium(self, medium: Medium | None) -> None:
        if self.media_count >= MAXMEDIA:
            raise Fail("HACF_TOO_MANY_MEDIA", f"Too many media specified (> {MAXMEDIA})")
        self.media_count += 1
        self.any_media_yet = True
        if medium is not None:
            self.media.append(medium)

    def _media_new(self, kind: str, value: str) -> None:
        if kind == "bcast":
            self._register_medium(Medium("bcast", value, self.line, port=self._udp_port("bcast")))
        elif kind == "serial":
            baud = c_atoi(self.params.get("baud", "19200"))
            self._register_medium(Medium("serial", value, self.line, baud=baud))
        else:  # ping, ping6: each address is a ping node
            self._check_address(value, six=(kind == "ping6"), what=kind)
            if value not in self.ping_nodes:
                self.ping_nodes.append(value)
            self._register_medium(None)

    def _check_address(self, value: str, *, six: bool, what: str) -> None:
        try:
            addr = ipaddress.ip_address(value)
        except ValueError:
            # heartbeat resolves host names too; accept anything name-like
            if not value or any(c in value for c in "/\\"):
                raise Fail("HACF_BAD_ADDRESS", f"{what}: bad address [{value}]") from None
            return
        if six != (addr.version == 6):
            raise Fail(
                "HACF_BAD_ADDRESS", f"{what}: [{value}] is not an IPv{6 if six else 4} address"
            )

    def media_parse(self, kind: str, rest: str) -> None:
        words = split_words(rest)
        if kind in ("ucast", "ucast6"):
            if not words:
                return  # heartbeat ignores an empty ucast line
            if len(words) < 2:
                raise Fail(
                    "HACF_BAD_MEDIUM", f"{kind}: [{words[0]}] missing target IP address/hostname"
                )
            self._check_address(words[1], six=(kind == "ucast6"), what=kind)
            self._register_medium(
                Medium(kind, words[0], self.line, peer=words[1], port=self._udp_port(kind))  # type: ignore[arg-type]
            )
        elif kind in ("mcast", "mcast6"):
            self._parse_mcast(kind, words)
        else:  # ping_group <name> <ip>...
            if len(words) < 2:
                raise Fail("HACF_BAD_MEDIUM", "ping_group: expected <group name> <address>...")
            name, addrs = words[0], tuple(words[1:])
            for addr in addrs:
                self._check_address(addr, six=False, what="ping_group")
            if name in self.ping_groups or name in self.nodes:
                raise Fail("HACF_DUPLICATE", f"ping_group [{name}] defined twice")
            self.ping_groups[name] = addrs
            self._register_medium(None)

    def _parse_mcast(self, kind: str, words: list[str]) -> None:
        if not words:
            return
        dev = words[0]
        names = ("mcast address", "port", "ttl", "loop")
        for i, what in enumerate(names, start=1):
            if len(words) <= i:
                raise Fail("HACF_BAD_MEDIUM", f"{kind} [{dev}] missing {what}")
        group, port_s, ttl_s, loop_s = words[1:5]
        try:
            addr = ipaddress.ip_address(group)
        except ValueError:
            raise Fail("HACF_BAD_MEDIUM", f"{kind} [{dev}] bad addr [{group}]") from None
        if not addr.is_multicast or (addr.version == 6) != (kind == "mcast6"):
            raise Fail("HACF_BAD_MEDIUM", f"{kind} [{dev}] bad addr [{group}]")
        port = c_atoi(port_s)
        if not 0 < port < 65536:
            raise Fail("HACF_BAD_MEDIUM", f"{kind} [{dev}] bad port [{port_s}]")
        ttl = c_atoi(ttl_s)
        max_ttl = 255 if kind == "mcast6" else 4
        if not 0 <= ttl <= max_ttl:
            raise Fail("HACF_BAD_MEDIUM", f"{kind} [{dev}] bad ttl [{ttl_s}] (0..{max_ttl})")
        loop = c_atoi(loop_s)
        if loop not in (0, 1):
            raise Fail("HACF_BAD_MEDIUM", f"{kind} [{dev}] bad loop [{loop_s}] (0 or 1)")
        self._register_medium(
            Medium(kind, dev, self.line, group=group, port=port, ttl=ttl, loop=loop)  # type: ignore[arg-type]
        )

    # -- whole-line directives -------------------------------------------
    def whole_line(self, directive: str, rest: str) -> None:
        self.any_media_yet = True
        if directive == "stonith":
            words = split_words(rest)
            if not words:
                raise Fail("HACF_BAD_STONITH", "No Stonith type given")
            cfg = rest.strip(WHITESPACE)[len(words[0]) :].strip(WHITESPACE)
            self._check_stonith_type(words[0])
            self.stonith.append(StonithDevice(words[0], cfg, self.line))
        elif directive == "stonith_host":
            words = split_words(rest)
            if not words:
                raise Fail("HACF_BAD_STONITH", "No Stonith hostname argument given")
            if len(words) < 2:
                raise Fail("HACF_BAD_STONITH", "No Stonith type given")
            params = rest.strip(WHITESPACE).split(None, 2)
            self._check_stonith_type(words[1])
            self.stonith_hosts.append(
                StonithHost(
                    words[0].lower(), words[1], params[2] if len(params) > 2 else "", self.line
                )
            )
        elif directive == "apiauth":
            self.apiauth_line(rest, builtin=False)
        else:
            self._respawn(rest, failfast=(directive == "failfast"))

    def _check_stonith_type(self, type_: str) -> None:
        if not self.check_host:
            return
        known = installed_stonith_types()
        if known is not None and type_ not in known:
            raise Fail("HACF_HOST_CHECK", f"Invalid Stonith type [{type_}]")

    def apiauth_line(self, rest: str, *, builtin: bool) -> None:
        words = split_words(rest)
        bad = (
            f"Invalid apiauth directive [{rest.strip()}]: "
            "syntax apiauth client [uid=list] [gid=list]"
        )
        if not words:
            raise Fail("HACF_BAD_APIAUTH", bad)
        client, uids, gids = words[0], None, None
        for word in words[1:]:
            if word.startswith("uid="):
                if uids is not None:
                    raise Fail("HACF_BAD_APIAUTH", "Duplicate uid list in apiauth")
                uids = tuple(x for x in word[4:].split(",") if x)
            elif word.startswith("gid="):
                if gids is not None:
                    raise Fail("HACF_BAD_APIAUTH", "Duplicate gid list in apiauth")
                gids = tuple(x for x in word[4:].split(",") if x)
            else:
                raise Fail("HACF_BAD_APIAUTH", "Missing uid or gid in apiauth")
        if uids is None and gids is None:
            raise Fail("HACF_BAD_APIAUTH", bad)
        if client in self.apiauth:
            raise Fail("HACF_DUPLICATE", f"Duplicate apiauth directive for API client {client}")
        if self.check_host and not builtin:
            for user in uids or ():
                _require_user(user)
            for group in gids or ():
                _require_group(group)
        self.apiauth[client] = ApiAuth(client, uids or (), gids or (), builtin)

    def _respawn(self, rest: str, *, failfast: bool) -> None:
        text = rest.lstrip(WHITESPACE)
        words = split_words(text)
        if len(words) < 2:
            raise Fail("HACF_BAD_RESPAWN", "expected <user> </absolute/program> [arguments]")
        user = words[0]
        command = text[len(user) :].lstrip(WHITESPACE).rstrip("\r\n")
        path = words[1]
        if self.check_host:
            _require_user(user)
        if not path.startswith("/"):
            raise Fail("HACF_BAD_RESPAWN", f"Client child command [{command}] is not full pathname")
        if self.check_host and not os.access(path, os.X_OK):
            raise Fail("HACF_HOST_CHECK", f"Client child command [{path}] is not executable")
        self.respawn.append(Respawn(user, command, path, failfast, self.line))


@functools.cache
def installed_stonith_types() -> frozenset[str] | None:
    """cluster-glue STONITH plugin types (``stonith -L``), None without the tool."""
    tool = shutil.which("stonith")
    if tool is None:
        return None
    try:
        res = subprocess.run([tool, "-L"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return frozenset(res.stdout.split()) if res.returncode == 0 else None


def _require_user(name: str) -> None:
    try:
        if name.isdigit():
            pwd.getpwuid(int(name))
        else:
            pwd.getpwnam(name)
    except KeyError:
        raise Fail("HACF_HOST_CHECK", f"Invalid uid [{name}]: no such user") from None


def _require_group(name: str) -> None:
    try:
        if name.isdigit():
            grp.getgrgid(int(name))
        else:
            grp.getgrnam(name)
    except KeyError:
        raise Fail("HACF_HOST_CHECK", f"Invalid gid [{name}]: no such group") from None
