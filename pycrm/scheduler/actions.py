"""Actions of the transition and the ordering edges between them.

Per primitive: probes on nodes with no history, demote/stop where it runs and must change,
start/promote where it will run, recurring monitors after that.  Groups and clones get
pseudo actions (start/running, stop/stopped, promote/promoted, demote/demoted) around their
members.  Edges: stop before start, demote before stop, start before promote and monitor,
group member chains, ordering constraints (and their symmetric stop inverse).
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from types import MappingProxyType

from cib.history import ROLE_PROMOTED, ROLE_STOPPED, judge
from cib.model import Cib
from pycrm.scheduler import remote
from pycrm.scheduler.build import is_true
from pycrm.scheduler.bundles import replica_node
from pycrm.scheduler.confchange import ConfigChanges
from pycrm.scheduler.constraints import discovery_allowed
from pycrm.scheduler.fencing import needs_unfencing
from pycrm.scheduler.notify import add_notifications
from pycrm.scheduler.recurring import RecurringPlan, history_cancels, plan_recurring
from pycrm.scheduler.result import Plan, recovers_by_demotion, starts_fresh
from pycrm.scheduler.state import World, WRsc
from pycrm.scheduler.types import Action, Edge


class GraphBuilder:
    def __init__(self) -> None:
        self.actions: dict[str, Action] = {}
        self.order: list[str] = []
        self.edges: list[Edge] = []
        self._seen: set[tuple[str, str]] = set()
        self.by_key: dict[tuple[str, str], list[str]] = defaultdict(list)

    def add(self, action: Action) -> str:
        if action.id not in self.actions:
            self.actions[action.id] = action
            self.order.append(action.id)
            if not (action.task == "monitor" and action.interval_ms == 0):
                self.by_key[(action.rsc, action.task)].append(action.id)
        return action.id

    def task_ids(self, rsc: str, task: str) -> list[str]:
        """Ids of ``rsc``'s actions of ``task`` (probes excluded), in creation order."""
        return self.by_key.get((rsc, task), [])

    def probes(self, rsc: str, nodes: list[str]) -> list[str]:
        """Add ``rsc``'s probe (monitor, interval 0) on each of ``nodes``; their ids, in order."""
        actions = self.actions
        order = self.order
        out: list[str] = []
        for node in nodes:
            aid = f"{rsc}_monitor_0@{node}"
            if aid not in actions:
                actions[aid] = Action(aid, rsc, "monitor", node)
                order.append(aid)
            out.append(aid)
        return out

    def edge(self, before: str | None, after: str | None, reason: str = "") -> None:
        if before is None or after is None or before == after:
            return
        if before not in self.actions or after not in self.actions:
            return
        if (before, after) in self._seen:
            return
        self._seen.add((before, after))
        self.edges.append(Edge(before, after, reason))

    def edges_new(self, befores: list[str], after: str, reason: str = "") -> None:
        """Edges from each of ``befores`` to ``after``, known to be new and between existing
        actions (fast path)."""
        self.edges.extend([Edge(before, after, reason) for before in befores])

    def sorted_actions(self) -> list[Action]:
        """Actions in a topological order of the edges (creation order breaks ties).

        Edges that would close a cycle are dropped so that the result stays a DAG.
        """
        order = self.order
        index = {aid: i for i, aid in enumerate(order)}
        count = len(order)
        indeg = [0] * count
        succ: list[list[int]] = [[] for _ in range(count)]
        for edge in self.edges:
            b, a = index[edge.before], index[edge.after]
            succ[b].append(a)
            indeg[a] += 1
        # Smallest available index first.  Actions are taken in creation order by a cursor;
        # only those passed over while still waiting go through the heap once they are free.
        heap: list[int] = []
        out: list[int] = []
        cursor = 0
        while True:
            if heap:
                i = heapq.heappop(heap)
            else:
                while cursor < count and indeg[cursor]:
                    cursor += 1
                if cursor == count:
                    break
                i = cursor
                cursor += 1
            out.append(i)
            for nxt in succ[i]:
                indeg[nxt] -= 1
                if not indeg[nxt] and nxt < cursor:
                    heapq.heappush(heap, nxt)
        if len(out) < count:  # cycle: append the rest in creation order, drop back edges
            placed = set(out)
            out.extend(i for i in range(count) if i not in placed)
            position = {i: p for p, i in enumerate(out)}
            self.edges = [
                e for e in self.edges if position[index[e.before]] < position[index[e.after]]
            ]
        return [self.actions[order[i]] for i in out]


