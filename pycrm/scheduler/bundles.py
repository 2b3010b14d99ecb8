"""Bundles (Pacemaker 2.1.5's rules): the resources a ``<bundle>`` implies, their placement
and their display.

A bundle with ``replicas`` N has, for each replica i:

* a container ``<bundle>-<agent>-i`` (``ocf:heartbeat:docker``/``podman``), whose
  parameters Pacemaker derives from the bundle (image, run options with the mounts, ports
  and environment, ...) -- the same here, so the recorded digests match;
* with ``ip-range-start``, an address ``<bundle>-ip-<address>`` (``ocf:heartbeat:IPaddr2``)
  placed with the container and started before it;
* with a primitive inside, a guest node ``<bundle>-i`` (an implicit connection resource of
  that name inside the container) running instance i of the primitive, cloned as
  ``<bundle>-clone`` (``<bundle>-master`` when ``promoted-max`` is set).

Containers are placed like clone instances (``replicas-per-host`` per node), then the
addresses and connections with them, then the instances, each on its own replica's node.
Other resources never run on a bundle's nodes.  crm_mon shows one line per replica: the
instance (or the bare container) on the container's node.
"""

from __future__ import annotations

from collections.abc import Callable

from cib._record import replace
from cib.model import Bundle, Cib, Clone, NvSet, Op, Primitive, Resource
from cib.timespec import parse_timeout_ms
from pycrm.scheduler.state import World, WRsc
from pycrm.scheduler.types import ResourceState

DEFAULT_REMOTE_PORT = "3121"
REMOTE_KEY = "/etc/pacemaker/authkey"
BUNDLE_LOG_DIR = "/var/log/pacemaker/bundles"
REMOTED = "/usr/sbin/pacemaker-remoted"


class Replica:
    """The resources of one replica (ids; ``ip`` and ``remote`` may be absent)."""

    __slots__ = ("container", "ip", "ipaddr", "number", "remote")

    def __init__(
        self, number: int, container: str, ip: str | None, ipaddr: str | None, remote: str | None
    ) -> None:
        self.number = number
        self.container = container
        self.ip = ip
        self.ipaddr = ipaddr
        self.remote = remote


class BundleLayout:
    """What one bundle expands to."""

    __slots__ = ("bundle", "child_clone", "replicas")

    def __init__(self, bundle: Bundle, child_clone: Clone | None, replicas: list[Replica]) -> None:
        self.bundle = bundle
        self.child_clone = child_clone
        self.replicas = replicas


def _next_ip(last: str) -> str | None:
    parts = last.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return None
    a, b, c, d = (int(p) for p in parts)
    if c > 253:
        return None
    if d > 253:
        c, d = c + 1, 1
    else:
        d += 1
    return f"{a}.{b}.{c}.{d}"


def _nvset(set_id: str, kind: str, values: dict[str, str]) -> NvSet:
    return NvSet(set_id, kind, values)  # type: ignore[arg-type]


def _monitor(rsc_id: str, interval_ms: int, timeout_ms: int | None = None) -> Op:
    seconds = interval_ms // 1000
    return Op(f"{rsc_id}-monitor-interval-{seconds}s", "monitor", interval_ms, timeout_ms)


def replica_addresses(bundle: Bundle) -> list[str | None]:
    """Each replica's address (from ``ip-range-start``), None without one."""
    out: list[str | None] = []
    last: str | None = None
    for _ in range(bundle.replicas):
        if bundle.ip_range_start is None:
            out.append(None)
            continue
        last = bundle.ip_range_start if last is None else _next_ip(last)
        out.append(last)
    return out


def _host_options(bundle: Bundle, addresses: list[str | None]) -> str:
    """``--add-host``/``--hosts-entry`` options naming every replica's address."""
    text = ""
    for number, address in enumerate(addresses):
        if address is None:
            continue
        if bundle.agent in ("docker", "podman") and bundle.add_host:
            text += f" --add-host={bundle.id}-{number}:{address}"
        else:
            text += f" --hosts-entry={address}={bundle.id}-{number}"
    return text


