"""Resources and nodes by name, and where resources are active, for the operator commands."""

from __future__ import annotations

from collections.abc import Iterable

from cib.model import Cib, Clone, Group, Node, Resource, iter_primitives
from pycrm.ops import errors
from pycrm.scheduler import ResourceState

ACTIVE_ROLES = ("Started", "Unpromoted", "Promoted")


def resource(model: Cib, rsc_id: str) -> Resource:
    """The resource ``rsc_id`` (at any depth); RESOURCE_NOT_FOUND otherwise."""
    found = model.find(rsc_id)
    if found is None:
        raise errors.fail(errors.RESOURCE_NOT_FOUND, f"Resource '{rsc_id}' not found")
    return found


def node(model: Cib, name: str) -> Node:
    """The configured node ``name``; NODE_NOT_FOUND otherwise."""
    found = model.node_by_uname(name)
    if found is None:
        raise errors.fail(errors.NODE_NOT_FOUND, f"Node '{name}' not found")
    return found


def top(model: Cib, rsc_id: str) -> Resource:
    """The outermost collective holding ``rsc_id`` (itself when it is top-level)."""
    parents = model.parents(rsc_id)
    return parents[-1] if parents else resource(model, rsc_id)


def primitive_ids(rsc: Resource) -> list[str]:
    """The primitives of a resource, in document order."""
    return [p.id for p in iter_primitives([rsc])]


def kind(rsc: Resource) -> str:
    if isinstance(rsc, Clone):
        return "promotable clone" if rsc.promotable else "clone"
    if isinstance(rsc, Group):
        return "group"
    return "primitive"


def locations(model: Cib, states: Iterable[ResourceState]) -> dict[str, list[tuple[str, str]]]:
    """Every resource id (primitives, groups, clones, a clone's child) -> where it is active,
    as ``(node, role)`` in the order first seen; the scheduler's view (``schedule().current``)."""
    out: dict[str, list[tuple[str, str]]] = {}

    def add(key: str, where: tuple[str, str]) -> None:
        seen = out.setdefault(key, [])
        if where not in seen:
            seen.append(where)

    for state in states:
        if state.role not in ACTIVE_ROLES:
            continue
        keys = {state.id, state.base_id}
        keys.update(p.id for p in model.parents(state.base_id))
        if state.group is not None:
            keys.add(state.group)
        if state.clone is not None:
            keys.add(state.clone)
        for where in ((n, state.role) for n in state.nodes):
            for key in sorted(keys):
                add(key, where)
    return out


def active_nodes(where: Iterable[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for name, _ in where:
        if name not in out:
            out.append(name)
    return out