_NO_NODES: frozenset[str] = frozenset()


def fence_id(node: str, action: str) -> str:
    return f"stonith-{node}-{action}"


def fence_action(node: str, action: str, reason: str, pseudo: bool = False) -> Action:
    """The fencing of ``node``: task ``stonith``, ``meta["stonith_action"]`` the action
    (a pseudo action for a guest node: stopping its container fences it)."""
    return Action(
        fence_id(node, action),
        "",
        "stonith",
        node,
        pseudo=pseudo,
        reason=reason,
        meta=MappingProxyType({"stonith_action": action}),
    )


def _aid(rsc: str, task: str, node: str | None, interval: int = 0) -> str:
    return f"{rsc}_{task}_{interval}" + (f"@{node}" if node else "")


def build_graph(
    cib: Cib,
    world: World,
    plans: dict[int, Plan],
    history_nodes: dict[str, set[str]],
    changes: ConfigChanges | None = None,
    probes: dict[int, list[str]] | None = None,
) -> GraphBuilder:
    g = GraphBuilder()
    changes = changes or ConfigChanges()
    prims = world.all_primitives()
    if probes is None:
        probes = probe_plan(world, history_nodes)
    reconnecting = {n for n in world.node_order if _connection_starts(world, plans, n)}
    for name in world.fence_actions:
        target = world.nodes[name]
        g.add(fence_action(name, target.fence_action, target.fence_reason, target.kind == "guest"))
    for name, reason in world.unfence.items():
        g.add(fence_action(name, "on", reason))
    for rsc in prims:
        _primitive_actions(
            cib, world, g, rsc, plans[id(rsc)], probes.get(id(rsc), []), changes, reconnecting
        )
    for rsc_id, node in changes.clear_failcounts:
        g.add(
            Action(
                _aid(rsc_id, "clear_failcount", node),
                rsc_id,
                "clear_failcount",
                node,
                reason="resource definition change",
            )
        )
    for rsc_id, node in world.cleanups:
        delete = g.add(Action(_aid(rsc_id, "delete", node), rsc_id, "delete", node))
        g.edge(_aid(rsc_id, "stop", node), delete, "stop before clean-up")
    for top in world.resources:
        _collective_actions(g, top, plans)
    for top in world.clones():
        if is_true(top.meta.get("notify")):
            add_notifications(g, world, top, plans)
    for order in world.orders:
        for first in order.firsts or [order.first]:
            _order_edges(g, first, order.first_action, order.then, order.then_action)
            if order.symmetrical and order.kind != "Serialize":
                inverse = {"start": "stop", "promote": "demote"}
                fa = inverse.get(order.first_action)
                ta = inverse.get(order.then_action)
                if fa and ta:
                    _order_edges(g, order.then, ta, first, fa)
    return g


def probe_plan(
    world: World, history_nodes: dict[str, set[str]], plans: dict[int, Plan] | None = None
) -> dict[int, list[str]]:
    """Where each primitive gets probed (Pacemaker's schedule_probes): online nodes that
    are not pending, where its state is unknown, unless discovery or the node forbids it;
    an anonymous clone once per node; nothing inside a container or orphaned."""
    # a probe on a pending node cannot run (it is not in the graph)
    online = [
        n
        for n in world.node_order
        if world.nodes[n].online and not world.nodes[n].unclean and not world.nodes[n].pending
    ]
    # enable-startup-probes=false: no probes at all, as in Pacemaker (default true)
    if not is_true(world.options.get("enable-startup-probes", "true")):
        online = []
    probe_nodes = _anonymous_clone_probes(world, online)
    nodes = world.nodes
    out: dict[int, list[str]] = {}
    for rsc in world.all_primitives():
        # resources inside a container (meta "container") are not probed: the container is
        # (a guest node's connection is)
        inside = rsc.container_id is not None and rsc.remote_node is None
        if rsc.orphan or (not rsc.managed and rsc.maintenance) or inside:
            continue
        wanted = probe_nodes.get(id(rsc))
        if wanted is None:
            known = history_nodes.get(rsc.history_name or rsc.id, _NO_NODES)
            wanted = [name for name in online if name not in known]
        if world.bundles:
            own = replica_node(world, rsc)  # a bundle's instance: only on its own node
            if own is not None:
                wanted = [n for n in wanted if n == own]
            if rsc.bundle_part == "remote" and plans is not None:
                # a bundle's connection is probed once its container is known to run
                container = world.by_id.get(rsc.container_id or "")
                cplan = plans.get(id(container)) if container is not None else None
                if cplan is None or cplan.target_node is None:
                    wanted = []
        out[id(rsc)] = [
            n
            for n in wanted
            if (nodes[n].kind == "cluster" or remote.probe_allowed(world, rsc, nodes[n]))
            and discovery_allowed(rsc, n)
        ]
    return out


