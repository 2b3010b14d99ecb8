"""``priority-fencing-delay`` and ``pcmk_delay_base``: who wins a fence race (pure).

When a cluster splits into halves (the two-node case), each half wants to fence the other;
both may succeed unless one side waits.  Pacemaker 2.1.5 resolves it with two delays, both
before the fence agent runs:

1. **priority-fencing-delay** (cluster option, default 0 = disabled; the scheduler puts it
   on the fencing action as ``CRM_meta_priority_fencing_delay``, its
   ``node_priority_fencing_delay``): the delay applies to fencing *targeting* the node with
   the highest total resource priority, so that node -- the one running what matters
   most -- survives.  It is requested only when

   * the target is a cluster member (not a remote or guest node) and is not online in
     this partition;
   * this partition does not have more than half of the cluster members online
     (``online > members // 2`` means no delay: a majority simply wins);
   * the members' priorities are not all equal (then only the device delays count);
   * the target has the highest priority (a lower-priority target is fenced at once).

   A node's priority is the sum of the ``priority`` meta attribute of every resource
   instance running on it (a promoted instance counts ``priority + 1`` when its priority is
   not 0; a failed resource counts nothing; meta attributes are inherited from groups and
   clones) -- Pacemaker's ``native_priority_to_node``.

2. **pcmk_delay_base** of the device that fences the target (a single time, or a
   ``node:time`` map giving each target its own delay), plus a random part up to
   ``pcmk_delay_max`` -- added on top of (1) by the fencer that runs the device
   (:meth:`pycrm.fencing.device.FenceDevice.start_delay`).  A static map makes a two-node
   race deterministic even without resource priorities: ``node1:0;node2:10s`` on a shared
   device means node1 is fenced at once and node2 only after 10 s, so node2 wins.

The side that waits less fences first and wins; equal waits are a true race.  Pacemaker's
documentation advises priority-fencing-delay to be well above (say twice) the largest
``pcmk_delay_base``/``pcmk_delay_max``.

References: Pacemaker Explained 2.1, "Cluster Options" (``priority-fencing-delay``) and
"Fencing Devices" (``pcmk_delay_base``, ``pcmk_delay_max``); Pacemaker 2.1.5 sources
``lib/pengine/utils.c`` (``node_priority_fencing_delay``, ``pe_fence_op``),
``lib/pengine/native.c`` (``native_priority_to_node``), ``daemons/fenced/fenced_commands.c``
(``schedule_stonith_command``, ``get_action_delay_base``); checked against ``crm_simulate``
transition graphs in tests/unit/fencing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cib.history import ROLE_PROMOTED, unpack_node_history
from cib.model import Cib
from cib.nvsets import cluster_options
from pycrm.fencing.device import seconds


@dataclass(frozen=True)
class Member:
    """A cluster member as one partition sees it."""

    online: bool
    priority: int


def resource_priority(priority: int, promoted: bool, failed: bool) -> int:
    """What one running resource instance adds to its node's priority."""
    if priority == 0 or failed:
        return 0
    return priority + 1 if promoted else priority


def priority_fencing_delay(target: str, members: Mapping[str, Member], delay_s: int) -> int:
    """The delay (s) the fencing of ``target`` requests (Pacemaker's
    ``node_priority_fencing_delay``); 0 when it does not apply."""
    if delay_s <= 0:
        return 0
    node = members.get(target)
    if node is None or node.online:
        return 0
    online = sum(1 for m in members.values() if m.online)
    if online > len(members) // 2:
        return 0
    priorities = [m.priority for m in members.values()]
    top, lowest = max(priorities), min(priorities)
    if top == lowest or node.priority < top:
        return 0
    return delay_s


def node_priorities(cib: Cib, now: datetime | None = None) -> dict[str, int]:
    """Every cluster node's total resource priority, from the CIB's status section.

    A resource counts as failed on a node when its history there has a failure to handle
    (the on-fail before Pacemaker ignores failures on an unclean node)."""
    from pycrm.scheduler.build import build_world
    from pycrm.scheduler.unpack import on_fail_resolver, unpack_status

    world = build_world(cib, now)
    unpack_status(cib, world)
    out = {name: 0 for name in world.node_order}
    for rsc in world.all_primitives():
        for node in rsc.running_on:
            if node not in out:
                continue
            failed = rsc.failed
            lrm = rsc.history.get(node)
            if not failed and lrm is not None:
                hist = unpack_node_history(
                    lrm,
                    node,
                    on_fail_resolver(cib, world, rsc),
                    promotable=bool(rsc.clone_parent and rsc.clone_parent.promotable),
                    managed=rsc.managed,
                )
                failed = hist.on_fail not in ("none", "ignore")
            promoted = rsc.node_roles.get(node, rsc.role) == ROLE_PROMOTED
            out[node] += resource_priority(rsc.priority, promoted, failed)
    return out


def requested_delay(cib: Cib, target: str, now: datetime | None = None) -> int:
    """The ``priority-fencing-delay`` (s) Pacemaker's scheduler would request for fencing
    ``target`` with this CIB (online as the status section says)."""
    from pycrm.scheduler.build import build_world

    delay_s = seconds(cluster_options(cib.crm_config).get("priority-fencing-delay"))
    if delay_s <= 0:
        return 0
    world = build_world(cib, now)
    priorities = node_priorities(cib, now)
    members = {
        name: Member(world.nodes[name].online, priorities.get(name, 0)) for name in world.node_order
    }
    return priority_fencing_delay(target, members, delay_s)


@dataclass(frozen=True)
class RaceSide:
    """One side of a fence race: ``node`` fences ``target`` after ``wait_s``."""

    node: str
    target: str
    priority_delay_s: int
    device_delay_s: int

    @property
    def wait_s(self) -> int:
        return self.priority_delay_s + self.device_delay_s


def fence_race(
    node_a: str,
    node_b: str,
    *,
    priorities: Mapping[str, int],
    priority_fencing_delay_s: int,
    device_delay_s: Mapping[str, int] | None = None,
) -> tuple[RaceSide, RaceSide]:
    """How long each side of a two-node split waits before fencing the other.

    ``priorities``: each node's total resource priority (:func:`node_priorities`);
    ``device_delay_s``: per target, the static delay (``pcmk_delay_base``) of the device
    that fences it (:meth:`FenceDevice.delay_base`).  Each side sees itself online and the
    other lost, so each side's partition holds one of two members."""
    delays = device_delay_s or {}
    sides = []
    for me, other in ((node_a, node_b), (node_b, node_a)):
        members = {
            me: Member(True, priorities.get(me, 0)),
            other: Member(False, priorities.get(other, 0)),
        }
        requested = priority_fencing_delay(other, members, priority_fencing_delay_s)
        sides.append(RaceSide(me, other, requested, delays.get(other, 0)))
    return sides[0], sides[1]


def race_winner(sides: tuple[RaceSide, RaceSide]) -> str | None:
    """The node that fences first (its peer waits longer), None when both wait as long."""
    a, b = sides
    if a.wait_s == b.wait_s:
        return None
    return a.node if a.wait_s < b.wait_s else b.node
