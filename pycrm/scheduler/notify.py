"""Clone notifications (``notify=true``), as Pacemaker 2.1.5 puts them in the graph.

For each of start and stop (and promote and demote for promotable clones) that some
instance really does in this transition, the clone gets four pseudo actions
(``<clone>_pre_notify_<op>_0``, ``<clone>_confirmed-pre_notify_<op>_0``,
``<clone>_post_notify_<op>ed_0``, ``<clone>_confirmed-post_notify_<op>ed_0``; "ed" is
running/stopped/promoted/demoted) and the instances get ``notify`` actions:

* start: a pre-notification to each instance that already runs (and keeps running), a
  post-notification to each instance that will run;
* promote: pre- and post-notification to each instance that will run;
* stop and demote: a pre-notification to each active instance (not where fencing does
  the stop), a post-notification to those that stay (demote: to all of them).

Each notify action's :attr:`Action.meta` holds what Pacemaker passes as
``CRM_meta_<name>`` (the agent sees ``OCF_RESKEY_CRM_meta_<name>``): ``notify_type``
(pre/post), ``notify_operation``, ``notify_key_type``, ``notify_key_operation`` and the
lists ``notify_{start,stop,promote,demote,active,promoted,unpromoted,master,slave}_
{resource,uname}``, ``notify_inactive_resource``, ``notify_available_uname``,
``notify_all_uname`` -- space separated, sorted by instance id, a single space when empty.
The instances' own start/stop/promote/demote actions carry the same lists.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from cib.history import ROLE_PROMOTED, ROLE_STARTED, ROLE_STOPPED, ROLE_UNPROMOTED
from pycrm.scheduler.result import Plan
from pycrm.scheduler.state import World, WRsc
from pycrm.scheduler.types import Action

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pycrm.scheduler.actions import GraphBuilder

TASKS_DONE = {"start": "running", "stop": "stopped", "promote": "promoted", "demote": "demoted"}
_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> list[object]:
    """Pacemaker's numeric, case-insensitive name order (pcmk__numeric_strcasecmp)."""
    return [int(p) if p.isdigit() else p.lower() for p in _DIGITS.split(name)]


def _words(entries: list[tuple[str, str]], nodes: bool) -> tuple[str, str]:
    """(resources, unames) of (instance id, node) entries, sorted and deduplicated."""
    seen: set[str] = set()
    rscs: list[str] = []
    unames: list[str] = []
    for rsc, node in sorted(entries, key=lambda e: (e[0].encode(), e[1].encode())):
        if rsc in seen:
            continue
        seen.add(rsc)
        rscs.append(rsc)
        if nodes:
            unames.append(node)
    return (" ".join(rscs) or " "), (" ".join(unames) or " ")


def notification_meta(
    world: World, clone: WRsc, plans: dict[int, Plan], g: GraphBuilder
) -> dict[str, str]:
    """The notify_* lists of ``clone`` for this transition."""
    prims = clone.primitives()
    keys: dict[str, str] = {}
    for task in ("stop", "start", "demote", "promote"):
        entries = [(p.id, g.actions[a].node or "") for p in prims for a in g.task_ids(p.id, task)]
        keys[f"notify_{task}_resource"], keys[f"notify_{task}_uname"] = _words(entries, True)
    active: list[tuple[str, str]] = []
    promoted: list[tuple[str, str]] = []
    unpromoted: list[tuple[str, str]] = []
    inactive: list[tuple[str, str]] = []
    for p in prims:
        node = p.running_on[0] if p.running_on else ""
        role = p.role if p.running_on else ROLE_STOPPED
        if role == ROLE_STOPPED:
            inactive.append((p.id, ""))
            continue
        active.append((p.id, node))
        if role == ROLE_PROMOTED:
            promoted.append((p.id, node))
        elif role == ROLE_UNPROMOTED:
            unpromoted.append((p.id, node))
    keys["notify_active_resource"], keys["notify_active_uname"] = _words(active, True)
    for name, entries in (("unpromoted", unpromoted), ("slave", unpromoted)):
        keys[f"notify_{name}_resource"], keys[f"notify_{name}_uname"] = _words(entries, True)
    for name, entries in (("promoted", promoted), ("master", promoted)):
        keys[f"notify_{name}_resource"], keys[f"notify_{name}_uname"] = _words(entries, True)
    keys["notify_inactive_resource"] = _words(inactive, False)[0]
    keys["notify_available_uname"] = " ".join(sorted(clone.allowed, key=natural_key)) or " "
    keys["notify_all_uname"] = " ".join(sorted(world.nodes, key=natural_key)) or " "
    return keys


