"""crm_resource's placement constraints: move (``cli-prefer-<rsc>``), ban
(``cli-ban-<rsc>-on-<node>``) and clear, with the same ids, scores and shapes.

* move RSC NODE -> ``<rsc_location id="cli-prefer-RSC" rsc="RSC" role="Started"
  node="NODE" score="INFINITY"/>`` (``role="Promoted"`` with ``promoted=True``); a move to the
  node where the resource already runs alone is refused (ALREADY) unless forced; a move
  without a node bans the resource from the node where it runs (as ``crm_resource --move``).
* ban RSC [NODE] -> ``cli-ban-RSC-on-NODE``, score ``-INFINITY``; without a node, the node
  where the resource runs.
* a lifetime (ISO 8601 duration) turns the location into crm_resource's rule form, a
  ``#uname`` expression and a ``date_expression operation="lt" end=...`` that expires.
* clear RSC [NODE] removes ``cli-prefer-RSC`` (when NODE is given: only if it prefers that
  node) and the ``cli-ban-RSC-on-*`` bans (those on NODE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from cib import patch
from cib.model import Cib, LocationConstraint
from cib.timespec import parse_duration
from pycrm.ops import errors, find
from pycrm.status.words import crm_time

PREFER_PREFIX = "cli-prefer-"
BAN_PREFIX = "cli-ban-"


def prefer_id(rsc: str) -> str:
    return f"{PREFER_PREFIX}{rsc}"


def ban_id(rsc: str, node: str) -> str:
    return f"{BAN_PREFIX}{rsc}-on-{node}"


@dataclass(frozen=True)
class Placement:
    """A location constraint to submit, and what the operator is told about it."""

    change: patch.Change
    constraint_id: str
    node: str
    expires: str | None  # the end of its lifetime, as written in the CIB
    warning: str | None  # crm_resource's WARNING for a ban


def lifetime_end(lifetime: str, now: datetime) -> str:
    """The end of a ``--lifetime`` (ISO 8601 duration) from ``now`` (an aware datetime), in
    the form crm_resource writes (``2026-12-07 16:57:48Z`` / ``... +01:00``)."""
    try:
        duration = parse_duration(lifetime)
    except ValueError:
        raise errors.fail(
            errors.BAD_VALUE,
            f"Invalid duration specified: {lifetime} (an ISO 8601 duration such as PT1H or P1D)",
        ) from None
    return crm_time(duration.add_to(now).timestamp())


def _location(
    ident: str,
    rsc: str,
    node: str,
    score: str,
    role: str,
    expires: str | None,
    ids: tuple[str, str, str],
) -> str:
    el = etree.Element("rsc_location", id=ident, rsc=rsc, role=role)
    if expires is None:
        el.set("node", node)
        el.set("score", score)
    else:
        rule_id, expr_id, date_id = ids
        rule = etree.SubElement(el, "rule", id=rule_id, score=score)
        rule.set("boolean-op", "and")
        etree.SubElement(
            rule,
            "expression",
            id=expr_id,
            attribute="#uname",
            operation="eq",
            value=node,
            type="string",
        )
        etree.SubElement(rule, "date_expression", id=date_id, operation="lt", end=expires)
    return etree.tostring(el, encoding="unicode")


def _role(promoted: bool) -> str:
    return "Promoted" if promoted else "Started"


def _check_promoted(model: Cib, rsc: str, promoted: bool) -> None:
    if not promoted:
        return
    holder = find.top(model, rsc)
    if find.kind(holder) != "promotable clone":
        raise errors.fail(
            errors.BAD_VALUE, f"--promoted needs a promotable clone: {rsc} is not in one"
        )


def prefer(
    model: Cib,
    rsc: str,
    node: str,
    *,
    active_on: Sequence[str],
    lifetime: str | None = None,
    promoted: bool = False,
    now: datetime,
    force: bool = False,
) -> Placement:
    """``crm_resource --move -r RSC -N NODE``: the ``cli-prefer-RSC`` location."""
    expires = lifetime_end(lifetime, now) if lifetime is not None else None
    find.resource(model, rsc)
    find.node(model, node)
    _check_promoted(model, rsc, promoted)
    if not force and not promoted and list(active_on) == [node]:
        raise errors.fail(
            errors.ALREADY,
            f"{rsc} is already active on {node} (use --force to pin it there)",
            forceable=True,
        )
    ident = prefer_id(rsc)
    ids = (f"cli-prefer-rule-{rsc}", f"cli-prefer-expr-{rsc}", f"cli-prefer-lifetime-end-{rsc}")
    xml = _location(ident, rsc, node, "INFINITY", _role(promoted), expires, ids)
    return Placement(patch.SetConstraint(xml), ident, node, expires, None)


def ban(
    model: Cib,
    rsc: str,
    node: str | None,
    *,
    active_on: Sequence[str],
    lifetime: str | None = None,
    promoted: bool = False,
    now: datetime,
) -> Placement:
    """``crm_resource --ban -r RSC [-N NODE]``: the ``cli-ban-RSC-on-NODE`` location; without
    a node, the one node where the resource is active."""
    expires = lifetime_end(lifetime, now) if lifetime is not None else None
    find.resource(model, rsc)
    _check_promoted(model, rsc, promoted)
    if node is None:
        node = _only_node(rsc, active_on)
    find.node(model, node)
    ident = ban_id(rsc, node)
    ids = (f"{ident}-rule", f"{ident}-expr", f"{ident}-lifetime")
    xml = _location(ident, rsc, node, "-INFINITY", _role(promoted), expires, ids)
    doing = "being promoted" if promoted else "running"
    warning = (
        f"WARNING: Creating rsc_location constraint '{ident}' with a score of -INFINITY for"
        f" resource {rsc} on {node}.\n\tThis will prevent {rsc} from {doing} on {node} until"
        " the constraint is removed using the clear option or by editing the CIB with an"
        f" appropriate tool\n\tThis will be the case even if {node} is the last node in the"
        " cluster"
    )
    return Placement(patch.SetConstraint(xml), ident, node, expires, warning)


def _only_node(rsc: str, active_on: Sequence[str]) -> str:
    if not active_on:
        raise errors.fail(
            errors.NOT_ACTIVE,
            f"Resource '{rsc}' not moved: not active and no node given",
        )
    if len(active_on) > 1:
        raise errors.fail(
            errors.MULTIPLE_ACTIVE,
            f"Resource '{rsc}' not moved: active on {len(active_on)} nodes"
            f" ({', '.join(active_on)}); name the node to move it away from",
        )
    return active_on[0]


def _targets_node(loc: LocationConstraint, node: str) -> bool:
    if loc.node is not None:
        return loc.node == node
    for rule in loc.rules:
        for expr in rule.expressions:
            if (
                getattr(expr, "attribute", None) == "#uname"
                and getattr(expr, "value", None) == node
            ):
                return True
    return False


def clear(model: Cib, rsc: str, node: str | None = None) -> list[str]:
    """``crm_resource --clear``: the ids of the cli constraints of RSC to delete (bans
    first, then the preference, as crm_resource removes them)."""
    find.resource(model, rsc)
    if node is not None:
        find.node(model, node)
    bans: list[str] = []
    prefers: list[str] = []
    ban_prefix = f"{BAN_PREFIX}{rsc}-on-"
    for loc in model.locations:
        if loc.rsc != rsc:
            continue
        if loc.id.startswith(ban_prefix):
            if node is None or loc.id == ban_id(rsc, node):
                bans.append(loc.id)
        elif loc.id == prefer_id(rsc) and (node is None or _targets_node(loc, node)):
            prefers.append(loc.id)
    return bans + prefers


def clear_changes(ids: Sequence[str]) -> list[patch.Change]:
    return [patch.DeleteConstraint(i) for i in ids]
