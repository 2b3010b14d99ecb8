"""Pacemaker Remote and guest nodes (Pacemaker 2.1.5's rules).

* A remote node is created by each ``ocf:pacemaker:remote`` primitive (top level or in a
  group): the node is named after the connection resource.  A guest node is created by the
  ``remote-node`` meta attribute of a primitive (its *container*, a VM or container
  resource): Pacemaker adds an implicit connection resource named after the node
  (``ocf:pacemaker:remote``, meta ``internal_rsc`` and ``container``, a 30 s monitor), placed
  with its container and started after it (:func:`expand_guests`).
* A remote node is online when its connection is started (and, for a guest node, its
  container too) and neither has failed; once the connection is placed the node counts as
  online for the rest of the placement if the connection will run, as shutting down if not.
  Connections are placed before every other resource.
* Connections and fencing devices never run on remote or guest nodes; a guest's container
  never runs on one either.
* A resource with meta ``container`` is placed with that resource and started after it
  (or, when the container is a remote connection or creates a guest node, forced onto
  that node); a failure of such a resource restarts its container.
* A remote node is fenced like a cluster node (a real fencing action) when its connection
  failed (``remote connection is unrecoverable``), or when resources are active there while
  its connection cannot be recovered; a guest node is "fenced" by recovering its container
  (a pseudo fencing action ``Fence (reboot) guest (resource: container)``): the container
  and the connection restart and the guest's resources are recovered.
"""

from __future__ import annotations

from cib._record import replace
from cib._xml import is_true
from cib.model import Cib, Group, NvSet, Op, Primitive, Resource
from pycrm.scheduler.state import WNode, World, WRsc

GUEST_MONITOR_MS = 30_000


def is_connection(prim: Primitive) -> bool:
    """An ``ocf:pacemaker:remote`` primitive (a Pacemaker Remote connection)."""
    return (
        prim.standard.lower() == "ocf"
        and (prim.provider or "").lower() == "pacemaker"
        and prim.type.lower() == "remote"
    )


def _raw_meta(prim: Primitive) -> dict[str, str]:
    """Meta attributes as Pacemaker reads them for remote expansion: every set in order,
    rules ignored, the last value of a name winning."""
    out: dict[str, str] = {}
    for nvset in prim.meta_sets:
        out.update(nvset.values)
    return out


def _top_primitives(resources: list[Resource]) -> list[Primitive]:
    out: list[Primitive] = []
    for rsc in resources:
        if isinstance(rsc, Primitive):
            out.append(rsc)
        elif isinstance(rsc, Group):
            out.extend(rsc.children)
    return out


def _guest_connection(container: Primitive, meta: dict[str, str], name: str) -> Primitive:
    values = {"internal_rsc": "true", "container": container.id}
    if "remote-allow-migrate" in meta:
        values["allow-migrate"] = meta["remote-allow-migrate"]
    if "is-managed" in meta:
        values["is-managed"] = meta["is-managed"]
    instance: list[NvSet] = []
    params = {}
    if "remote-addr" in meta:
        params["addr"] = meta["remote-addr"]
    if "remote-port" in meta:
        params["port"] = meta["remote-port"]
    if params:
        instance.append(NvSet(f"{name}-instance_attributes", "instance", params))
    start_timeout = meta.get("remote-connect-timeout", "60s")
    from cib.timespec import parse_timeout_ms

    try:
        start_ms: int | None = parse_timeout_ms(start_timeout)
    except ValueError:
        start_ms = None
    ops = [
        Op(f"{name}-monitor-interval-30s", "monitor", GUEST_MONITOR_MS, GUEST_MONITOR_MS),
        Op(f"{name}-start-interval-0", "start", 0, start_ms),
    ]
    return Primitive(
        id=name,
        standard="ocf",
        type="remote",
        provider="pacemaker",
        instance_sets=instance,
        meta_sets=[NvSet(f"{name}-meta_attributes", "meta", values)],
        ops=ops,
        line=container.line,
    )


