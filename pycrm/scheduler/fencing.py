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

from pycrm.scheduler.state import WNode, World, WRsc

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


def can_fence_guest(world: World, node: WNode) -> bool:
    """A guest node is "fenced" by stopping its container: possible when every node the
    container runs on is online or can be fenced."""
    container = world.by_id.get(node.container) if node.container else None
    if container is None:
        return False
    for host in container.running_on:
        wnode = world.nodes[host]
        if not wnode.online and not can_fence(world, wnode):
            return False
    return True


def schedule_fencing(world: World, have_managed: bool) -> None:
    """Mark the nodes that will be fenced (``WNode.fenced``), in node-name order: unclean
    cluster and remote nodes that can be fenced, and guest nodes whose container must be
    recovered (a pseudo fencing: the container's stop does it)."""
    if not have_managed:
        return  # "No fencing will be done until there are resources to manage"
    for name in world.node_order:
        node = world.nodes[name]
        if node.kind == "guest":
            fence = node.remote_requires_reset and can_fence_guest(world, node)
            reason = "guest is unclean"
        else:
            fence = node.unclean and can_fence(world, node)
            reason = node.fence_reason or "node is unclean"
        if fence:
            node.fenced = True
            node.fence_reason = reason
            world.fence_actions.append(name)


def disable_start_up(world: World) -> None:
    """Without a fencing device every resource is handled as unmanaged (left as it is);
    the displayed state keeps the configured flag."""
    for rsc in world.all_primitives():
        if rsc.managed:
            rsc.managed = False
            rsc.managed_shown = True


def node_unfenced(node: WNode) -> bool:
    """Pacemaker's pcmk__node_unfenced: ``#node-unfenced`` is set and not 0."""
    value = node.attrs.get("#node-unfenced")
    return value is not None and value != "0"


def needs_unfencing(world: World, rsc: WRsc) -> bool:
    """Probes and starts of ``rsc`` wait for a node's unfencing: resources that require
    unfencing, and fencing devices when unfencing is in use."""
    return world.enable_unfencing and (rsc.fence_device or rsc.requires == "unfencing")


def plan_unfencing(
    world: World,
    probes: dict[int, list[str]],
    starts: list[tuple[WRsc, str]],
    changed_devices: list[tuple[WRsc, str]],
) -> None:
    """Unfence (``on``) the nodes never unfenced where a probe or start waits for it
    (Pacemaker's pcmk__order_vs_unfence and trigger_unfencing), and the nodes where a
    fencing device whose definition changed is active; the first reason is kept.  Probes
    come first, then starts, then definition changes, in resource order."""
    if not world.enable_unfencing:
        return

    def trigger(node: str, reason: str) -> None:
        wnode = world.nodes[node]
        if wnode.online and not wnode.unclean and not wnode.shutdown:
            world.unfence.setdefault(node, reason)

    for rsc in world.all_primitives():
        if needs_unfencing(world, rsc):
            for node in probes.get(id(rsc), ()):
                if not node_unfenced(world.nodes[node]):
                    trigger(node, f"required by {rsc.id} monitor")
    for rsc, node in starts:
        if needs_unfencing(world, rsc) and not node_unfenced(world.nodes[node]):
            trigger(node, f"required by {rsc.id} start")
    for _device, node in changed_devices:
        trigger(node, "Device definition changed")
