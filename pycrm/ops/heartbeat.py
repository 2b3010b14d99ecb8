"""Heartbeat v1's resource commands as placement operations (hb_standby, hb_takeover,
``cl_status rscstatus``).

Heartbeat splits a node's view of the haresources groups in two: *local* ones, whose home
(the first word of their haresources line) is this node, and *foreign* ones, whose home is
another node; ``all`` is both, ``failback`` means ``foreign``.  After haresources2cib, the
home is the resource's preferred-node location (score 100, ``location-<rsc>-<node>``).
Here the home of a resource is the node of its highest positive, rule-less, role-less
``rsc_location`` that is not a ``cli-`` constraint (None: no home, foreign to every node).
Only resources that run on one node at a time count (primitives and groups): clones run
everywhere, and a promotable clone's promoted role follows its group's colocation.

* hb_standby SET on node N (N releases SET): each such resource active on N is banned from
  N (``cli-ban-<rsc>-on-N``) and a ``cli-prefer-<rsc>`` pinning it to N is removed.  The
  ban stays until a takeover or ``pycrm resource clear``, as heartbeat's standby lasts until
  the next takeover.
* hb_takeover SET on node N (N takes SET): each such resource loses its bans on N and, unless
  it is already active on N alone, is moved to N (``cli-prefer-<rsc>``).
* rscstatus: ``all`` / ``local`` / ``foreign`` / ``none`` -- which kinds of resources are
  active on N (the caller answers ``transition`` while the cluster is not settled).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cib import patch
from cib.model import Cib, Clone
from pycrm.ops import constraints, errors, find

SETS = ("all", "local", "foreign")
ALIASES = {"failback": "foreign"}

Where = Mapping[str, Sequence[tuple[str, str]]]


def parse_set(text: str) -> str:
    which = ALIASES.get(text, text)
    if which not in SETS:
        raise errors.fail(errors.BAD_VALUE, f"wrong resources({text}).")
    return which


def home(model: Cib, rsc_id: str) -> str | None:
    best: tuple[int, str] | None = None
    for loc in model.locations:
        if loc.rsc != rsc_id or loc.node is None or loc.rules or loc.score is None:
            continue
        if loc.role not in (None, "Started") or loc.id.startswith(("cli-prefer-", "cli-ban-")):
            continue
        if loc.score > 0 and (best is None or loc.score > best[0]):
            best = (loc.score, loc.node)
    return None if best is None else best[1]


def selected(model: Cib, node: str, which: str) -> list[tuple[str, str | None]]:
    """(resource, home) of the single-node top-level resources in SET ``which`` for ``node``."""
    out = []
    for rsc in model.resources:
        if isinstance(rsc, Clone):
            continue
        where = home(model, rsc.id)
        local = where == node
        if which == "all" or (which == "local") == local:
            out.append((rsc.id, where))
    return out


@dataclass
class Plan:
    changes: list[patch.Change] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # what is done, for the operator


def _nodes(where: Where, rsc: str) -> list[str]:
    return find.active_nodes(where.get(rsc, ()))


def standby(model: Cib, where: Where, node: str, which: str, now: datetime) -> Plan:
    find.node(model, node)
    plan = Plan()
    for rsc, _ in selected(model, node, which):
        active = _nodes(where, rsc)
        if node not in active:
            continue
        for ident in constraints.clear(model, rsc, node):
            if ident == constraints.prefer_id(rsc):
                plan.changes.append(patch.DeleteConstraint(ident))
        placed = constraints.ban(model, rsc, node, active_on=active, now=now)
        plan.changes.append(placed.change)
        plan.lines.append(f"{rsc}: leaves {node} ({placed.constraint_id})")
    return plan


def takeover(model: Cib, where: Where, node: str, which: str, now: datetime) -> Plan:
    find.node(model, node)
    plan = Plan()
    for rsc, _ in selected(model, node, which):
        active = _nodes(where, rsc)
        bans = [i for i in constraints.clear(model, rsc, node) if i.startswith("cli-ban-")]
        plan.changes += constraints.clear_changes(bans)
        if active == [node]:
            if bans:
                plan.lines.append(f"{rsc}: stays on {node} (removed {', '.join(bans)})")
            continue
        placed = constraints.prefer(model, rsc, node, active_on=active, now=now, force=True)
        plan.changes.append(placed.change)
        removed = f"; removed {', '.join(bans)}" if bans else ""
        plan.lines.append(f"{rsc}: moves to {node} ({placed.constraint_id}{removed})")
    return plan


def rscstatus(model: Cib, where: Where, node: str) -> str:
    held_local = held_foreign = False
    for rsc, rsc_home in selected(model, node, "all"):
        if node in _nodes(where, rsc):
            if rsc_home == node:
                held_local = True
            else:
                held_foreign = True
    if held_local and held_foreign:
        return "all"
    if held_local:
        return "local"
    return "foreign" if held_foreign else "none"