def expand_guests(cib: Cib) -> Cib:
    """The CIB with the implicit connection resource of every guest node appended to the
    resources (Pacemaker's expand_remote_rsc_meta); ``cib`` itself when there is none."""
    added: list[Primitive] = []
    for prim in _top_primitives(cib.resources):
        meta = _raw_meta(prim)
        name = meta.get("remote-node")
        if not name or cib.find(name) is not None or any(p.id == name for p in added):
            continue
        added.append(_guest_connection(prim, meta, name))
    if not added:
        return cib
    index = dict(cib._index)
    for prim in added:
        index[prim.id] = prim
    return replace(cib, resources=[*cib.resources, *added], _index=index)


def connections(cib: Cib) -> list[tuple[Primitive, str | None]]:
    """Every connection resource (explicit or implicit) with its container id, if any."""
    out: list[tuple[Primitive, str | None]] = []
    for prim in _top_primitives(cib.resources):
        if is_connection(prim):
            out.append((prim, _raw_meta(prim).get("container")))
    return out


# --------------------------------------------------------------------------- node state
def connection(world: World, node: WNode) -> WRsc | None:
    return world.by_id.get(node.remote_rsc) if node.remote_rsc else None


def container_of(world: World, node: WNode) -> WRsc | None:
    return world.by_id.get(node.container) if node.container else None


def connection_up(world: World, node: WNode) -> bool:
    """The connection (and a guest's container) are known to be started: the node's
    history can be read (Pacemaker's unpack_node_history)."""
    conn = connection(world, node)
    if conn is None or conn.role < 2 or not conn.running_on:
        return False
    if node.kind == "guest":
        cont = container_of(world, node)
        return cont is not None and cont.role >= 2 and bool(cont.running_on)
    return True


def determine_online(world: World, node: WNode) -> None:
    """Pacemaker's determine_remote_online_status."""
    conn = connection(world, node)
    if conn is None:
        node.online = False
        return
    started = conn.role >= 2 and bool(conn.running_on)
    if started:
        node.online = True
    cont = container_of(world, node)
    host = conn.running_on[0] if cont is not None and len(conn.running_on) == 1 else None
    if cont is not None and cont.failed:
        node.online = False
        node.remote_requires_reset = True
    elif conn.failed:
        node.online = False
    elif not started or (cont is not None and not (cont.role >= 2 and cont.running_on)):
        node.online = False
        node.remote_requires_reset = False
    elif host is not None and not world.nodes[host].online and world.nodes[host].unclean:
        node.online = False
        node.remote_requires_reset = True


def fence_guest(world: World, node: WNode, reason: str) -> None:
    """Pacemaker's pe_fence_node for a guest node: recover its container."""
    cont = container_of(world, node)
    if cont is None or cont.failed:
        return
    if not cont.managed:
        return
    node.remote_requires_reset = True
    if not node.fence_reason:
        node.fence_reason = reason
    cont.failed = True


def fence_node(world: World, node: WNode, reason: str) -> None:
    """Pacemaker's pe_fence_node: a guest node by recovering its container, a remote or
    cluster node by marking it unclean (the first reason is kept)."""
    if node.kind == "guest":
        fence_guest(world, node, reason)
        return
    if node.kind == "remote":
        conn = connection(world, node)
        if conn is not None and not conn.managed:
            return
        node.remote_requires_reset = True
    node.mark_unclean(reason)


def avoid_remote_nodes(world: World, rsc: WRsc) -> None:
    """Ban ``rsc`` (and its members) from every remote and guest node."""
    from cib.scores import SCORE_MINUS_INF
    from pycrm.scheduler.constraints import add_score

    for name in world.node_order:
        if world.nodes[name].kind != "cluster":
            for target in [rsc, *rsc.primitives()]:
                add_score(target, name, SCORE_MINUS_INF, "location", "remote node")


