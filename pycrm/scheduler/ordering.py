"""Which starts and promotions can actually run once resources are placed.

A start is unrunnable when the resource has no node, when quorum is lost (policy ``stop``;
``freeze``/``demote`` only block resources that are not already active), or when a mandatory
ordering ties it to a first action (start/promote) that cannot run.  Group members depend on
the previous member's start; clone instances and group members inherit what their
enclosing resource's start depends on.  A collective "first" is runnable when all members
(group) or any instance (clone) can start.
"""

from __future__ import annotations

from collections import defaultdict

from cib.history import ROLE_PROMOTED, ROLE_STARTED
from pycrm.scheduler.constraints import discovery_allowed
from pycrm.scheduler.state import OrderDef, World, WRsc

_IN_PROGRESS = object()


class Runnability:
    def __init__(self, world: World) -> None:
        self.world = world
        self.by_then: dict[int, list[OrderDef]] = defaultdict(list)
        self.by_first: dict[int, list[OrderDef]] = defaultdict(list)
        for order in world.orders:
            if order.kind == "Mandatory" and order.first_action in ("start", "promote"):
                self.by_then[id(order.then)].append(order)
                if order.symmetrical and order.first_action == order.then_action == "start":
                    self.by_first[id(order.first)].append(order)
        probes = world.options.get("enable-startup-probes", "true").strip().lower()
        self.pending = (
            [n for n in world.node_order if world.nodes[n].pending and world.nodes[n].online]
            if probes in ("true", "yes", "on", "y", "1")
            else []
        )
        self._start: dict[int, object] = {}
        self.reasons: dict[int, str] = {}
        self._container: dict[tuple[int, bool], object] = {}
        self.container_reasons: dict[tuple[int, bool], str] = {}

    # ------------------------------------------------------------------ primitives
    def start_ok(self, rsc: WRsc) -> bool:
        key = id(rsc)
        cached = self._start.get(key)
        if cached is _IN_PROGRESS:
            return True
        if isinstance(cached, bool):
            return cached
        self._start[key] = _IN_PROGRESS
        ok, reason = self._compute_start(rsc)
        self._start[key] = ok
        if not ok:
            self.reasons[key] = reason
        return ok

    def reason(self, rsc: WRsc) -> str:
        return self.reasons.get(id(rsc), "")

    def _compute_start(self, rsc: WRsc) -> tuple[bool, str]:
        world = self.world
        if rsc.is_primitive and rsc.assigned is None:
            return False, "node availability"
        if not world.have_quorum and rsc.is_primitive and rsc.managed and rsc.requires != "nothing":
            policy = world.no_quorum_policy
            promotable = rsc.clone_parent is not None and rsc.clone_parent.promotable
            if policy in ("stop", "suicide") or (policy == "demote" and not promotable):
                return False, "no quorum"
            if policy in ("freeze", "demote") and (
                not rsc.running_on or rsc.next_role > max(rsc.role, 2)
            ):
                return False, "quorum freeze"
        if rsc.is_primitive and not rsc.managed and (not rsc.running_on or rsc.failed):
            # an unmanaged resource is left as it is: it can stay started, not start
            return False, f"unrunnable {rsc.id} start"
        node = world.nodes.get(rsc.assigned or "")
        if rsc.is_primitive and node is not None and node.remote_rsc is not None:
            conn = world.by_id.get(node.remote_rsc)
            if conn is not None and conn is not rsc and not self._connection_ok(conn):
                return False, f"unrunnable {conn.id} start"
        if rsc.is_primitive and self._unprobed_on_pending_node(rsc):
            return False, ""  # its start waits for a probe that cannot run yet
        staying = _staying(rsc)
        for order in self.by_then.get(id(rsc), []):
            if order.then_action != "start" or (staying and _asymmetric(order)):
                continue
            if not self._order_ok(order):
                return False, f"unrunnable {order.first.id} {order.first_action}"
        parent = rsc.parent
        if parent is not None:
            if parent.variant == "group":
                index = parent.children.index(rsc)
                if index > 0 and not self.start_ok(parent.children[index - 1]):
                    prev = parent.children[index - 1]
                    return False, f"unrunnable {prev.id} start"
            if not self._container_start_ok(parent, staying):
                key = (id(parent), staying)
                return False, self.container_reasons.get(key, "unrunnable parent start")
        blocker = self._colocation_blocker(rsc)
        if blocker is not None:
            return False, f"colocation with {blocker.id}"
        return True, ""

    def _connection_ok(self, conn: WRsc) -> bool:
        """A remote or guest node's connection will be up: it stays where it runs or its
        start can run."""
        if conn.assigned is None:
            return False
        staying = conn.assigned in conn.running_on and not conn.failed
        return staying or self.start_ok(conn)

    def _unprobed_on_pending_node(self, rsc: WRsc) -> bool:
        """A resource active nowhere must be probed on every node before it starts; on a
        pending node the probe cannot run (Pacemaker orders the start after it)."""
        if not self.pending or rsc.orphan or rsc.top.running_on:
            return False
        if rsc.container_id is not None and rsc.remote_node is None:
            return False
        return any(
            node not in rsc.history and discovery_allowed(rsc, node) for node in self.pending
        )

    def _container_start_ok(self, rsc: WRsc, staying: bool = False) -> bool:
        """The collective's own start pseudo-action (its orderings, its parent's), as it
        applies to a member; for a member that stays started where it is, asymmetrical
        orderings do not count (Pacemaker's pe_order_asymmetrical: nothing to do for the
        start of an already running resource)."""
        key = (id(rsc), staying)
        cached = self._container.get(key)
        if isinstance(cached, bool):
            return cached
        if cached is _IN_PROGRESS:
            return True
        self._container[key] = _IN_PROGRESS
        ok, reason = True, ""
        for order in self.by_then.get(id(rsc), []):
            if order.then_action != "start" or (staying and _asymmetric(order)):
                continue
            if not self._order_ok(order):
                ok, reason = False, f"unrunnable {order.first.id} {order.first_action}"
                break
        if ok and rsc.parent is not None and not self._container_start_ok(rsc.parent, staying):
            ok, reason = False, self.container_reasons.get((id(rsc.parent), staying), "")
        self._container[key] = ok
        if not ok:
            self.container_reasons[key] = reason
        return ok

    def _colocation_blocker(self, rsc: WRsc) -> WRsc | None:
        """A mandatory colocation primary that is placed but cannot start blocks us."""
        cur: WRsc | None = rsc
        while cur is not None:
            for coloc in cur.this_with:
                if coloc.score < 1_000_000 or coloc.primary_role or coloc.dependent_role:
                    continue
                primary = coloc.primary
                if primary is rsc or primary is rsc.parent or primary.variant == "group":
                    continue
                if not self._primary_runnable(primary):
                    return primary
            cur = cur.parent
        return None

    def promote_ok(self, rsc: WRsc) -> tuple[bool, str]:
        """Whether a promotion of ``rsc`` can run: the firsts of mandatory orderings that
        end in its (or its clone's) promote, and the primaries of mandatory colocations
        of its promoted role, must be able to run."""
        cur: WRsc | None = rsc
        while cur is not None:
            for order in self.by_then.get(id(cur), []):
                if order.then_action == "promote" and not self._order_ok(order):
                    return False, f"unrunnable {order.first.id} {order.first_action}"
            for coloc in cur.this_with:
                if coloc.score < 1_000_000 or coloc.dependent_role != ROLE_PROMOTED:
                    continue
                primary = coloc.primary
                if not self._primary_runnable(primary):
                    return False, f"colocation with {primary.id}"
            cur = cur.parent
        return True, ""

    def _primary_runnable(self, primary: WRsc) -> bool:
        """Whether a mandatory colocation's primary can run where it is assigned: one
        instance of a clone, every member otherwise (nothing assigned: no constraint)."""
        prims = [p for p in primary.primitives() if p.assigned is not None]
        if not prims:
            return True
        runs = any if primary.variant == "clone" else all
        return runs(self.start_ok(p) for p in prims)

    # ------------------------------------------------------------------ stops
    def stop_ok(self, rsc: WRsc) -> tuple[bool, str]:
        """Whether ``rsc`` can be stopped: unmanaged resources cannot, and a group member's
        stop waits for the next member's stop (which may itself be impossible)."""
        if not rsc.managed:
            return False, f"unrunnable {rsc.id} stop"
        parent = rsc.parent
        if parent is not None and parent.variant == "group":
            index = parent.children.index(rsc)
            for later in parent.children[index + 1 :]:
                if later.running_on and not later.managed:
                    return False, f"unrunnable {later.id} stop"
        # the inverse of a mandatory ordering: "then" stops first; a blocked one cannot
        cur: WRsc | None = rsc
        while cur is not None:
            for order in self.by_first.get(id(cur), ()):
                for then in order.then.primitives():
                    if then.running_on and not then.managed and (then.failed or then.blocked):
                        return False, f"unrunnable {then.id} stop"
            cur = cur.parent
        return True, ""

    def _order_ok(self, order: OrderDef) -> bool:
        """The first side of ``order`` lets its "then" run: with ``firsts`` (a set with
        require-all=false) enough of them; with a clone's clone-min, that many instances
        able to start; otherwise the first itself."""
        if order.firsts:
            runnable = sum(1 for f in order.firsts if self._first_ok(f, order.first_action))
            return runnable >= max(order.min_first, 1)
        first = order.first
        if order.min_first and first.variant == "clone" and order.first_action == "start":
            runnable = sum(
                1
                for inst in first.children
                if inst.primitives() and all(self.start_ok(p) for p in inst.primitives())
            )
            return runnable >= order.min_first
        return self._first_ok(first, order.first_action)

    def _first_ok(self, first: WRsc, action: str) -> bool:
        prims = first.primitives()
        if action == "promote":
            candidates = [p for p in prims if p.next_role == ROLE_PROMOTED]
            return any(self.start_ok(p) for p in candidates)
        if first.variant in ("clone", "bundle"):
            return any(self.start_ok(p) for p in prims)
        return all(self.start_ok(p) for p in prims) if prims else False


def _staying(rsc: WRsc) -> bool:
    """A primitive already started on one node that stays there (its start is optional)."""
    return (
        rsc.is_primitive
        and not rsc.failed
        and len(rsc.running_on) == 1
        and rsc.assigned == rsc.running_on[0]
        and rsc.role >= ROLE_STARTED
    )


def _asymmetric(order: OrderDef) -> bool:
    """A mandatory ordering with symmetrical=false (pe_order_asymmetrical)."""
    return order.kind == "Mandatory" and not order.symmetrical