def _primitive_actions(
    cib: Cib,
    world: World,
    g: GraphBuilder,
    rsc: WRsc,
    plan: Plan,
    wanted: list[str],
    changes: ConfigChanges,
    reconnecting: set[str],
) -> None:
    probes = g.probes(rsc.id, wanted) if wanted else []
    for node in wanted:
        if node in world.unfence and needs_unfencing(world, rsc):
            g.edge(fence_id(node, "on"), f"{rsc.id}_monitor_0@{node}", "unfencing before probe")
    for cancel in history_cancels(cib, world, rsc):
        g.add(cancel)
    if not rsc.managed or plan.frozen:
        # left as it is: only monitors missing from its history
        rec = plan_recurring(
            cib, world, rsc, rsc.current_node, rsc.role, True, True, changes.reschedule
        )
        _add_recurring(g, rec, None, [])
        return
    target = plan.target_node
    fresh = starts_fresh(plan)
    stops: list[str] = []
    partial = plan.migrate and rsc.partial_migration is not None
    for node in sorted(rsc.dangling - set(rsc.running_on)):
        # a migration that finished without its stop on the source
        stops.append(g.add(Action(_aid(rsc.id, "stop", node), rsc.id, "stop", node)))
    # multiple-active=stop_unexpected: the copy where it stays is left alone (its start is
    # a pseudo action), only the unexpected ones stop (is_expected_node)
    expected = (
        target is not None
        and len(rsc.running_on) > 1
        and target in rsc.running_on
        and rsc.meta.get("multiple-active", "").strip().lower() == "stop_unexpected"
    )
    for node in rsc.running_on:
        leaving = target is None or node != target or (fresh and not partial and not expected)
        fenced = world.nodes[node].fenced  # fencing stops it: a pseudo action
        # demote_resource: the resource's role counts on every node it runs on
        if rsc.role == ROLE_PROMOTED and (
            leaving or plan.target_role != ROLE_PROMOTED or recovers_by_demotion(plan)
        ):
            demote = g.add(
                Action(_aid(rsc.id, "demote", node), rsc.id, "demote", node, pseudo=fenced)
            )
            if fenced:
                g.edge(
                    fence_id(node, world.nodes[node].fence_action), demote, "fencing implies demote"
                )
            stops.append(demote)
        if leaving:
            stop = g.add(
                Action(
                    _aid(rsc.id, "stop", node),
                    rsc.id,
                    "stop",
                    node,
                    pseudo=fenced,
                    reason=plan.stop_reason,
                )
            )
            if fenced:
                g.edge(fence_id(node, world.nodes[node].fence_action), stop, "fencing implies stop")
            for prior in stops:
                g.edge(prior, stop, "demote before stop")
            stops.append(stop)
    if target is None:
        # stopped everywhere: only the monitors of its Stopped role, after its stops
        rec = plan_recurring(cib, world, rsc, None, ROLE_STOPPED, False, False, changes.reschedule)
        _add_recurring(g, rec, None, [a for a in stops if g.actions[a].task == "stop"])
        return
    start: str | None = None
    # a start still in progress where it stays is issued again (no summary line)
    again = not fresh and _start_pending_on(rsc, target)
    if fresh or again:
        start = g.add(
            Action(
                _aid(rsc.id, "start", target),
                rsc.id,
                "start",
                target,
                pseudo=plan.migrate or expected,
                reason=plan.restart_reason,
            )
        )
        if plan.migrate:
            _migration_actions(g, rsc, target, stops, probes, partial)
        for prior in stops:
            g.edge(prior, start, "stop before start")
        g.edges_new(probes, start, "probe before start")
        if target in world.unfence and needs_unfencing(world, rsc):
            g.edge(fence_id(target, "on"), start, "unfencing before start")
    promote: str | None = None
    was_promoted = (
        rsc.node_roles.get(target, 0) == ROLE_PROMOTED
        and not fresh
        and not recovers_by_demotion(plan)
    )
    if plan.target_role == ROLE_PROMOTED and not was_promoted:
        promote = g.add(Action(_aid(rsc.id, "promote", target), rsc.id, "promote", target))
        g.edge(start, promote, "start before promote")
        for prior in stops:
            g.edge(prior, promote)
    elif not fresh and stops:
        pass
    demotes = [a for a in stops if g.actions[a].task == "demote"]
    after = promote or start or (demotes[-1] if demotes else None)
    if plan.reload:
        after = g.add(
            Action(
                _aid(rsc.id, "reload-agent", target),
                rsc.id,
                "reload-agent",
                target,
                reason="resource definition change",
            )
        )
    rec = plan_recurring(
        cib,
        world,
        rsc,
        target,
        ROLE_PROMOTED if plan.promote_blocked else plan.target_role,
        not fresh and not again and not plan.reload and target not in reconnecting,
        not plan.promote_blocked,  # the monitors of its next role follow the promote
        changes.reschedule,
    )
    _add_recurring(g, rec, after, [a for a in stops if g.actions[a].task == "stop"])