# --------------------------------------------------------------------------- placement
def internal_constraints(world: World) -> None:
    """Pacemaker's remote and container constraints (pcmk__primitive_internal_constraints):
    connections and fencing devices avoid remote nodes, a guest's container too; a filler
    is placed with its container and started after it, or forced onto the node its
    container creates."""
    from cib.scores import SCORE_INF, SCORE_MINUS_INF
    from pycrm.scheduler.constraints import add_colocation, add_score
    from pycrm.scheduler.state import Coloc, OrderDef

    if not any(n.kind != "cluster" for n in world.nodes.values()) and not any(
        p.container_id for p in world.all_primitives()
    ):
        return
    for rsc in world.all_primitives():
        if rsc.remote_node is not None or rsc.fence_device:
            avoid_remote_nodes(world, rsc)
        container = world.by_id.get(rsc.container_id) if rsc.container_id else None
        if container is None or container is rsc:
            continue
        if rsc.remote_node is not None:
            if rsc.bundle_part is None:
                avoid_remote_nodes(world, container)  # no guest inside a remote node
        else:
            node = guest_node_of(world, container)
            if node is not None:
                # container=<a node's resource>: run on that node
                for name in world.node_order:
                    if name != node:
                        add_score(rsc, name, SCORE_MINUS_INF, "location", f"container {node}")
                continue
        world.orders.append(
            OrderDef("resource-with-container", container, "start", rsc, "start", "Mandatory", True)
        )
        # a bundle's connection may run elsewhere than its container (nested remotes)
        score = 10_000 if rsc.bundle_part == "remote" else SCORE_INF
        add_colocation(world, Coloc("resource-with-container", rsc, container, score))


def guest_node_of(world: World, rsc: WRsc) -> str | None:
    """The remote or guest node ``rsc`` creates: itself a connection, or the container of
    a guest node's connection."""
    if rsc.remote_node is not None:
        return rsc.remote_node
    for node in world.nodes.values():
        if node.kind == "guest" and node.container == rsc.id:
            return node.name
    return None


def connection_assigned(world: World, conn: WRsc) -> None:
    """Pacemaker's remote_connection_assigned: the node will be online when its connection
    runs (a never-seen remote node then needs no fencing), else it shuts down."""
    if conn.remote_node is None:
        return
    node = world.nodes[conn.remote_node]
    if conn.assigned is not None and conn.next_role != 1:
        node.online = True
        if node.unseen:
            node.unclean = False
            node.fence_reason = ""
    else:
        node.shutdown = True


def connection_failed(world: World, node: WNode) -> bool:
    """Pacemaker's get_remote_node_state() == failed: the connection will not run and
    either its host is unclean or it failed."""
    conn = connection(world, node)
    if conn is None:
        return False
    if conn.next_role != 1 and conn.assigned is not None:
        return False
    host = conn.running_on[0] if conn.running_on else None
    if host is not None and world.nodes[host].unclean:
        return True
    return conn.failed


def fence_unrecoverable(world: World) -> None:
    """A remote node whose connection cannot be recovered is fenced when resources are
    active on it (or their state there is unknown)."""
    for node in world.nodes.values():
        if node.kind != "remote" or not connection_failed(world, node):
            continue
        active = any(node.name in rsc.running_on and rsc.managed for rsc in world.all_primitives())
        if active:
            fence_node(world, node, "resources are active but connection is unrecoverable")
        elif not node.online:
            fence_node(world, node, "the connection is unrecoverable")


# --------------------------------------------------------------------------- probes
def _guest_will_stop(world: World, node: WNode, guest: WRsc) -> bool:
    moving = (
        guest.role > 1 and guest.assigned is not None and guest.assigned not in guest.running_on
    )
    return (
        node.remote_requires_reset or node.unclean or guest.failed or guest.next_role == 1 or moving
    )


def probe_allowed(world: World, rsc: WRsc, node: WNode) -> bool:
    """Whether ``rsc`` may be probed on a remote or guest node (Pacemaker's
    pcmk__probe_rsc_on_node): never fencing devices or connections, never a guest's
    own container there, nothing on a guest whose container is stopped or will stop."""
    if rsc.fence_device or rsc.remote_node is not None:
        return False
    discovery = node.attrs.get("resource-discovery-enabled")
    disabled = discovery is not None and not is_true(discovery)
    if disabled and (node.kind == "guest" or world.stonith_enabled):
        return False
    if node.bundle:
        # a bundle's node: only that replica's instance is probed there
        from pycrm.scheduler.bundles import replica_node

        if replica_node(world, rsc) != node.name:
            return False
    if node.kind != "guest":
        return True
    guest = container_of(world, node)
    if guest is None:
        return True
    top = rsc.top
    if guest_node_of(world, top) is not None or guest_node_of(world, rsc) is not None:
        return False
    if guest.role <= 1 or not guest.running_on:
        return False
    return not _guest_will_stop(world, node, guest)
