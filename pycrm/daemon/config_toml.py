"""`pycrm run --config FILE`: the TOML configuration -> `DaemonConfig`.

Every key is checked for its type and range, unknown keys and tables are
errors (a typo must not silently fall back to a default), and each error is
one ``file:line: key: message`` line. The keys are listed in
docs/daemon-config.md; relative paths are relative to the file's directory,
except ``cib``, which is relative to the state directory.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from heartbeat_compat.config.authkeys import CLI_OPT_IN, TOML_OPT_IN
from heartbeat_compat.config.hacf_model import (
    MAXNODE,
    SYSLOG_FACILITIES,
    VALID_BAUD,
    Medium,
    default_udpport,
)
from heartbeat_compat.membership.timing import Timing, TimingError
from pycrm.daemon import paths
from pycrm.daemon.config_common import (
    check_keyfile,
    check_media,
    default_local_node,
    default_quorum,
    empty_cib,
    parse_time_ms,
)
from pycrm.daemon.config_locate import KeyPath, Locations, locate
from pycrm.daemon.config_model import (
    PROFILES,
    ConfigError,
    DaemonConfig,
    ExecutorOptions,
    LoggingOptions,
    Overrides,
    Profile,
    QuorumOptions,
)

DEFAULT_KEYFILE = Path("/etc/pycrm/authkeys")
NODE_NAME = re.compile(r"[a-z0-9_][a-z0-9_.-]{0,63}")
CLUSTER_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
GROUP_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
HOST_NAME = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})")
IFNAMSIZ = 16
_SYNTAX_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
_LINK_KEYS = {
    "ucast": frozenset({"type", "interface", "peers", "port"}),
    "bcast": frozenset({"type", "interface", "port"}),
    "mcast": frozenset({"type", "interface", "group", "port", "ttl", "loop"}),
    "serial": frozenset({"type", "device", "baud"}),
}
_TABLES = frozenset(
    {"cluster", "link", "auth", "timers", "quorum", "logging", "ping", "executor", "metrics"}
)
_TIMER_KEYS = ("keepalive", "deadtime", "warntime", "initdead", "deadping")
# Which [timers] keys a Timing.validate() message is about (the first word(s) of it).
_TIMING_KEYS = (
    ("keepalive", ("keepalive",)),
    ("Dead time", ("keepalive", "deadtime")),
    ("Ping dead time", ("keepalive", "deadping")),
    ("Initial dead time", ("deadtime", "initdead")),
)
T = TypeVar("T")


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + part
    return out


class _Doc:
    """The parsed document, its key lines and its directory (for relative paths)."""

    def __init__(self, file: Path, locations: Locations) -> None:
        self.file = file
        self.base = file.parent
        self.locations = locations

    def error(self, path: KeyPath, message: str) -> ConfigError:
        name = _dotted(path)
        return ConfigError(
            self.file, self.locations.line(path), f"{name}: {message}" if name else message
        )


class _Table:
    """One TOML table: typed getters that name the key's line on error."""

    def __init__(
        self, doc: _Doc, path: KeyPath, data: Mapping[str, object], known: frozenset[str]
    ) -> None:
        self.doc = doc
        self.path = path
        self.data = data
        for key in data:
            if key not in known:
                raise doc.error(
                    (*path, key), f"unknown key (expected one of: {', '.join(sorted(known))})"
                )

    def line(self, key: str | None = None) -> int:
        return self.doc.locations.line(self.path if key is None else (*self.path, key))

    def has(self, key: str) -> bool:
        return key in self.data

    def error(self, key: str, message: str) -> ConfigError:
        return self.doc.error((*self.path, key), message)

    def _get(self, key: str, kind: type[T], what: str) -> T | None:
        if key not in self.data:
            return None
        value = self.data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(key, f"expected {what}, got {_type_name(value)}")
        return value

    def _need(self, key: str, value: T | None) -> T:
        if value is None:
            where = _dotted(self.path) or "the file"
            raise ConfigError(self.doc.file, self.line(), f"{where}: missing required key '{key}'")
        return value

    def string(self, key: str) -> str | None:
        value = self._get(key, str, "a string")
        if value is not None and not value:
            raise self.error(key, "must not be empty")
        return value

    def required_string(self, key: str) -> str:
        return self._need(key, self.string(key))

    def boolean(self, key: str) -> bool | None:
        return self._get(key, bool, "true or false")

    def integer(self, key: str, low: int, high: int) -> int | None:
        value = self._get(key, int, "an integer")
        if value is not None and not low <= value <= high:
            raise self.error(key, f"{value} is out of range {low}..{high}")
        return value

    def strings(self, key: str) -> list[str] | None:
        value = self._get(key, list, "an array of strings")
        if value is None:
            return None
        for item in value:
            if not isinstance(item, str):
                raise self.error(key, f"expected an array of strings, found {_type_name(item)}")
        return [str(item) for item in value]

    def required_strings(self, key: str) -> list[str]:
        return self._need(key, self.strings(key))

    def path_value(self, key: str, base: Path) -> Path | None:
        text = self.string(key)
        if text is None:
            return None
        if "\0" in text:
            raise self.error(key, "a path cannot contain NUL")
        return base / text  # an absolute `text` replaces `base`

    def time_ms(self, key: str) -> int | None:
        if key not in self.data:
            return None
        value = self.data[key]
        ms = parse_time_ms(value)
        if ms is None:
            raise self.error(
                key,
                f'invalid time {value!r}: use e.g. "200ms", "1s" or "2" (seconds)',
            )
        if ms <= 0:
            raise self.error(key, f"{value!r} must be more than 0 ms")
        return ms

    def table(self, key: str, known: frozenset[str]) -> _Table | None:
        value = self._get(key, dict, "a table")
        if value is None:
            return None
        return _Table(self.doc, (*self.path, key), value, known)

    def required_table(self, key: str, known: frozenset[str]) -> _Table:
        return self._need(key, self.table(key, known))


