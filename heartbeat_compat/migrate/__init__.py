"""haresources2cib: translate a Heartbeat v1 /etc/ha.d into a Pacemaker CIB.

    result = convert("/etc/ha.d", agents="pycrm")
    result.xml        # bytes, a complete CIB (validate-with pacemaker-3.9)
    result.warnings   # things that could not be mapped faithfully (never dropped silently),
                      # and an authkeys with a crc key (pycrm heartbeat refuses it)
    result.notes      # informational remarks

Raises `heartbeat_compat.config.HaConfigError` for a broken ha.d (ha.cf or
haresources), naming file and line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from heartbeat_compat.config.authkeys import parse_authkeys, weak_keys
from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.config.hacf import load_hacf
from heartbeat_compat.config.haresources import read_haresources
from heartbeat_compat.migrate.cibgen import to_bytes
from heartbeat_compat.migrate.mapping import Agents
from heartbeat_compat.migrate.model import Plan
from heartbeat_compat.migrate.planner import (
    StonithParamNames,
    Target,
    build_plan,
    stonith_param_names,
)

__all__ = ["MigrationResult", "Target", "convert"]


@dataclass(frozen=True)
class MigrationResult:
    xml: bytes
    plan: Plan
    warnings: tuple[str, ...]
    notes: tuple[str, ...]


def convert(
    ha_d: str | os.PathLike[str],
    *,
    agents: Agents = "pycrm",
    init_d: str = "/etc/init.d",
    stonith_names: StonithParamNames = stonith_param_names,
    target: Target = "pacemaker",
) -> MigrationResult:
    """Read ``<ha_d>/ha.cf`` and ``<ha_d>/haresources`` and build the CIB.

    ``<ha_d>/authkeys``, when present, is only checked: its keys are not part of the CIB.
    ``target="pycrm-run"`` builds the CIB ``pycrm run --ha-d`` starts from
    (heartbeat-class resource.d scripts, ping rules without ping clones, see
    `heartbeat_compat.migrate.planner`); the default is the Pacemaker CIB.
    """
    base = os.fspath(ha_d)
    hacf = load_hacf(os.path.join(base, "ha.cf"))
    hares = read_haresources(
        os.path.join(base, "haresources"), nodes=hacf.nodes, ha_d=base, init_d=init_d
    )
    plan = build_plan(hacf, hares, agents=agents, stonith_names=stonith_names, target=target)
    warnings = (*plan.warnings, *_authkeys_warnings(os.path.join(base, "authkeys")))
    return MigrationResult(to_bytes(plan), plan, warnings, tuple(plan.notes))


def _authkeys_warnings(path: str) -> list[str]:
    """pycrm's refusal of crc keys (the node's own wording), or why the file could not be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [f"{path}: cannot read authkeys ({exc.strerror}): its keys were not checked"]
    try:
        keys = parse_authkeys(data, path)
    except HaConfigError as exc:
        return [f"{exc} (heartbeat and pycrm heartbeat refuse this authkeys)"]
    weak = weak_keys(keys)
    return [weak.refusal()] if weak is not None else []
