"""The resource tree crm_simulate displays: top-level primitives, groups and clones.

The scheduler reports one flat `ResourceState` per primitive instance; the
renderers need them arranged like the configuration (CIB order, orphans last),
with the group/clone headers' own flags.  `build_tree()` does that once for
each status (current and revised) and every output format uses the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cib._record import FACTORY, ValueRecord
from cib.model import Bundle, Cib, Clone, Group, NvSet, Primitive
from cib.nvsets import cluster_options
from pycrm.scheduler.bundles import replica_addresses
from pycrm.scheduler.types import NodeInfo, ResourceState

_NUM = re.compile(r"(\d+)")
_FALSE = frozenset({"false", "off", "no", "n", "0"})
_TRUE = frozenset({"true", "on", "yes", "y", "1"})


def node_sort_key(name: str) -> list[tuple[int, int | str]]:
    """Pacemaker's node name order: case-insensitive, digit runs compared as numbers."""
    key: list[tuple[int, int | str]] = []
    for part in _NUM.split(name.lower()):
        if not part:
            continue
        key.append((0, int(part)) if part.isdigit() else (1, part))
    return key


def sorted_nodes(names: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    return sorted(names, key=node_sort_key)


def _meta(sets: list[NvSet], name: str) -> str | None:
    """A plain (rule-less) meta attribute value, first set wins like Pacemaker."""
    for nvset in sets:
        if nvset.rule is None and name in nvset.values:
            return nvset.values[name]
    return None


def _stopped(sets: list[NvSet]) -> bool:
    role = _meta(sets, "target-role")
    return role is not None and role.lower() == "stopped"


def _unmanaged(sets: list[NvSet]) -> bool:
    managed = _meta(sets, "is-managed")
    maint = _meta(sets, "maintenance")
    return (managed is not None and managed.lower() in _FALSE) or (
        maint is not None and maint.lower() in _TRUE
    )


class PrimitiveItem(ValueRecord):
    state: ResourceState
    display_id: str
    target_role: str | None = None
    # why a stopped resource is stopped, from a failed probe ("not installed"): crm_mon's
    # "Stopped (not installed)"; set by pycrm status, which knows the failed operations
    probe_failed: str | None = None
    # a bundle replica's address, shown after its name: "web-0 (192.168.1.10)"
    address: str | None = None

    __match_args__ = ("state", "display_id", "target_role", "probe_failed", "address")

    def __init__(
        self,
        state: ResourceState,
        display_id: str,
        target_role: str | None = None,
        probe_failed: str | None = None,
        address: str | None = None,
    ) -> None:
        self.state = state
        self.display_id = display_id
        self.target_role = target_role
        self.probe_failed = probe_failed
        self.address = address

    kind = "primitive"


class GroupItem(ValueRecord):
    id: str
    members: list[PrimitiveItem]
    managed: bool = True
    disabled: bool = False

    __match_args__ = ("id", "members", "managed", "disabled")

    def __init__(
        self,
        id: str,
        members: list[PrimitiveItem],
        managed: bool = True,
        disabled: bool = False,
    ) -> None:
        self.id = id
        self.members = members
        self.managed = managed
        self.disabled = disabled

    kind = "group"


class CloneItem(ValueRecord):
    id: str
    child_id: str
    promotable: bool
    unique: bool
    managed: bool = True
    disabled: bool = False
    target_role: str | None = None
    # one entry per instance: a PrimitiveItem, or a GroupItem for cloned groups
    instances: list[PrimitiveItem | GroupItem]
    # a bundle (its replicas as instances) shows as "Container bundle: id [image]"
    bundle_image: str | None = None
    replicas: int = 0

    __match_args__ = (
        "id",
        "child_id",
        "promotable",
        "unique",
        "managed",
        "disabled",
        "target_role",
        "instances",
        "bundle_image",
        "replicas",
    )

    def __init__(
        self,
        id: str,
        child_id: str,
        promotable: bool,
        unique: bool,
        managed: bool = True,
        disabled: bool = False,
        target_role: str | None = None,
        instances: list[PrimitiveItem | GroupItem] = FACTORY,
        bundle_image: str | None = None,
        replicas: int = 0,
    ) -> None:
        self.id = id
        self.child_id = child_id
        self.promotable = promotable
        self.unique = unique
        self.managed = managed
        self.disabled = disabled
        self.target_role = target_role
        self.instances = list() if instances is FACTORY else instances
        self.bundle_image = bundle_image
        self.replicas = replicas

    kind = "clone"


Item = PrimitiveItem | GroupItem | CloneItem


def _target_role(cib: Cib, prim_id: str) -> str | None:
    prim = cib.find(prim_id)
    chain: list[list[NvSet]] = []
    if isinstance(prim, Primitive):
        chain.append(prim.meta_sets)
    for parent in cib.parents(prim_id):
        chain.append(parent.meta_sets)
    for sets in chain:
        role = _meta(sets, "target-role")
        if role is not None:
            return role
    return None


_ItemMaker = Callable[[ResourceState, bool], PrimitiveItem]


def _item_maker(cib: Cib) -> _ItemMaker:
    """``item(state, anonymous)``: the state's PrimitiveItem, target-role looked up once per
    configured primitive (all instances of a clone share it)."""
    roles: dict[str, str | None] = {}

    def item(state: ResourceState, anonymous: bool) -> PrimitiveItem:
        base = state.base_id
        if base in roles:
            role = roles[base]
        else:
            role = roles[base] = _target_role(cib, base)
        return PrimitiveItem(state, base if anonymous else state.id, role)

    return item


def _replica_number(state: ResourceState) -> int:
    """The replica a bundle's line shows (its id ends in ``-N``)."""
    tail = state.id.rpartition("-")[2]
    return int(tail) if tail.isdigit() else 0


def _replica_item(state: ResourceState, addresses: list[str | None]) -> PrimitiveItem:
    """A bundle replica's line, with its address when it has one."""
    number = _replica_number(state)
    address = addresses[number] if number < len(addresses) else None
    return PrimitiveItem(state, state.id, address=address)


def build_tree(
    cib: Cib, states: tuple[ResourceState, ...], hide_stopped_orphans: bool = True
) -> list[Item]:
    """Arrange `states` like crm_simulate lists them.

    Top-level resources by descending ``priority`` (stable, like Pacemaker's
    resource list), clone instances by number, orphans (history of resources
    no longer configured) appended; stopped orphans are not shown.
    """
    by_prim: dict[str, list[ResourceState]] = {}
    for st in states:
        by_prim.setdefault(st.base_id, []).append(st)
    used: set[int] = set()
    item = _item_maker(cib)
    # maintenance-mode makes every resource unmanaged, collective ones included
    frozen = (cluster_options(cib.crm_config).get("maintenance-mode") or "").lower() in _TRUE

    def take(prim_id: str, clone: str | None) -> list[ResourceState]:
        out = [s for s in by_prim.get(prim_id, []) if s.clone == clone and id(s) not in used]
        used.update(id(s) for s in out)
        if clone is not None:
            out.sort(key=_instance_key)
        return out

    items: list[Item] = []
    for rsc in sorted(cib.resources, key=lambda r: -_priority(r.meta_sets)):
        if isinstance(rsc, Primitive):
            items.extend(item(s, False) for s in take(rsc.id, None))
        elif isinstance(rsc, Group):
            members = [item(s, False) for c in rsc.children for s in take(c.id, None)]
            items.append(
                GroupItem(
                    rsc.id,
                    members,
                    managed=not frozen and not _unmanaged(rsc.meta_sets),
                    disabled=_stopped(rsc.meta_sets),
                )
            )
        elif isinstance(rsc, Clone):
            items.append(_clone_item(rsc, take, item, frozen))
        elif isinstance(rsc, Bundle):
            replicas = sorted(
                (s for s in states if s.clone == rsc.id and id(s) not in used), key=_replica_number
            )
            used.update(id(s) for s in replicas)
            addresses = replica_addresses(rsc)
            items.append(
                CloneItem(
                    rsc.id,
                    rsc.child.id if rsc.child is not None else rsc.id,
                    rsc.promoted_max > 0,
                    False,
                    managed=not frozen and not _unmanaged(rsc.meta_sets),
                    disabled=_stopped(rsc.meta_sets),
                    instances=[_replica_item(s, addresses) for s in replicas],
                    bundle_image=rsc.image or "",
                    replicas=rsc.replicas,
                )
            )
    for st in states:  # orphans: history of resources no longer configured
        if id(st) not in used:
            used.add(id(st))
            if st.active or not hide_stopped_orphans:
                items.append(item(st, st.clone is not None and not st.unique))
    return items


def _priority(sets: list[NvSet]) -> int:
    value = _meta(sets, "priority")
    if value is None:
        return 0
    try:
        return int(float(value))
    except ValueError:
        return 0


def _instance_key(st: ResourceState) -> tuple[int, int]:
    """Clone instances in instance-number order, orphans after the configured ones."""
    _, _, num = st.id.rpartition(":")
    return (1 if st.orphaned else 0, int(num) if num.isdigit() else 0)


def _clone_item(
    clone: Clone,
    take: Callable[[str, str | None], list[ResourceState]],
    item: _ItemMaker,
    frozen: bool = False,
) -> CloneItem:
    unique = _meta(clone.meta_sets, "globally-unique")
    is_unique = unique is not None and unique.lower() in _TRUE
    out = CloneItem(
        id=clone.id,
        child_id=clone.child.id,
        promotable=clone.promotable,
        unique=is_unique,
        managed=not frozen and not _unmanaged(clone.meta_sets),
        disabled=_stopped(clone.meta_sets),
        target_role=_meta(clone.meta_sets, "target-role"),
    )
    anonymous = not is_unique
    if isinstance(clone.child, Primitive):
        for st in take(clone.child.id, clone.id):
            out.instances.append(item(st, anonymous))
        return out
    group = clone.child
    per_instance: dict[str, list[PrimitiveItem]] = {}
    for member in group.children:
        for st in take(member.id, clone.id):
            key = st.group or group.id
            per_instance.setdefault(key, []).append(item(st, anonymous))
    for key, members in per_instance.items():
        out.instances.append(
            GroupItem(
                key,
                members,
                managed=out.managed and not _unmanaged(group.meta_sets),
                disabled=_stopped(group.meta_sets),
            )
        )
    return out


def display_order(cib: Cib, states: tuple[ResourceState, ...]) -> dict[str, int]:
    """Instance id -> position in crm_simulate's listing (Transition Summary order)."""
    tree = build_tree(cib, states, hide_stopped_orphans=False)
    return {st.id: i for i, st in enumerate(iter_states(tree))}


def iter_states(items: list[Item]) -> list[ResourceState]:
    out: list[ResourceState] = []
    for item in items:
        if isinstance(item, PrimitiveItem):
            out.append(item.state)
        elif isinstance(item, GroupItem):
            out.extend(m.state for m in item.members)
        else:
            for inst in item.instances:
                if isinstance(inst, PrimitiveItem):
                    out.append(inst.state)
                else:
                    out.extend(m.state for m in inst.members)
    return out


def running_count(states: list[ResourceState]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for st in states:
        if st.active:
            for node in st.nodes:
                counts[node] = counts.get(node, 0) + 1
    return counts


def node_flags(node: NodeInfo, revised: bool) -> dict[str, bool]:
    """online/standby/maintenance/unclean of `node` in the current or revised status."""
    state = node.revised_state if revised else node.state
    return {
        "online": node.online and state != "OFFLINE",
        "standby": state in ("standby", "pending"),
        "maintenance": state == "maintenance",
        "unclean": state == "UNCLEAN",
        "pending": state == "pending",
    }
