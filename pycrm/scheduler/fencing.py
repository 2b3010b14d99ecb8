"""Fencing: which unclean nodes get fenced, and what that implies for their resources.

Pacemaker 2.1.5's rules:

* a node is unclean when it left the cluster unexpectedly, its controller died, it has not
  been seen yet (``startup-fencing``), a resource's failure there asks for fencing
  (``on-fail=fence``, the default for a failed stop with fencing enabled), a managed
  resource is thought active on it while it is offline, or quorum is lost with
  ``no-quorum-policy=suicide`` (:mod:`pycrm.scheduler.build`, :mod:`pycrm.scheduler.unpack`);
* an unclean node is fenced when there is a managed resource at all and the node can be
  fenced: ``stonith-enabled``, a fencing device (a ``stonith`` class resource, or
  ``have-watchdog``), and quorum (or ``no-quorum-policy=ignore``, or the node is still in
  the membership);
* fencing stops everything that ran on the node (the stops become pseudo actions ordered
  after the fencing), so the resources can be recovered elsewhere; an unclean node that
  cannot be fenced keeps its resources, and nothing can be done about them;
* with fencing enabled but no fencing device, no resource may start: every resource is
  left as it is ("Resource start-up disabled since no STONITH resources have been
  defined").

The fencing action is ``stonith-action`` (``reboot`` by default, ``poweroff`` means ``off``).
"""

from __future__ import annotations

from pycrm.scheduler.state import WNode, World

NO_DEVICE_MESSAGE = (
    "Resource start-up disabled since no STONITH resources have been defined; either "
    "configure some or disable STONITH with the stonith-enabled option"
)


def start_up_disabled(world: World) -> bool:
    """Fencing is enabled but there is no device: nothing may start (Pacemaker's wording in
    :data:`NO_DEVICE_MESSAGE`)."""
    return world.stonith_enabled and not world.have_stonith


def can_fence(world: World, node: WNode) -> bool:
    """Pacemaker's pe_can_fence for a cluster node."""
    if not world.stonith_enabled or not world.have_stonith:
        return False
    return world.have_quorum or world.no_quorum_policy == "ignore" or node.online


def schedule_fencing(world: World) -> None:
    """Mark the unclean nodes that will be fenced (``WNode.fenced``), in node-name order."""
    if not any(rsc.managed for rsc in world.all_primitives()):
        return  # "No fencing will be done until there are resources to manage"
    for name in world.node_order:
        node = world.nodes[name]
        if node.unclean and can_fence(world, node):
            node.fenced = True
            if not node.fence_reason:
                node.fence_reason = "node is unclean"
            world.fence_actions.append(name)


def disable_start_up(world: World) -> None:
    """Without a fencing device every resource is handled as unmanaged (left as it is);
    the displayed state keeps the configured flag."""
    for rsc in world.all_primitives():
        if rsc.managed:
            rsc.managed = False
            rsc.managed_shown = True
