"""haresources2cib: translate a Heartbeat v1 /etc/ha.d into a Pacemaker CIB.

    result = convert("/etc/ha.d", agents="pycrm")
    result.xml        # bytes, a complete CIB (validate-with pacemaker-3.9)
    result.warnings   # things that could not be mapped faithfully (never dropped silently)
    result.notes      # informational remarks

Raises `heartbeat_compat.config.HaConfigError` for a broken ha.d (ha.cf or
haresources), naming file and line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from heartbeat_compat.config.hacf import load_hacf
from heartbeat_compat.config.haresources import read_haresources
from heartbeat_compat.migrate.cibgen import to_bytes
from heartbeat_compat.migrate.mapping import Agents
from heartbeat_compat.migrate.model import Plan
from heartbeat_compat.migrate.planner import StonithParamNames, build_plan, stonith_param_names

__all__ = ["MigrationResult", "convert"]


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
) -> MigrationResult:
    """Read ``<ha_d>/ha.cf`` and ``<ha_d>/haresources`` and build the CIB."""
    base = os.fspath(ha_d)
    hacf = load_hacf(os.path.join(base, "ha.cf"))
    hares = read_haresources(
        os.path.join(base, "haresources"), nodes=hacf.nodes, ha_d=base, init_d=init_d
    )
    plan = build_plan(hacf, hares, agents=agents, stonith_names=stonith_names)
    return MigrationResult(to_bytes(plan), plan, tuple(plan.warnings), tuple(plan.notes))