def _connection_starts(world: World, plans: dict[int, Plan], node_name: str) -> bool:
    """The connection of a remote or guest node starts: recurring monitors there are
    scheduled again (Pacemaker orders them after that start, implying them)."""
    conn_id = world.nodes[node_name].remote_rsc
    conn = world.by_id.get(conn_id) if conn_id is not None else None
    plan = plans.get(id(conn)) if conn is not None else None
    return plan is not None and starts_fresh(plan) and not plan.migrate


def _migration_actions(
    g: GraphBuilder,
    rsc: WRsc,
    target: str,
    stops: list[str],
    probes: list[str],
    partial: bool = False,
) -> None:
    """migrate_to on the source, then migrate_from on the target, then the stop on the
    source (the start is a pseudo action after it); meta names source and target.  A
    migration half done (``partial``) goes on from its migrate_from."""
    source = rsc.partial_migration[0] if partial and rsc.partial_migration else rsc.current_node
    source = source or ""
    meta = MappingProxyType({"migrate_source": source, "migrate_target": target})
    frm = g.add(
        Action(_aid(rsc.id, "migrate_from", target), rsc.id, "migrate_from", target, meta=meta)
    )
    if not partial:
        to = g.add(
            Action(_aid(rsc.id, "migrate_to", source), rsc.id, "migrate_to", source, meta=meta)
        )
        g.edges_new(probes, to, "probe before migrate_to")
        g.edge(to, frm, "migrate_to before migrate_from")
    for stop in stops:
        g.edge(frm, stop, "migrate_from before stop")


def _start_pending_on(rsc: WRsc, node: str) -> bool:
    lrm = rsc.history.get(node)
    return lrm is not None and any(
        op.operation == "start" and judge(op) == "pending" for op in lrm.ops
    )


def _add_recurring(
    g: GraphBuilder, rec: RecurringPlan, after: str | None, stops: list[str]
) -> None:
    for cancel in rec.cancels:
        g.add(cancel)
    for mon in rec.monitors:
        g.edge(after, g.add(mon), "monitor after start")
    for mon in rec.stopped_monitors:
        aid = g.add(mon)
        for stop in stops:
            if g.actions[stop].node == mon.node:
                g.edge(stop, aid, "stopped monitor after stop")