def add_notifications(g: GraphBuilder, world: World, clone: WRsc, plans: dict[int, Plan]) -> None:
    tasks = ["start", "stop"] + (["promote", "demote"] if clone.promotable else [])
    lists: dict[str, str] | None = None
    post_done: dict[str, str] = {}
    pre_ids: dict[str, str] = {}
    prims = clone.primitives()
    for task in tasks:
        if not any(g.task_ids(p.id, task) for p in prims):
            continue  # nothing to notify about: Pacemaker leaves them optional
        if lists is None:
            lists = notification_meta(world, clone, plans, g)
            _tag_own_actions(g, prims, lists)
        done = TASKS_DONE[task]
        ids = {
            kind: g.add(
                Action(
                    f"{clone.id}_{kind}_notify_{op}_0",
                    clone.id,
                    "notify" if kind in ("pre", "post") else "notified",
                    None,
                    pseudo=True,
                )
            )
            for kind, op in (
                ("pre", task),
                ("confirmed-pre", task),
                ("post", done),
                ("confirmed-post", done),
            )
        }
        g.edge(ids["pre"], ids["confirmed-pre"])
        g.edge(ids["confirmed-pre"], f"{clone.id}_{task}_0", "notified before")
        g.edge(f"{clone.id}_{done}_0", ids["post"], "notify after")
        g.edge(ids["post"], ids["confirmed-post"])
        g.edge(ids["confirmed-pre"], ids["post"])
        pre_ids[task] = ids["pre"]
        post_done[task] = ids["confirmed-post"]
        for prim in prims:
            for kind, node in _recipients(world, g, prim, plans[id(prim)], task):
                meta = {
                    "notify_type": kind,
                    "notify_operation": task,
                    "notify_key_type": kind,
                    "notify_key_operation": task if kind == "pre" else done,
                    **lists,
                }
                aid = g.add(
                    Action(
                        f"{prim.id}_{kind}_notify_{task}_0@{node}",
                        prim.id,
                        "notify",
                        node,
                        meta=MappingProxyType(meta),
                    )
                )
                if kind == "pre":
                    g.edge(ids["pre"], aid)
                    g.edge(aid, ids["confirmed-pre"])
                else:
                    g.edge(ids["post"], aid)
                    g.edge(aid, ids["confirmed-post"])
    if "stop" in post_done and "start" in pre_ids:
        g.edge(post_done["stop"], pre_ids["start"], "stop notified before start notified")


def _tag_own_actions(g: GraphBuilder, prims: list[WRsc], lists: dict[str, str]) -> None:
    for prim in prims:
        for task in TASKS_DONE:
            for aid in g.task_ids(prim.id, task):
                action = g.actions[aid]
                action.meta = MappingProxyType({**action.meta, **lists})


def _recipients(
    world: World, g: GraphBuilder, prim: WRsc, plan: Plan, task: str
) -> list[tuple[str, str]]:
    """(pre|post, node) notifications instance ``prim`` gets for ``task``."""
    out: list[tuple[str, str]] = []
    stops = g.task_ids(prim.id, "stop")
    starts = g.task_ids(prim.id, "start")
    if prim.running_on and prim.role != ROLE_STOPPED and task in ("stop", "demote"):
        stop_pseudo = bool(stops) and g.actions[stops[0]].pseudo
        for node in prim.running_on:
            wnode = world.nodes[node]
            if stop_pseudo and wnode.unclean:
                continue  # fencing does the stop: nothing to tell that node
            if not wnode.online:
                continue
            out.append(("pre", node))
            if task == "demote" or not stops:
                out.append(("post", node))
    target = plan.target_node
    next_role = plan.target_role if target is not None else ROLE_STOPPED
    if not prim.managed:
        target, next_role = prim.current_node, prim.role
    if (
        next_role in (ROLE_STARTED, ROLE_UNPROMOTED, ROLE_PROMOTED)
        and target is not None
        and task in ("start", "promote")
        and world.nodes[target].online
    ):
        if task != "start" or not starts:
            out.append(("pre", target))
        out.append(("post", target))
    return out
