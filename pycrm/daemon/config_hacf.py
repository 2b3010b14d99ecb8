"""`pycrm run --ha-d DIR`: an unchanged Heartbeat v1 /etc/ha.d -> `DaemonConfig`.

ha.cf, authkeys and haresources are read with heartbeat_compat's parsers,
which reproduce heartbeat 3.0.6's rules and fatal checks; what heartbeat
checks on the host at start-up (the local node is declared, respawn users
exist and their programs are executable) is checked too. Timing, media,
logging, respawn, ping and auto_failback are ha.cf's, not a profile's. The
CIB is haresources2cib's translation for target "pycrm-run" (see
`heartbeat_compat.migrate.planner`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from heartbeat_compat.config.authkeys import CLI_OPT_IN
from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.config.hacf import HaCf, load_hacf
from heartbeat_compat.config.haresources import read_haresources
from heartbeat_compat.daemon import local_node_name
from heartbeat_compat.membership.timing import Timing, TimingError
from heartbeat_compat.migrate.cibgen import to_bytes
from heartbeat_compat.migrate.planner import StonithParamNames, build_plan, stonith_param_names
from pycrm.daemon import paths
from pycrm.daemon.config_common import (
    check_keyfile,
    check_media,
    check_respawn_host,
    default_quorum,
    respawn_argv,
)
from pycrm.daemon.config_model import (
    ConfigError,
    DaemonConfig,
    ExecutorOptions,
    LoggingOptions,
    Overrides,
    RespawnEntry,
)

# heartbeat API clients: they sign on to heartbeat's API socket, which pycrm
# does not provide, so a respawn line for them is left out (with a warning).
HEARTBEAT_CLIENTS: Mapping[str, str] = MappingProxyType(
    {
        "ipfail": "pycrm run moves resources away from a node that lost its ping nodes itself",
        "pingd": "pycrm run maintains the ping attributes itself",
        "ccm": "pycrm run has its own membership",
        "dopd": "a heartbeat API client (DRBD outdate-peer): it cannot run without heartbeat",
        "hbagent": "a heartbeat API client (SNMP agent): it cannot run without heartbeat",
    }
)


def load_ha_d(
    ha_d: Path,
    overrides: Overrides,
    *,
    init_d: Path = Path("/etc/init.d"),
    stonith_names: StonithParamNames = stonith_param_names,
) -> DaemonConfig:
    """Read an ha.d directory (see the module docstring)."""
    base = ha_d.absolute()
    if not base.is_dir():
        raise ConfigError(base, 0, "not a directory (expected ha.cf, authkeys, haresources)")
    me = overrides.local_node.lower() if overrides.local_node else local_node_name(base)
    try:
        hacf = load_hacf(base / "ha.cf", local_node=me)
        hares = read_haresources(
            base / "haresources", nodes=hacf.nodes, ha_d=base, init_d=str(init_d)
        )
    except HaConfigError as err:
        raise ConfigError.from_ha(err) from None
    timing = Timing.from_hacf(hacf)
    try:
        timing.validate()  # ha.cf's own checks already ran; its warnings are in hacf
    except TimingError as exc:
        raise ConfigError(hacf.path, 0, str(exc)) from None
    check_media(hacf.media, hacf.udpport, hacf.baud, hacf.path)
    warnings = [*hacf.warnings]
    authkeys = base / "authkeys"
    warnings.extend(
        check_keyfile(
            authkeys,
            where=str(authkeys),
            line=0,
            allow_insecure=overrides.allow_insecure_auth,
            opt_in=CLI_OPT_IN,
        )
    )
    respawn = _respawn(hacf, me, warnings)
    if hacf.use_logd:
        warnings.append(
            f"{hacf.path}: use_logd: pycrm has no logging daemon; logging goes to stderr"
            + (" and the files ha.cf names" if hacf.logfile or hacf.debugfile else "")
        )
    plan = build_plan(hacf, hares, agents="pycrm", stonith_names=stonith_names, target="pycrm-run")
    warnings.extend(plan.warnings)
    state_dir = (overrides.state_dir or paths.DEFAULT_STATE_DIR).absolute()
    run_dir = (overrides.run_dir or paths.DEFAULT_RUN_DIR).absolute()
    return DaemonConfig(
        source=base,
        mode="ha.d",
        cluster_name=hacf.cluster,
        nodes=hacf.nodes,
        local_node=me,
        cib_path=state_dir / paths.DEFAULT_CIB_NAME,
        initial_cib=to_bytes(plan),
        state_dir=state_dir,
        run_dir=run_dir,
        profile=None,
        timing=timing,
        media=hacf.media,
        udpport=hacf.udpport,
        baud=hacf.baud,
        hopfudge=hacf.hopfudge,
        msgfmt=hacf.msgfmt,
        authkeys_path=authkeys,
        allow_insecure_auth=overrides.allow_insecure_auth,
        quorum=default_quorum(len(hacf.nodes)),
        logging=LoggingOptions(
            logfile=_path(hacf.logfile),
            debugfile=_path(hacf.debugfile),
            facility=None if hacf.logfacility in (None, "none") else hacf.logfacility,
        ),
        respawn=respawn,
        ping_nodes=hacf.ping_nodes,
        ping_groups=hacf.ping_groups,
        executor=ExecutorOptions(init_d=init_d),
        ha_d=base,
        auto_failback=hacf.auto_failback,
        warnings=tuple(dict.fromkeys(warnings)),
        notes=tuple(n for n in dict.fromkeys(plan.notes) if n not in hacf.warnings),
    )


def _path(value: str | None) -> Path | None:
    return None if value is None else Path(value)


def _respawn(hacf: HaCf, me: str, warnings: list[str]) -> tuple[RespawnEntry, ...]:
    env = {"HA_CURHOST": me, **{f"HA_{name}": value for name, value in hacf.env.items()}}
    entries: list[RespawnEntry] = []
    for child in hacf.respawn:
        directive = "failfast" if child.failfast else "respawn"
        where = f"{hacf.path}:{child.line}"
        reason = HEARTBEAT_CLIENTS.get(os.path.basename(child.path))
        if reason is not None:
            warnings.append(f"{where}: {directive} {child.command}: not started: {reason}")
            continue
        problem = check_respawn_host(child.user, child.path)
        if problem is not None:
            raise ConfigError(hacf.path, child.line, f"{directive}: {problem}")
        try:
            argv = respawn_argv(child.command)
        except ValueError as exc:
            raise ConfigError(hacf.path, child.line, f"{directive}: {exc}") from None
        entries.append(
            RespawnEntry(
                user=child.user,
                argv=argv,
                command=child.command,
                failfast=child.failfast,
                line=child.line,
                env=MappingProxyType(env),
            )
        )
    return tuple(entries)
