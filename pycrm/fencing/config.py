"""The fencing devices a node's fencer registers, read from the CIB (pure).

Pacemaker 2.1.5's fencer registers every ``stonith`` class primitive of the configuration
(``cib_device_update``) with its instance attributes evaluated for the local node, except
a device whose ``target-role`` is ``Stopped`` and a device the node may not run (its score
there is negative: a ``-INFINITY`` location, ``symmetric-cluster=false`` without a positive
location ...).  Whether the device's resource is started anywhere does not matter.

``allowed(device_id)`` is the caller's answer to the second question; with a scheduler
transition at hand, :func:`allowed_by_scores` gives Pacemaker's one (the device's score on
the node, as ``crm_simulate --show-scores`` lists it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cib.model import Cib
from cib.nodeattrs import node_attributes
from cib.nvsets import resolve
from cib.rules import RuleContext
from pycrm.fencing.device import FenceDevice
from pycrm.scheduler.types import Transition


def stonith_devices(
    cib: Cib,
    node: str,
    *,
    now: datetime | None = None,
    allowed: Callable[[str], bool] | None = None,
) -> list[FenceDevice]:
    """The devices ``node`` registers, in CIB order."""
    ctx = RuleContext(node_attrs=node_attributes(cib, node, now=now), now=now)
    out: list[FenceDevice] = []
    for prim in cib.primitives():
        if prim.standard != "stonith":
            continue
        meta = resolve(prim.meta_sets, ctx)
        for parent in cib.parents(prim.id):  # inherited meta attributes, closest first
            for name, value in resolve(parent.meta_sets, ctx).items():
                meta.setdefault(name, value)
        if meta.get("target-role", "").strip().lower() == "stopped":
            continue
        if allowed is not None and not allowed(prim.id):
            continue
        out.append(
            FenceDevice.from_attributes(prim.id, prim.type, resolve(prim.instance_sets, ctx))
        )
    return out


def allowed_by_scores(transition: Transition, node: str) -> Callable[[str], bool]:
    """``allowed`` from a transition's placement scores: the device's score on ``node`` is
    not negative."""
    scores = {(s.rsc, s.node): s.score for s in transition.scores if s.node == node}
    return lambda device_id: scores.get((device_id, node), -1) >= 0
