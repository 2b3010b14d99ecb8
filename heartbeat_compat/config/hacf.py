"""ha.cf parser with heartbeat 3.0.6's lexical rules, defaults and fatal checks.

Public API::

    load_hacf(path, *, local_node=None, check_host=False) -> HaCf
    parse_hacf(text, filename="ha.cf", *, local_node=None, check_host=False) -> HaCf

Reproduced from heartbeat (`heartbeat/config.c` `parse_config`/`init_config`):

* lines: leading blanks skipped, ``#`` **anywhere** starts a comment, CR/LF
  stripped, blank lines ignored, no continuation lines;
* the first word is the directive (case-sensitive); an unknown one is fatal
  (``Illegal directive``); ``udp`` is the historical alias of ``bcast``;
* ordinary directives are cut at spaces, tabs **and commas** and the handler runs
  once per token (``node a,b c`` adds three nodes; ``keepalive 1 2`` -> last wins);
  ``stonith``, ``stonith_host``, ``apiauth``, ``respawn``, ``failfast``, ``ucast``,
  ``ucast6``, ``mcast``, ``mcast6`` and ``ping_group`` take the rest of the line;
* times: a bare number is **seconds**, ``ms``/``msec`` milliseconds, ``us``/``usec``
  microseconds, fractions allowed, ``2s`` is an error (`lexer.parse_msec`);
* booleans: ``true on yes y 1`` / ``false off no n 0``; integers read like C atoi;
* node names are lowercased;
* defaults: keepalive 1000 ms, deadtime 30000 ms, warntime = deadtime/2,
  initdead = deadtime if deadtime > 10 s, 12 s if deadtime < 6 s, else
  2 x deadtime; deadping = deadtime; udpport 694; auto_failback legacy;
* fatal: no media, no nodes, deadtime <= 2 x keepalive, initdead < deadtime,
  deadping <= 2 x keepalive, autojoin other/any with haresources management,
  no logging configured while ``use_logd off``, the local node (when given)
  not declared.

Host-specific checks heartbeat does at start-up (respawn user exists and program
is executable, apiauth users/groups exist) run only with ``check_host=True``:
a migration tool usually reads an ha.d copied from another machine.

Deliberate deviations (safer, reported as warnings or errors instead of C
undefined behaviour): a node listed twice is kept once (warning); ``env`` without
``=`` is an error.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.config.hacf_model import (
    ApiAuth,
    AutoFailback,
    HaCf,
    Medium,
    MediumKind,
    Respawn,
    StonithDevice,
    StonithHost,
    default_udpport,
)
from heartbeat_compat.config.hacf_options import Builder
from heartbeat_compat.config.hacf_state import (
    BUILTIN_APIAUTH,
    DIRECTIVES,
    MEDIA_PARSE,
    WHOLE_LINE,
    Fail,
    is_legal_directive,
)
from heartbeat_compat.config.lexer import DELIMS, WHITESPACE, c_atoi, split_options

__all__ = [
    "ApiAuth",
    "AutoFailback",
    "HaCf",
    "HaConfigError",
    "Medium",
    "MediumKind",
    "Respawn",
    "StonithDevice",
    "StonithHost",
    "is_legal_directive",
    "load_hacf",
    "parse_hacf",
]


def load_hacf(
    path: str | os.PathLike[str],
    *,
    local_node: str | None = None,
    check_host: bool = False,
) -> HaCf:
    """Read and validate an ha.cf file.

    local_node   when given (the node's ``uname -n`` or /etc/ha.d/nodeinfo name),
                 heartbeat's ``Current node [x] not in configuration!`` check runs.
    check_host   also run heartbeat's host-dependent checks (respawn user exists
                 and program is executable; apiauth users and groups exist;
                 STONITH plugin types are installed).

    Raises HaConfigError (code, file, line, directive, message) on the first fatal
    problem, including an unreadable file (code ``HACF_CANNOT_OPEN``). Problems found
    after parsing (deadtime vs keepalive, ...) carry the line of the last directive
    involved, or line 0 when every value involved is a default.
    """
    filename = os.fspath(path)
    try:
        raw = Path(filename).read_bytes()
    except OSError as exc:
        raise HaConfigError(
            "HACF_CANNOT_OPEN", filename, 0, "", f"Cannot open config file: {exc.strerror}"
        ) from None
    text = raw.decode("utf-8", errors="surrogateescape")
    return parse_hacf(text, filename, local_node=local_node, check_host=check_host)


def _clean_line(raw: str) -> str:
    bp = raw.lstrip(WHITESPACE)
    hash_at = bp.find("#")
    if hash_at >= 0:
        bp = bp[:hash_at]
    for i, ch in enumerate(bp):
        if ch in "\r\n":
            return bp[:i]
    return bp


def parse_hacf(
    text: str,
    filename: str = "ha.cf",
    *,
    local_node: str | None = None,
    check_host: bool = False,
) -> HaCf:
    """Parse ha.cf content (see load_hacf)."""
    b = Builder(filename, check_host)
    for lineno, raw in enumerate(text.split("\n"), start=1):
        b.line = lineno
        bp = _clean_line(raw)
        if not bp:
            continue
        dir_end = len(bp)
        for i, ch in enumerate(bp):
            if ch in WHITESPACE:
                dir_end = i
                break
        directive = bp[:dir_end]
        if directive == "udp":
            b.warn("directive 'udp' replaced by 'bcast'")
            directive = "bcast"
        if not is_legal_directive(directive):
            raise HaConfigError(
                "HACF_ILLEGAL_DIRECTIVE", filename, lineno, directive, "Illegal directive"
            )
        rest = bp[dir_end:].lstrip(DELIMS)
        b.directive_lines[directive] = lineno
        try:
            if directive in MEDIA_PARSE:
                b.media_parse(directive, rest)
            elif directive in WHOLE_LINE:
                b.whole_line(directive, rest)
            else:
                for token in split_options(rest):
                    b.add_option(directive, token)
        except Fail as fail:
            raise HaConfigError(fail.code, filename, lineno, directive, fail.message) from None
    b.line = 0
    return _finish(b, filename, local_node)


def _fatal(
    b: Builder, code: str, directive: str, message: str, related: tuple[str, ...] = ()
) -> HaConfigError:
    """A post-parse error, located at the last line of the directives involved."""
    line = max((b.directive_lines.get(name, 0) for name in (directive, *related)), default=0)
    return HaConfigError(code, b.filename, line, directive, message)


def _apply_defaults(b: Builder) -> None:
    b.in_defaults = True
    for client, spec in BUILTIN_APIAUTH:
        if client not in b.apiauth:
            b.apiauth_line(f"{client} {spec}", builtin=True)
    for name, (_, default) in DIRECTIVES.items():
        if default is None or name in b.params:
            continue
        b.add_option(name, default)
    b.params.setdefault("debug", str(b.values.get("debug", 0)))


def _finish(b: Builder, filename: str, local_node: str | None) -> HaCf:
    _apply_defaults(b)
    autojoin = str(b.values.get("autojoin", "none"))
    if b.media_count < 1:
        raise _fatal(b, "HACF_NO_MEDIA", "", "No heartbeat media defined")
    if b.warntime_ms <= 0:
        b.warntime_ms = b.deadtime_ms // 2
        b.params["warntime"] = f"{b.warntime_ms}ms"
    if not b.nodes and autojoin != "any":
        raise _fatal(b, "HACF_NO_NODES", "node", "no nodes defined")
    if local_node is not None and local_node.lower() not in b.nodes and autojoin != "any":
        raise _fatal(
            b,
            "HACF_LOCAL_NODE",
            "node",
            f"Current node [{local_node.lower()}] not in configuration!",
        )
    if b.deadtime_ms <= 2 * b.keepalive_ms:
        raise _fatal(
            b,
            "HACF_DEADTIME_TOO_SMALL",
            "deadtime",
            f"Dead time [{b.deadtime_ms}] is too small compared to keepalive "
            f"[{b.keepalive_ms}] (must be > 2 x keepalive)",
            related=("keepalive",),
        )
    if b.initdead_ms < 0:
        if b.deadtime_ms > 10000:
            b.initdead_ms = b.deadtime_ms
        elif b.deadtime_ms < 6000:
            b.initdead_ms = 12000
        else:
            b.initdead_ms = 2 * b.deadtime_ms
        b.params["initdead"] = f"{b.initdead_ms}ms"
    if b.initdead_ms < b.deadtime_ms:
        raise _fatal(
            b,
            "HACF_INITDEAD_TOO_SMALL",
            "initdead",
            f"Initial dead time [{b.initdead_ms}] is smaller than deadtime [{b.deadtime_ms}]",
            related=("deadtime",),
        )
    if b.initdead_ms < 10000:
        b.warn(
            f"Initial dead time [{b.initdead_ms} ms] may be too small! "
            "It should be >= deadtime and >= 10 seconds"
        )
    if b.deadping_ms < 0:
        b.deadping_ms = b.deadtime_ms
        b.params["deadping"] = f"{b.deadping_ms}ms"
    elif b.deadping_ms <= 2 * b.keepalive_ms:
        raise _fatal(
            b,
            "HACF_DEADPING_TOO_SMALL",
            "deadping",
            f"Ping dead time [{b.deadping_ms}] is too small compared to keepalive "
            f"[{b.keepalive_ms}]",
            related=("keepalive",),
        )
    b.params.setdefault("udpport", str(default_udpport()))
    manages = b.crm == "off"
    if not b.nice_failback and manages:
        b.warn(
            "Deprecated 'legacy' auto_failback option selected. "
            "Please convert to 'auto_failback on'."
        )
    _check_logging(b, filename)
    if manages and autojoin != "none":
        raise _fatal(
            b,
            "HACF_AUTOJOIN_R1",
            "autojoin",
            "R1 style resource management conflicts with autojoin set "
            "(unset autojoin or enable crm)",
        )
    return _freeze(b, filename, autojoin)


def _check_logging(b: Builder, filename: str) -> None:
    use_logd = b.values.get("use_logd")
    facility_set = b.logfacility is not None and b.logfacility not in ("none", "kern")
    if "logfile" not in b.values and "debugfile" not in b.values and not facility_set:
        if use_logd is None:
            b.params["use_logd"] = "yes"
            b.values["use_logd"] = True
        elif use_logd is False:
            raise _fatal(
                b,
                "HACF_NO_LOGGING",
                "use_logd",
                "No log entry found in ha.cf and use_logd is set to off",
            )
    if facility_set:
        b.params.setdefault("logfile", "/dev/null")
        b.params.setdefault("debugfile", "/dev/null")


def _freeze(b: Builder, filename: str, autojoin: str) -> HaCf:
    v = b.values
    mode: AutoFailback = "legacy" if not b.nice_failback else ("on" if b.auto_failback else "off")

    def opt_bool(name: str) -> bool | None:
        value = v.get(name)
        return value if isinstance(value, bool) else None

    def get_bool(name: str, default: bool) -> bool:
        value = opt_bool(name)
        return default if value is None else value

    def get_int(name: str, default: int) -> int:
        value = v.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def get_str(name: str) -> str | None:
        value = v.get(name)
        return value if isinstance(value, str) else None

    return HaCf(
        path=filename,
        nodes=tuple(b.nodes),
        keepalive_ms=b.keepalive_ms,
        deadtime_ms=b.deadtime_ms,
        warntime_ms=b.warntime_ms,
        initdead_ms=b.initdead_ms,
        deadping_ms=b.deadping_ms,
        udpport=c_atoi(b.params["udpport"]),
        media=tuple(b.media),
        baud=c_atoi(b.params.get("baud", "19200")),
        auto_failback=mode,
        ping_nodes=tuple(b.ping_nodes),
        ping_groups=MappingProxyType(dict(b.ping_groups)),
        respawn=tuple(b.respawn),
        apiauth=MappingProxyType(dict(b.apiauth)),
        crm=b.crm,
        crm_daemon_dir=get_str("crm_daemon_dir"),
        crmd_spawns_pengine=opt_bool("crmd_spawns_pengine"),
        logfile=get_str("logfile"),
        debugfile=get_str("debugfile"),
        logfacility=b.logfacility,
        use_logd=opt_bool("use_logd"),
        conn_logd_time_ms=get_int("conn_logd_time", 60000),
        syslogmsgfmt=get_bool("syslogmsgfmt", True),
        log_badpack=get_bool("log_badpack", True),
        uuidfrom="nodename" if v.get("uuidfrom") == "nodename" else "file",
        autojoin=_autojoin(autojoin),
        compression=get_str("compression") or "zlib",
        compression_threshold=get_int("compression_threshold", 2),
        traditional_compression=get_bool("traditional_compression", False),
        msgfmt="netstring" if v.get("msgfmt") == "netstring" else "classic",
        stonith=tuple(b.stonith),
        stonith_hosts=tuple(b.stonith_hosts),
        hopfudge=b.hopfudge,
        realtime=get_bool("realtime", True),
        rtprio=get_int("rtprio", 0) or None,
        debug=get_int("debug", 0),
        coredumps=get_bool("coredumps", True),
        coreroot=get_str("coreroot"),
        watchdog=b.watchdog,
        hbgenmethod="time" if v.get("hbgenmethod") == "time" else "file",
        max_rexmit_delay_ms=get_int("max_rexmit_delay", 250),
        memreserve_kib=get_int("memreserve", 6500),
        cluster=get_str("cluster") or "linux-ha",
        quorum_server=get_str("quorum_server"),
        use_apphbd=opt_bool("use_apphbd"),
        env=MappingProxyType(dict(b.env)),
        record_config_changes=get_bool("record_config_changes", True),
        record_pengine_inputs=get_bool("record_pengine_inputs", True),
        enable_config_writes=get_bool("enable_config_writes", True),
        parameters=MappingProxyType(dict(b.params)),
        warnings=tuple(b.warnings),
    )


def _autojoin(value: str) -> Literal["none", "other", "any"]:
    if value == "other":
        return "other"
    if value == "any":
        return "any"
    return "none"