# ----------------------------------------------------------------- loading


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, 0, f"cannot read config file: {exc.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(path, line, "not valid UTF-8 (TOML files are UTF-8)") from None


def _parse(path: Path, text: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _SYNTAX_WHERE.search(message)
        line = text.count("\n") + 1
        column = ""
        if match is not None:
            message = message[: match.start()]
            if match.group(1) is not None:
                line = int(match.group(1))
                column = f" (column {match.group(2)})"
        raise ConfigError(path, line, f"TOML syntax error: {message}{column}") from None


def run_dir_of(path: Path, override: Path | None) -> Path:
    """The run_dir a TOML file names (for clients such as `pycrm status`): only
    the file's syntax and ``[cluster] run_dir`` are checked."""
    if override is not None:
        return override.absolute()
    file = path.absolute()
    text = _read(file)
    data = _parse(file, text)
    cluster = data.get("cluster")
    value = cluster.get("run_dir") if isinstance(cluster, dict) else None
    if value is None:
        return paths.DEFAULT_RUN_DIR
    if not isinstance(value, str) or not value:
        doc = _Doc(file, locate(text))
        raise doc.error(("cluster", "run_dir"), "expected a path string")
    return file.parent / value


def load_toml(path: Path, overrides: Overrides) -> DaemonConfig:
    """Read and check a TOML configuration (see the module docstring)."""
    file = path.absolute()
    text = _read(file)
    data = _parse(file, text)
    doc = _Doc(file, locate(text))
    return _Loader(doc, _Table(doc, (), data, _TABLES), overrides).run()


class _Loader:
    def __init__(self, doc: _Doc, top: _Table, overrides: Overrides) -> None:
        self.doc = doc
        self.top = top
        self.over = overrides
        self.warnings: list[str] = []

    def run(self) -> DaemonConfig:
        cluster = self.top.required_table(
            "cluster",
            frozenset({"name", "nodes", "local_node", "cib", "state_dir", "run_dir", "profile"}),
        )
        name = cluster.required_string("name")
        if not CLUSTER_NAME.fullmatch(name):
            raise cluster.error("name", f"invalid cluster name {name!r} (letters, digits, _ . -)")
        nodes = self._nodes(cluster)
        local = self._local_node(cluster, nodes)
        state_dir = self._dir(cluster, "state_dir", self.over.state_dir, paths.DEFAULT_STATE_DIR)
        run_dir = self._dir(cluster, "run_dir", self.over.run_dir, paths.DEFAULT_RUN_DIR)
        cib = cluster.path_value("cib", state_dir) or state_dir / paths.DEFAULT_CIB_NAME
        profile = self._profile(cluster)
        timing = self._timing(profile)
        udpport = default_udpport()
        media = self._links(udpport)
        check_media(media, udpport, 19200, str(self.doc.file))
        keyfile, insecure = self._auth()
        ping_nodes, ping_groups = self._ping(nodes)
        return DaemonConfig(
            source=self.doc.file,
            mode="toml",
            cluster_name=name,
            nodes=nodes,
            local_node=local,
            cib_path=cib,
            initial_cib=empty_cib(nodes),
            state_dir=state_dir,
            run_dir=run_dir,
            profile=profile.name,
            timing=timing,
            media=media,
            udpport=udpport,
            baud=19200,
            hopfudge=1,
            msgfmt="netstring",
            authkeys_path=keyfile,
            allow_insecure_auth=insecure or self.over.allow_insecure_auth,
            quorum=self._quorum(len(nodes)),
            logging=self._logging(),
            ping_nodes=ping_nodes,
            ping_groups=ping_groups,
            executor=self._executor(),
            metrics_port=self._metrics(),
            warnings=tuple(self.warnings),
        )

    # ------------------------------------------------------------ cluster
    def _nodes(self, cluster: _Table) -> tuple[str, ...]:
        names = cluster.required_strings("nodes")
        if not names:
            raise cluster.error("nodes", "no nodes: list at least one node")
        if len(names) > MAXNODE:
            raise cluster.error("nodes", f"{len(names)} nodes: at most {MAXNODE}")
        seen: set[str] = set()
        for node in names:
            _check_node_name(cluster, "nodes", node)
            if node in seen:
                raise cluster.error("nodes", f"node {node!r} is listed twice")
            seen.add(node)
        return tuple(names)

    def _local_node(self, cluster: _Table, nodes: tuple[str, ...]) -> str:
        if self.over.local_node is not None:
            local, source, key = self.over.local_node.lower(), "--node", "nodes"
        elif cluster.has("local_node"):
            text = cluster.required_string("local_node")
            _check_node_name(cluster, "local_node", text)
            local, source, key = text, "local_node", "local_node"
        else:
            local, source, key = default_local_node(), "uname -n", "nodes"
        if local not in nodes:
            raise cluster.error(
                key,
                f"this node {local!r} (from {source}) is not one of the cluster's nodes "
                f"({', '.join(nodes)})",
            )
        return local

    def _dir(self, cluster: _Table, key: str, override: Path | None, default: Path) -> Path:
        if override is not None:
            return override.absolute()
        return cluster.path_value(key, self.doc.base) or default

    def _profile(self, cluster: _Table) -> Profile:
        name = cluster.string("profile") or "default"
        profile = PROFILES.get(name)
        if profile is None:
            raise cluster.error(
                "profile", f"unknown profile {name!r} (one of: {', '.join(PROFILES)})"
            )
        return profile

    # ------------------------------------------------------------- timers
    def _timing(self, profile: Profile) -> Timing:
        timers = self.top.table("timers", frozenset(_TIMER_KEYS))
        given: dict[str, int] = {}
        if timers is not None:
            for key in _TIMER_KEYS:
                value = timers.time_ms(key)
                if value is not None:
                    given[key] = value
        keepalive = given.get("keepalive", profile.keepalive_ms)
        deadtime = given.get("deadtime", profile.deadtime_ms)
        timing = Timing(
            keepalive_ms=keepalive,
            deadtime_ms=deadtime,
            warntime_ms=given.get("warntime", Profile.warntime_for(deadtime)),
            initdead_ms=given.get("initdead", Profile.initdead_for(deadtime)),
            deadping_ms=given.get("deadping"),
        )
        try:
            timing.validate()  # its warnings are heartbeat's about ha.cf values
        except TimingError as exc:
            raise self._timing_error(str(exc), given) from None
        if timing.warn_ms >= timing.deadtime_ms:
            raise self._timing_error(
                f"warntime [{timing.warn_ms}] must be smaller than deadtime [{timing.deadtime_ms}]",
                given,
                keys=("deadtime", "warntime"),
            )
        return timing

    def _timing_error(
        self, message: str, given: Mapping[str, int], keys: tuple[str, ...] = ()
    ) -> ConfigError:
        if not keys:
            for prefix, involved in _TIMING_KEYS:
                if message.startswith(prefix):
                    keys = involved
        lines = [self.doc.locations.line(("timers", key)) for key in keys if key in given]
        line = max(lines, default=self.doc.locations.line(("cluster", "profile")))
        return ConfigError(self.doc.file, line, f"timers: {message}")

    # -------------------------------------------------------------- links
    def _links(self, udpport: int) -> tuple[Medium, ...]:
        if "link" not in self.top.data:
            raise ConfigError(
                self.doc.file, 0, "no [[link]]: configure at least one communication link"
            )
        links = self.top.data["link"]
        if not isinstance(links, list) or not all(isinstance(x, dict) for x in links):
            raise self.doc.error(("link",), "write each link as a [[link]] table")
        if not links:
            raise self.doc.error(("link",), "configure at least one link")
        media: list[Medium] = []
        for index, data in enumerate(links):
            media.extend(self._link(index, data, udpport))
        return tuple(media)

    def _link(self, index: int, data: Mapping[str, object], udpport: int) -> list[Medium]:
        path: KeyPath = ("link", index)
        kind = data.get("type")
        if kind is None:
            raise ConfigError(
                self.doc.file,
                self.doc.locations.line(path),
                f"{_dotted(path)}: missing required key 'type' ({' | '.join(_LINK_KEYS)})",
            )
        if not isinstance(kind, str) or kind not in _LINK_KEYS:
            raise self.doc.error(
                (*path, "type"),
                f"unknown link type {kind!r} (one of: {', '.join(_LINK_KEYS)})",
            )
        link = _Table(self.doc, path, data, _LINK_KEYS[kind])
        line = link.line()
        if kind == "serial":
            device = link.required_string("device")
            if not device.startswith("/"):
                raise link.error("device", f"{device!r}: give the device's absolute path")
            baud = link.integer("baud", 0, 10**7) or 19200
            if baud not in VALID_BAUD:
                raise link.error(
                    "baud", f"{baud}: one of {', '.join(str(b) for b in sorted(VALID_BAUD))}"
                )
            return [Medium("serial", device, line, baud=baud)]
        interface = link.required_string("interface")
        if len(interface) >= IFNAMSIZ or any(c.isspace() or c == "/" for c in interface):
            raise link.error("interface", f"{interface!r} is not a network interface name")
        port = link.integer("port", 1, 65535)
        if kind == "bcast":
            return [Medium("bcast", interface, line, port=port or udpport)]
        if kind == "ucast":
            peers = link.required_strings("peers")
            if not peers:
                raise link.error("peers", "no peers: list the address of every node")
            for peer in peers:
                _check_peer(link, peer)
                if peers.count(peer) > 1:
                    raise link.error("peers", f"{peer} is listed twice")
            return [
                Medium("ucast", interface, line, peer=peer, port=port or udpport) for peer in peers
            ]
        group = link.required_string("group")
        try:
            multicast = ipaddress.IPv4Address(group).is_multicast
        except ValueError:
            multicast = False
        if not multicast:
            raise link.error("group", f"{group!r} is not an IPv4 multicast address")
        ttl = link.integer("ttl", 0, 4)
        loop = link.boolean("loop")
        return [
            Medium(
                "mcast",
                interface,
                line,
                group=group,
                port=port or udpport,
                ttl=1 if ttl is None else ttl,
                loop=1 if loop else 0,
            )
        ]

    # ---------------------------------------------------------------- auth
    def _auth(self) -> tuple[Path, bool]:
        auth = self.top.table("auth", frozenset({"keyfile", "allow_insecure_auth"}))
        keyfile = DEFAULT_KEYFILE
        line = 0
        insecure = False
        if auth is not None:
            keyfile = auth.path_value("keyfile", self.doc.base) or DEFAULT_KEYFILE
            line = auth.line("keyfile")
            insecure = bool(auth.boolean("allow_insecure_auth"))
        self.warnings.extend(
            check_keyfile(
                keyfile,
                where=str(self.doc.file),
                line=line,
                allow_insecure=insecure or self.over.allow_insecure_auth,
                opt_in=f"{TOML_OPT_IN} in {self.doc.file} (or {CLI_OPT_IN})",
            )
        )
        return keyfile, insecure

    # -------------------------------------------------------------- quorum
    def _quorum(self, count: int) -> QuorumOptions:
        quorum = self.top.table("quorum", frozenset({"two_node", "wait_for_all"}))
        if quorum is None:
            return default_quorum(count)
        two_node = quorum.boolean("two_node")
        if two_node and count != 2:
            raise quorum.error("two_node", f"needs exactly 2 nodes ({count} configured)")
        return default_quorum(count, two_node, quorum.boolean("wait_for_all"))

    # ------------------------------------------------------------- logging
    def _logging(self) -> LoggingOptions:
        table = self.top.table("logging", frozenset({"file", "debugfile", "facility"}))
        if table is None:
            return LoggingOptions()
        facility = table.string("facility")
        if facility is not None and facility not in SYSLOG_FACILITIES:
            raise table.error(
                "facility",
                f"unknown syslog facility {facility!r} "
                f"(one of: {', '.join(sorted(SYSLOG_FACILITIES))})",
            )
        return LoggingOptions(
            logfile=table.path_value("file", self.doc.base),
            debugfile=table.path_value("debugfile", self.doc.base),
            facility=None if facility in (None, "none") else facility,
        )

    # ---------------------------------------------------------------- ping
    def _ping(
        self, nodes: tuple[str, ...]
    ) -> tuple[tuple[str, ...], Mapping[str, tuple[str, ...]]]:
        ping = self.top.table("ping", frozenset({"nodes", "groups"}))
        if ping is None:
            return (), MappingProxyType({})
        addresses = ping.strings("nodes") or []
        for address in addresses:
            _check_address(ping, "nodes", address)
        groups: dict[str, tuple[str, ...]] = {}
        table = ping.data.get("groups")
        if table is not None:
            if not isinstance(table, dict):
                raise ping.error("groups", f"expected a table, got {_type_name(table)}")
            sub = _Table(self.doc, (*ping.path, "groups"), table, frozenset(table))
            for name in table:
                members = sub.strings(name)
                if not GROUP_NAME.fullmatch(name):
                    raise sub.error(name, "invalid ping group name (letters, digits, _ . -)")
                if name.lower() in nodes:
                    raise sub.error(name, "a ping group cannot have a node's name")
                if not members:
                    raise sub.error(name, "list at least one address")
                for address in members:
                    _check_address(sub, name, address)
                groups[name] = tuple(members)
        return tuple(dict.fromkeys(addresses)), MappingProxyType(groups)

    # ------------------------------------------------------ executor, metrics
    def _executor(self) -> ExecutorOptions:
        table = self.top.table("executor", frozenset({"max_parallel", "ocf_root", "init_d"}))
        if table is None:
            return ExecutorOptions()
        return ExecutorOptions(
            max_parallel=table.integer("max_parallel", 1, 1024),
            ocf_root=table.path_value("ocf_root", self.doc.base),
            init_d=table.path_value("init_d", self.doc.base) or ExecutorOptions().init_d,
        )

    def _metrics(self) -> int | None:
        table = self.top.table("metrics", frozenset({"port"}))
        return None if table is None else table.integer("port", 1, 65535)


def _check_node_name(table: _Table, key: str, name: str) -> None:
    if name != name.lower() and NODE_NAME.fullmatch(name.lower()):
        raise table.error(
            key,
            f"node name {name!r} must be written in lowercase ({name.lower()!r}): heartbeat's "
            "membership lowercases node names, and the CIB must use the same name",
        )
    if not NODE_NAME.fullmatch(name):
        raise table.error(
            key, f"invalid node name {name!r} (lowercase letters, digits, _ . -; at most 64)"
        )


def _check_peer(table: _Table, peer: str) -> None:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        if not HOST_NAME.fullmatch(peer):
            raise table.error("peers", f"{peer!r} is not an address or a host name") from None
        return
    if address.version != 4:
        raise table.error("peers", f"{peer}: IPv6 is not supported on ucast links")


def _check_address(table: _Table, key: str, value: str) -> None:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if not HOST_NAME.fullmatch(value):
            raise table.error(key, f"{value!r} is not an address or a host name") from None