def _container(
    bundle: Bundle, number: int, address: str | None, host_options: str, inner: bool
) -> Primitive:
    """The container resource of one replica, with Pacemaker's parameters."""
    rid = f"{bundle.id}-{bundle.agent}-{number}"
    opts = " --restart=no" if bundle.agent == "docker" else ""
    if address is not None:
        opts += f" -h {bundle.id}-{number}"
    opts += " -e PCMK_stderr=1"
    if bundle.network is not None:
        opts += f" --net={bundle.network}"
    port = bundle.control_port or DEFAULT_REMOTE_PORT
    opts += f" -e PCMK_remote_port={port}"
    mounts = list(bundle.mounts)
    ports = list(bundle.ports)
    if inner:
        from cib.model import BundleMount

        mounts.append(BundleMount(REMOTE_KEY, REMOTE_KEY, None, False))
        if not any(m.target == "/var/log" for m in bundle.mounts):
            mounts.append(BundleMount(BUNDLE_LOG_DIR, "/var/log", None, True))
        ports.append((port, port))
    subdirs: list[str] = []
    for mount in mounts:
        source = mount.source
        if mount.subdir:
            source = f"{mount.source}/{bundle.id}-{number}"
            subdirs.append(source)
        opts += f" -v {source}:{mount.target}"
        if mount.options is not None:
            opts += f":{mount.options}"
    for source, target in ports:
        if address is not None:
            opts += f" -p {address}:{source}:{target}"
        elif bundle.network != "host":
            opts += f" -p {source}:{target}"
    if bundle.options is not None:
        opts += f" {bundle.options}"
    opts += f" {host_options}"
    params = {
        "image": bundle.image or "",
        "allow_pull": "true",
        "force_kill": "false",
        "reuse": "false",
        "run_opts": opts,
        "mount_points": ",".join(subdirs),
    }
    if inner:
        params["run_cmd"] = bundle.run_command or REMOTED
    elif bundle.run_command is not None:
        params["run_cmd"] = bundle.run_command
    params["monitor_cmd"] = "/bin/true"
    return Primitive(
        id=rid,
        standard="ocf",
        type=bundle.agent,
        provider="heartbeat",
        instance_sets=[_nvset(f"{bundle.id}-attributes-{number}", "instance", params)],
        ops=[_monitor(rid, 60_000)],
        line=bundle.line,
    )


def _ip(bundle: Bundle, number: int, address: str) -> Primitive:
    rid = f"{bundle.id}-ip-{address}"
    params = {"ip": address}
    if bundle.host_interface is not None:
        params["nic"] = bundle.host_interface
    params["cidr_netmask"] = bundle.host_netmask or "32"
    return Primitive(
        id=rid,
        standard="ocf",
        type="IPaddr2",
        provider="heartbeat",
        instance_sets=[_nvset(f"{bundle.id}-attributes-{number}", "instance", params)],
        ops=[_monitor(rid, 60_000)],
        line=bundle.line,
    )


def _remote(bundle: Bundle, rid: str, container: str, address: str | None) -> Primitive:
    params = {
        "addr": address if address is not None else "#uname",
        "port": bundle.control_port or DEFAULT_REMOTE_PORT,
    }
    meta = {"internal_rsc": "true", "container": container}
    return Primitive(
        id=rid,
        standard="ocf",
        type="remote",
        provider="pacemaker",
        instance_sets=[_nvset(f"{rid}-instance_attributes", "instance", params)],
        meta_sets=[_nvset(f"{rid}-meta_attributes", "meta", meta)],
        ops=[_monitor(rid, 30_000, parse_timeout_ms("30s"))],
        line=bundle.line,
    )


def _child_clone(bundle: Bundle, child: Primitive) -> Clone:
    suffix = "master" if bundle.promoted_max > 0 else "clone"
    values: dict[str, str] = {}
    for nvset in child.meta_sets:
        if "notify" in nvset.values:
            values["notify"] = nvset.values["notify"]  # the primitive's notify is the clone's
    values |= {
        "ordered": "true",
        "clone-max": str(bundle.replicas),
        "clone-node-max": str(bundle.replicas_per_host),
        "globally-unique": "true" if bundle.replicas_per_host > 1 else "false",
    }
    if bundle.promoted_max > 0:
        values["promotable"] = "true"
        values["promoted-max"] = str(bundle.promoted_max)
    return Clone(
        id=f"{bundle.id}-{suffix}",
        child=child,
        meta_sets=[_nvset(f"{bundle.id}-{suffix}-meta", "meta", values)],
        promotable=bundle.promoted_max > 0,
        line=bundle.line,
    )


