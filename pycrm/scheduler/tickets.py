"""Tickets: ``rsc_ticket`` constraints and the ticket state of the status section.

A resource tied to a ticket may only run while the ticket is granted and not in standby
(``<status><tickets><ticket_state id="T" granted="true" standby="false"/>``; a ticket
without state is not granted).  Like Pacemaker 2.1.5 (``pcmk_sched_tickets.c``), for each
primitive below the constrained resource:

* ticket lost (not granted) while the resource is active: ``loss-policy`` decides -- ``stop``
  bans it from every node, ``demote`` bans it unless the constraint is for the Promoted
  role (then only promotion is prevented), ``fence`` bans it and fences the nodes it runs
  on ("deadman ticket was lost"; only without fencing it means ``stop``), ``freeze``
  leaves it as it is (blocked); the default is ``demote`` for the Promoted role, else
  ``stop``.  ``fence`` and ``freeze`` only act when the constraint's role is the current
  one;
* ticket not granted, or in standby: the resource is banned unless the constraint is for
  the Promoted role with a policy other than ``stop``;
* a constraint for the Promoted role keeps every instance from being promoted while the
  ticket is not granted or in standby.

Every ban shows in ``--show-scores`` as a ``ticket`` contribution naming the ticket.
"""

from __future__ import annotations

from cib.history import ROLE_PROMOTED, ROLE_UNKNOWN
from cib.model import Cib, TicketConstraint
from cib.scores import SCORE_MINUS_INF
from pycrm.scheduler.build import is_true, role_of
from pycrm.scheduler.constraints import expand_refs, resolve_rsc
from pycrm.scheduler.state import Location, World, WRsc


def build_tickets(cib: Cib, world: World) -> None:
    for cons in cib.tickets:
        state = cib.ticket_state.get(cons.ticket, {})
        granted = is_true(state.get("granted"))
        standby = is_true(state.get("standby"))
        for rsc, role in _targets(cib, world, cons):
            policy = _loss_policy(world, cons.loss_policy, role)
            if role == ROLE_PROMOTED and (not granted or standby):
                rsc.promotion_tickets.append(cons.ticket)
            if granted and not standby:
                continue
            why = "not granted" if not granted else "in standby"
            for prim in rsc.primitives():
                _constrain(world, prim, cons, role, policy, granted, why)


def _targets(cib: Cib, world: World, cons: TicketConstraint) -> list[tuple[WRsc, int]]:
    out: list[tuple[WRsc, int]] = []
    if cons.resource_sets:
        for rset in cons.resource_sets:
            role = _role(rset.role)
            for rid in expand_refs(cib, rset.resources):
                rsc = resolve_rsc(world, rid)
                if rsc is not None:
                    out.append((rsc, role))
        return out
    for rid in expand_refs(cib, [cons.rsc] if cons.rsc else []):
        rsc = resolve_rsc(world, rid)
        if rsc is not None:
            out.append((rsc, _role(cons.rsc_role)))
    return out


def _role(name: str | None) -> int:
    if name is None or name.lower() == "started":
        return ROLE_UNKNOWN
    return role_of(name)


def _loss_policy(world: World, value: str | None, role: int) -> str:
    policy = (value or "").lower()
    if policy == "fence":
        return "fence" if world.stonith_enabled else "stop"
    if policy in ("freeze", "demote", "stop"):
        return policy
    return "demote" if role == ROLE_PROMOTED else "stop"


def _ban(world: World, rsc: WRsc, source: str) -> None:
    loc = Location(
        id=source,
        rsc=rsc,
        role=ROLE_UNKNOWN,
        scores=dict.fromkeys(world.node_order, SCORE_MINUS_INF),
        kind="ticket",
    )
    rsc.locations.append(loc)
    world.locations.append(loc)


def _constrain(
    world: World,
    rsc: WRsc,
    cons: TicketConstraint,
    role: int,
    policy: str,
    granted: bool,
    why: str,
) -> None:
    role_matches = role in (ROLE_UNKNOWN, rsc.role)
    source = f"{cons.id}: ticket {cons.ticket} {why} (loss-policy {policy})"
    if not granted and rsc.running_on:
        if policy == "stop" or (policy == "demote" and role != ROLE_PROMOTED):
            _ban(world, rsc, source)
        elif policy == "fence" and role_matches:
            _ban(world, rsc, source)
            for node in rsc.running_on:
                world.nodes[node].mark_unclean("deadman ticket was lost")
        elif policy == "freeze" and role_matches:
            for target in [rsc, *rsc.primitives()]:
                if target.managed and not target.blocked:
                    # crm_mon does not show it: the freeze is not in the CIB
                    target.ticket_frozen = True
                target.managed = False
                target.blocked = True
        return
    if role != ROLE_PROMOTED or policy == "stop":
        _ban(world, rsc, source)