def _instance_number(inst: WRsc) -> int:
    suffix = inst.id.rpartition(":")[2]
    return int(suffix) if suffix.isdigit() else 0


def _anonymous_clone_probes(world: World, online: list[str]) -> dict[int, list[str]]:
    """Where each anonymous clone instance's primitives get probed: an anonymous clone is
    probed once per node, through the instance already probed there, else the one placed
    there, else the lowest numbered (Pacemaker's probe_anonymous_clone)."""
    out: dict[int, list[str]] = {}
    for top in world.resources:
        if top.variant != "clone" or top.unique or not top.children:
            continue
        instances = sorted(top.children, key=_instance_number)
        for inst in instances:
            for prim in inst.primitives():
                out[id(prim)] = []
        for node in online:
            chosen = next(
                (i for i in instances if any(node in p.history for p in i.primitives())), None
            )
            if chosen is None and node in top.known_on:
                continue  # probed through an orphaned instance
            if chosen is None:
                chosen = next((i for i in instances if i.assigned == node), instances[0])
            for prim in chosen.primitives():
                # a pending probe is no answer (a pending start is: active there)
                if node not in prim.known_on and node not in prim.running_on:
                    out[id(prim)].append(node)
    return out


def _pseudo(g: GraphBuilder, rsc: WRsc, task: str) -> str:
    return g.add(Action(f"{rsc.id}_{task}_0", rsc.id, task, None, pseudo=True))


def _member_actions(g: GraphBuilder, rsc: WRsc, task: str) -> list[str]:
    return list(g.by_key.get((rsc.id, task), ()))


def _collective_actions(g: GraphBuilder, rsc: WRsc, plans: dict[int, Plan]) -> None:
    if rsc.variant == "primitive":
        return
    for child in rsc.children:
        _collective_actions(g, child, plans)
    prims = rsc.primitives()
    pairs = (
        ("start", "running"),
        ("stop", "stopped"),
        ("promote", "promoted"),
        ("demote", "demoted"),
    )
    for task, done in pairs:
        members = [a for p in prims for a in _member_actions(g, p, task)]
        if not members:
            continue
        begin = _pseudo(g, rsc, task)
        end = _pseudo(g, rsc, done)
        for child in rsc.children:
            child_actions = (
                _member_actions(g, child, task)
                if child.variant == "primitive"
                else [f"{child.id}_{task}_0"]
            )
            child_done = (
                _member_actions(g, child, task)
                if child.variant == "primitive"
                else [f"{child.id}_{done}_0"]
            )
            for aid in child_actions:
                g.edge(begin, aid)
            for aid in child_done:
                g.edge(aid, end)
    if rsc.variant == "group":
        kids = rsc.children
        for prev, nxt in itertools.pairwise(kids):
            for a in _member_actions(g, prev, "start"):
                for b in _member_actions(g, nxt, "start"):
                    g.edge(a, b, "group order")
            for a in _member_actions(g, nxt, "stop"):
                for b in _member_actions(g, prev, "stop"):
                    g.edge(a, b, "group order")
    g.edge(f"{rsc.id}_stopped_0", f"{rsc.id}_start_0", "stop before start")
    g.edge(f"{rsc.id}_demoted_0", f"{rsc.id}_stop_0", "demote before stop")
    g.edge(f"{rsc.id}_running_0", f"{rsc.id}_promote_0", "start before promote")


def _first_ids(g: GraphBuilder, rsc: WRsc, action: str) -> list[str]:
    if rsc.variant == "primitive":
        return _member_actions(g, rsc, action)
    done = {"start": "running", "stop": "stopped", "promote": "promoted", "demote": "demoted"}
    return [f"{rsc.id}_{done.get(action, action)}_0"]


def _then_ids(g: GraphBuilder, rsc: WRsc, action: str) -> list[str]:
    if rsc.variant == "primitive":
        return _member_actions(g, rsc, action)
    return [f"{rsc.id}_{action}_0"]


def _order_edges(g: GraphBuilder, first: WRsc, fa: str, then: WRsc, ta: str) -> None:
    for a in _first_ids(g, first, fa):
        for b in _then_ids(g, then, ta):
            g.edge(a, b, "ordering")