def expand_bundles(cib: Cib) -> tuple[Cib, list[BundleLayout]]:
    """The CIB with every bundle's implied resources in its index, and their layout."""
    bundles = [r for r in cib.resources if isinstance(r, Bundle)]
    if not bundles:
        return cib, []
    index: dict[str, Resource] = dict(cib._index)
    parents = dict(cib._parent)
    layouts: list[BundleLayout] = []
    for bundle in bundles:
        inner = bundle.child is not None and (
            bundle.ip_range_start is not None or bundle.control_port is not None
        )
        addresses = replica_addresses(bundle)
        host_options = _host_options(bundle, addresses)
        replicas: list[Replica] = []
        for number, address in enumerate(addresses):
            container = _container(bundle, number, address, host_options, inner)
            prims = [container]
            ip_id: str | None = None
            if address is not None:
                ip = _ip(bundle, number, address)
                ip_id = ip.id
                prims.append(ip)
            remote_id: str | None = None
            if inner:
                remote_id = f"{bundle.id}-{number}"
                if remote_id in index:
                    child_id = bundle.child.id if bundle.child is not None else bundle.id
                    remote_id = f"pcmk-internal-{child_id}-remote-{number}"
                prims.append(_remote(bundle, remote_id, container.id, address))
            for prim in prims:
                index[prim.id] = prim
                parents[prim.id] = bundle.id
            replicas.append(Replica(number, container.id, ip_id, address, remote_id))
        child_clone: Clone | None = None
        if inner and bundle.child is not None:
            child_clone = _child_clone(bundle, bundle.child)
            index[child_clone.id] = child_clone
            parents[child_clone.id] = bundle.id
            parents[bundle.child.id] = child_clone.id
        layouts.append(BundleLayout(bundle, child_clone, replicas))
    return replace(cib, _index=index, _parent=parents), layouts


def connections(layouts: list[BundleLayout], cib: Cib) -> list[tuple[Primitive, str | None]]:
    """The guest connections of the bundles (as :func:`pycrm.scheduler.remote.connections`)."""
    out: list[tuple[Primitive, str | None]] = []
    for layout in layouts:
        for replica in layout.replicas:
            if replica.remote is not None:
                prim = cib.find(replica.remote)
                if isinstance(prim, Primitive):
                    out.append((prim, replica.container))
    return out


def bundle_connection_address(world: World, conn: WRsc, prim: Primitive) -> Primitive:
    """A bundle connection without an address of its own connects to its container's host
    (Pacemaker's REMOTE_CONTAINER_HACK: "#uname" stands for it, also in digests)."""
    container = world.by_id.get(conn.container_id or "")
    if container is None:
        return prim
    host = container.assigned or container.current_node
    if host is None:
        return prim
    sets = [
        replace(
            s,
            values={k: (host if k == "addr" and v == "#uname" else v) for k, v in s.values.items()},
        )
        for s in prim.instance_sets
    ]
    return replace(prim, instance_sets=sets)


# --------------------------------------------------------------------------- placement
def replica_node(world: World, inst: WRsc) -> str | None:
    """The bundle node an instance of a bundle's primitive belongs to."""
    clone = inst.clone_parent
    bundle = clone.parent if clone is not None else None
    if bundle is None or bundle.variant != "bundle":
        return None
    layout = world.bundles.get(bundle.id)
    if layout is None:
        return None
    top = inst
    while top.parent is not None and top.parent is not clone:
        top = top.parent
    suffix = top.id.rpartition(":")[2]
    if not suffix.isdigit():
        return None
    number = int(suffix)
    for replica in layout.replicas:
        if replica.number == number:
            return replica.remote
    return None


