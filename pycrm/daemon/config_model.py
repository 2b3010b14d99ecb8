"""What `pycrm run` runs with: one frozen `DaemonConfig`, from TOML or from an ha.d.

The two loaders (`config_toml`, `config_hacf`) fill the same fields, so the
daemon never asks where its configuration came from except for the few
ha.d-only facts (`ha_d`, `auto_failback`). See docs/daemon-config.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.config.hacf_model import AutoFailback, Medium
from heartbeat_compat.membership.timing import Timing
from heartbeat_compat.migrate.planner import ping_attribute

Mode = Literal["toml", "ha.d"]
ProfileName = Literal["default", "fast"]
MsgFmt = Literal["classic", "netstring"]


class ConfigError(Exception):
    """A configuration the daemon refuses. ``str()`` is one line: ``file:line: message``.

    ``line`` is 1-based, 0 when no line applies (a missing file, a default value).
    """

    def __init__(self, file: str | os.PathLike[str], line: int, message: str) -> None:
        self.file = os.fspath(file)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    @classmethod
    def from_ha(cls, err: HaConfigError) -> ConfigError:
        """The same error, from the ha.d parsers (which leave out a 0 line)."""
        message = f"{err.directive}: {err.message}" if err.directive else err.message
        return cls(err.file, err.line, message)


@dataclass(frozen=True)
class Overrides:
    """What the command line says over the configuration (None: not given)."""

    state_dir: Path | None = None
    run_dir: Path | None = None
    allow_insecure_auth: bool = False
    local_node: str | None = None


@dataclass(frozen=True)
class Profile:
    """A timing profile. warntime and initdead follow from deadtime unless set.

    warntime = deadtime / 2 (heartbeat's default: with these profiles that is
    two missed keepalives). initdead = max(2 x deadtime, 2 s): heartbeat uses
    2 x deadtime for deadtimes of 6-10 s and a 12 s floor below, to ride out a
    slow network at boot. Here a too-short initdead costs one spurious
    "peer dead" while it starts (quorum and wait_for_all keep that safe), a too
    long one delays a lone node; 2 s covers peers that are themselves starting
    (interpreter, CIB load) without stretching the start of a 400 ms cluster
    to 12 s.
    """

    name: ProfileName
    keepalive_ms: int
    deadtime_ms: int

    @staticmethod
    def warntime_for(deadtime_ms: int) -> int:
        return deadtime_ms // 2

    @staticmethod
    def initdead_for(deadtime_ms: int) -> int:
        return max(2 * deadtime_ms, INITDEAD_FLOOR_MS)


INITDEAD_FLOOR_MS = 2000
PROFILES: Mapping[str, Profile] = MappingProxyType(
    {
        "default": Profile("default", keepalive_ms=500, deadtime_ms=2000),
        "fast": Profile("fast", keepalive_ms=100, deadtime_ms=400),
    }
)


@dataclass(frozen=True)
class QuorumOptions:
    """Votes are one per configured node; see docs/daemon.md "Quorum and the DC".

    two_node      one vote is enough (default: true for exactly 2 nodes)
    wait_for_all  before first quorum, every node must have been seen once
                  (default: two_node, as corosync's votequorum)
    """

    two_node: bool
    wait_for_all: bool


@dataclass(frozen=True)
class LoggingOptions:
    """Where the daemon logs besides stderr (see `pycrm.daemon.logsetup`).

    logfile    info and above (ha.cf ``logfile``, TOML ``[logging] file``)
    debugfile  everything (``debugfile``)
    facility   syslog facility name, or None (``logfacility``; ``none`` = None)
    """

    logfile: Path | None = None
    debugfile: Path | None = None
    facility: str | None = None


@dataclass(frozen=True)
class ExecutorOptions:
    """TOML ``[executor]``; None leaves the choice to the executor.

    max_parallel  operations on different resources running at once
    ocf_root      root of the OCF agents (``<ocf_root>/resource.d/<provider>``)
    init_d        where ``lsb`` class scripts live
    """

    max_parallel: int | None = None
    ocf_root: Path | None = None
    init_d: Path = Path("/etc/init.d")


@dataclass(frozen=True)
class RespawnEntry:
    """A program the daemon keeps running (ha.cf ``respawn``/``failfast``).

    argv      the command split as a POSIX shell would split words; heartbeat ran
              it through ``sh -c``, pycrm runs it without a shell (so pipes,
              redirections and $VARIABLES are refused when loading)
    command   the command as written, for logs
    failfast  heartbeat rebooted the node when such a child died abnormally
    env       added to the daemon's environment (``HA_<name>`` from ``env``
              directives, ``HA_CURHOST``)
    """

    user: str
    argv: tuple[str, ...]
    command: str
    failfast: bool
    line: int
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class PingSet:
    """A connectivity attribute the daemon maintains on its own node.

    value = 1000 x the number of `addresses` that answer (like ocf:pacemaker:ping
    with multiplier 1000); `group` is the ping_group name, None for ``ping``.
    """

    attribute: str
    addresses: tuple[str, ...]
    group: str | None


@dataclass(frozen=True)
class DaemonConfig:
    """Everything `pycrm run` needs to start, validated, nothing opened yet.

    source          the TOML file or the ha.d directory, absolute
    mode            "toml" | "ha.d"
    cluster_name    TOML ``[cluster] name``; ha.cf ``cluster`` (default linux-ha)
    nodes           configured nodes, lowercase, in configuration order (the order
                    decides node ids 1..n and the DC candidate)
    local_node      this node: --node / TOML ``local_node`` / ha.d ``nodeinfo`` /
                    ``uname -n``, lowercase, one of `nodes`
    cib_path        the CIB file. When it exists it is the CIB; when it does not,
                    the daemon starts from `initial_cib`, and once the daemon has
                    written `cib_path` that file takes over (ha.d mode:
                    ``<state_dir>/cib.xml``, so a new haresources is not re-read
                    over a CIB the cluster has already changed)
    initial_cib     TOML: a CIB with the configured nodes (ids "1".."n"), no
                    resources and stonith-enabled=false (no fencing yet);
                    ha.d: haresources2cib's translation for target "pycrm-run".
                    Version 0/0/0 in both, so any CIB a node has written wins.
    state_dir       --state-dir, else TOML ``state_dir``, else /var/lib/pycrm
    run_dir         --run-dir, else TOML ``run_dir``, else /run/pycrm
    profile         "default" | "fast" (TOML); None in ha.d mode (ha.cf's times)
    timing          keepalive, warntime, deadtime, initdead, deadping (validated)
    media           heartbeat media, for `heartbeat_compat.membership.media.build_media`
    udpport, baud   defaults for media that do not carry their own port / baud
    hopfudge        ttl = hopfudge + len(nodes)
    msgfmt          wire encoding for `WireCodec` (TOML: netstring; ha.d: ``msgfmt``)
    authkeys_path   heartbeat authkeys file (checked to parse when loading)
    allow_insecure_auth  TOML ``[auth] allow_insecure_auth`` or --allow-insecure-auth
    quorum          two_node / wait_for_all
    logging         log files and syslog facility
    respawn         programs to keep running (ha.d ``respawn``/``failfast``)
    ping_nodes      ha.cf ``ping`` / TOML ``[ping] nodes``
    ping_groups     ha.cf ``ping_group`` / TOML ``[ping.groups]``
    executor        TOML ``[executor]`` options
    metrics_port    TOML ``[metrics] port`` (accepted, used by a later issue)
    ha_d            ha.d mode: the directory (``<ha_d>/resource.d`` holds heartbeat
                    class scripts); None in TOML mode
    auto_failback   ha.d mode: ha.cf ``auto_failback`` (already translated into
                    resource-stickiness in `initial_cib`); None in TOML mode
    warnings        what the daemon should log at start (heartbeat's warnings,
                    translation warnings, respawn entries left out)
    notes           informational remarks of the ha.d translation
    """

    source: Path
    mode: Mode
    cluster_name: str
    nodes: tuple[str, ...]
    local_node: str
    cib_path: Path
    initial_cib: bytes
    state_dir: Path
    run_dir: Path
    profile: ProfileName | None
    timing: Timing
    media: tuple[Medium, ...]
    udpport: int
    baud: int
    hopfudge: int
    msgfmt: MsgFmt
    authkeys_path: Path
    allow_insecure_auth: bool
    quorum: QuorumOptions
    logging: LoggingOptions
    respawn: tuple[RespawnEntry, ...] = ()
    ping_nodes: tuple[str, ...] = ()
    ping_groups: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    executor: ExecutorOptions = ExecutorOptions()
    metrics_port: int | None = None
    ha_d: Path | None = None
    auto_failback: AutoFailback | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def resource_d(self) -> Path | None:
        """Where heartbeat class scripts live (ha.d mode only)."""
        return None if self.ha_d is None else self.ha_d / "resource.d"

    @property
    def ping_sets(self) -> tuple[PingSet, ...]:
        """The connectivity attributes to maintain, with the CIB rules' names."""
        sets: list[PingSet] = []
        if self.ping_nodes:
            sets.append(PingSet(ping_attribute(), self.ping_nodes, None))
        for name, addresses in self.ping_groups.items():
            sets.append(PingSet(ping_attribute(name), addresses, name))
        return tuple(sets)

    @property
    def node_ids(self) -> Mapping[str, str]:
        """node name -> CIB node id ("1".."n", configuration order, as in `initial_cib`)."""
        return MappingProxyType({name: str(i) for i, name in enumerate(self.nodes, start=1)})