def internal_constraints(world: World) -> None:
    """A replica's address is placed with its container and started before it; each
    instance of the bundle's primitive may only run on its replica's node."""
    from cib.scores import SCORE_INF, SCORE_MINUS_INF
    from pycrm.scheduler.constraints import add_colocation
    from pycrm.scheduler.state import Coloc, OrderDef

    for bundle_id, layout in world.bundles.items():
        bundle = world.by_id.get(bundle_id)
        if bundle is None:
            continue
        for replica in layout.replicas:
            container = world.by_id.get(replica.container)
            ip = world.by_id.get(replica.ip) if replica.ip else None
            if container is None or ip is None:
                continue
            world.orders.append(
                OrderDef("#ip-before-container", ip, "start", container, "start", "Mandatory", True)
            )
            add_colocation(world, Coloc("#ip-with-container", ip, container, SCORE_INF))
        child = layout.child_clone
        clone = world.by_id.get(child.id) if child is not None else None
        if clone is None:
            continue
        nodes = {r.remote for r in layout.replicas if r.remote is not None}
        for name in world.node_order:
            clone.allowed[name] = 0 if name in nodes else SCORE_MINUS_INF
        for inst in clone.children:
            own = replica_node(world, inst)
            for member in [inst, *inst.primitives()]:
                member.allowed = {
                    name: (0 if name == own else SCORE_MINUS_INF) for name in world.node_order
                }


def assign_bundle(world: World, bundle: WRsc) -> None:
    """Containers like clone instances, then the rest of each replica, then the
    bundle's clone (Pacemaker's pcmk__bundle_assign)."""
    from functools import cmp_to_key

    from pycrm.scheduler import remote
    from pycrm.scheduler.clones import _cmp_instances, _distribute, assign_clone
    from pycrm.scheduler.placement import assign_primitive

    if not bundle.provisional or bundle.allocating:
        return
    bundle.allocating = True
    containers = [c for c in bundle.children if c.bundle_part == "container"]

    def order(a: WRsc, b: WRsc) -> int:
        return _cmp_instances(world, bundle, a, b)

    _distribute(world, bundle, sorted(containers, key=cmp_to_key(order)))
    for member in bundle.children:
        if member.bundle_part in ("ip", "remote"):
            assign_primitive(world, member, None)
            if member.bundle_part == "remote":
                remote.connection_assigned(world, member)
    for member in bundle.children:
        if member.variant == "clone":
            assign_clone(world, member)
    bundle.provisional = False
    bundle.allocating = False


# --------------------------------------------------------------------------- display
def replica_states(
    world: World, state_of: Callable[[WRsc], ResourceState], revised: bool
) -> list[ResourceState]:
    """One state per replica, as crm_mon shows a bundle: its instance (or its container
    when it has none) with the role and flags of that, on the container's node."""
    out: list[ResourceState] = []
    for bundle_id, layout in world.bundles.items():
        clone = world.by_id.get(layout.child_clone.id) if layout.child_clone else None
        instances: dict[str, WRsc] = {}
        if clone is not None:
            for inst in clone.children:
                node = replica_node(world, inst)
                if node is not None and inst.variant == "primitive":
                    instances[node] = inst
        for replica in layout.replicas:
            container = world.by_id.get(replica.container)
            if container is None:
                continue
            shown = container
            name = replica.container
            if replica.remote is not None and replica.remote in instances:
                shown = instances[replica.remote]
                name = replica.remote
            state = state_of(shown)
            where = state_of(container).nodes if shown is not container else state.nodes
            nodes = where if state.active else ()
            out.append(
                ResourceState(
                    id=name,
                    base_id=name,
                    role=state.role if nodes else "Stopped",
                    nodes=nodes,
                    agent=state.agent,
                    failed=state.failed,
                    blocked=state.blocked,
                    unmanaged=state.unmanaged,
                    orphaned=state.orphaned,
                    failure_ignored=state.failure_ignored,
                    disabled=state.disabled,
                    group=None,
                    clone=bundle_id,
                    promotable=state.promotable,
                    unique=False,
                )
            )
    _ = revised
    return out
