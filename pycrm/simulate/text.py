"""crm_simulate 2.1.5 text output: cluster status blocks, Transition Summary, actions."""

from __future__ import annotations

from pycrm.scheduler.types import Action, NodeInfo, ResourceState, SummaryLine, Transition
from pycrm.simulate.run import Simulation
from pycrm.simulate.view import (
    CloneItem,
    GroupItem,
    Item,
    PrimitiveItem,
    display_order,
    iter_states,
    node_sort_key,
    running_count,
    sorted_nodes,
)

_ROLE_ORDER = {"Stopped": 0, "Started": 1, "Unpromoted": 2, "Promoted": 3}


# --------------------------------------------------------------------------- nodes
def node_lines(nodes: tuple[NodeInfo, ...], items: list[Item], revised: bool) -> list[str]:
    """The "Node List:" entries: special nodes one by one, then the Online/OFFLINE lists
    of cluster, remote and guest nodes (crm_mon's order)."""
    running = running_count(iter_states(items))
    single: list[str] = []
    lists: dict[str, list[str]] = {}
    prefix = {"cluster": "", "remote": "Remote", "guest": "Guest"}
    for node in sorted(nodes, key=lambda n: node_sort_key(n.name)):
        state = node.revised_state if revised else node.state
        kind = prefix.get(node.kind, "")
        label = f"{kind}Node" if kind else "Node"
        if node.kind == "guest" and state == "OFFLINE":
            continue  # crm_mon does not list guest nodes that are down
        if state == "online" and node.health:
            single.append(f"* {label} {node.name}: online (health is {node.health})")
        elif state in ("online", "OFFLINE"):
            lists.setdefault(f"{kind}{'Online' if state == 'online' else 'OFFLINE'}", []).append(
                node.name
            )
        elif state == "standby":
            extra = " (with active resources)" if running.get(node.name) else ""
            single.append(f"* {label} {node.name}: standby{extra}")
        elif state in ("maintenance", "pending"):
            single.append(f"* {label} {node.name}: {state}")
        else:
            where = "online" if node.online else "offline"
            single.append(f"* {label} {node.name}: UNCLEAN ({where})")
    out = list(single)
    for kind in ("", "Remote", "Guest"):
        for word in ("Online", "OFFLINE"):
            names = lists.get(f"{kind}{word}")
            if names:
                out.append(f"* {kind}{word}: [ {' '.join(names)} ]")
    return out


# --------------------------------------------------------------------------- resources
def _flag_suffix(flags: list[str]) -> str:
    return f" ({', '.join(flags)})" if flags else ""


def primitive_line(item: PrimitiveItem) -> str:
    st = item.state
    name = f"{item.display_id} ({item.address})" if item.address else item.display_id
    out = f"* {name}\t({st.agent}):\t"
    words: list[str] = []
    if st.orphaned:
        words.append("ORPHANED")
    multiple = len(st.nodes) > 1
    if st.failed:
        words.append("FAILED")
        if st.role == "Promoted":
            words.append("Promoted")
    else:
        words.append(st.role if st.nodes else "Stopped")
    if st.nodes and not multiple:
        words.append(st.nodes[0])
    elif not st.nodes and item.probe_failed:
        words.append(f"({item.probe_failed}) ")  # sic: Pacemaker 2.1.5 leaves the space
    out += " " + " ".join(words)
    flags: list[str] = []
    target = (item.target_role or "").lower()
    if target == "stopped":
        flags.append("disabled")
    elif st.promotable and target in ("unpromoted", "slave"):
        flags.append(f"target-role:{item.target_role}")
    if st.blocked:
        flags.append("blocked")
    elif st.unmanaged:
        flags.append("unmanaged")
    if st.failure_ignored:
        flags.append("failure ignored")
    out += _flag_suffix(flags)
    if multiple:
        out += f" [ {' '.join(sorted_nodes(st.nodes))} ]"
    return out


def _group_header(item: GroupItem, hidden: int = 0) -> str:
    flags = []
    if hidden:
        flags.append(f"{hidden} member{'' if hidden == 1 else 's'} inactive")
    if not item.managed:
        flags.append("unmanaged")
    if item.disabled:
        flags.append("disabled")
    return f"* Resource Group: {item.id}{_flag_suffix(flags)}:"


def _group_lines(item: GroupItem, inactive: bool = True) -> list[str]:
    """A group; without `inactive` (crm_mon's default) only its active members, counted."""
    members = item.members if inactive else [m for m in item.members if m.state.active]
    if not members:
        return []
    header = _group_header(item, len(item.members) - len(members))
    return [header] + ["  " + primitive_line(m) for m in members]


def _interesting(st: ResourceState) -> bool:
    return st.orphaned or st.failed or st.blocked or st.unmanaged or len(st.nodes) > 1


def _collapsible(inst: PrimitiveItem | GroupItem) -> tuple[str, str] | None:
    """(role, node) when an anonymous instance fits a "Started: [ ... ]" list."""
    states = [inst.state] if isinstance(inst, PrimitiveItem) else [m.state for m in inst.members]
    active = [s for s in states if s.active]
    if not active:
        return ("Stopped", "")
    if any(_interesting(s) for s in states):
        return None
    nodes = {s.nodes[0] for s in active}
    roles = {s.role for s in active}
    if len(active) != len(states) or len(nodes) != 1 or len(roles) != 1:
        return None
    return (roles.pop(), nodes.pop())


def _clone_header(item: CloneItem) -> str:
    flags = []
    if item.promotable:
        flags.append("promotable")
    if item.unique:
        flags.append("unique")
    if item.disabled:
        flags.append("disabled")
    if not item.managed:
        flags.append("unmanaged")
    return f"* Clone Set: {item.id} [{item.child_id}]{_flag_suffix(flags)}:"


def _bundle_lines(item: CloneItem) -> list[str]:
    """A bundle as crm_mon lists it: a header, then one line per replica."""
    flags = "" if item.managed else " (unmanaged)"
    kind = "Container bundle set" if item.replicas > 1 else "Container bundle"
    out = [f"* {kind}: {item.id} [{item.bundle_image}]{flags}:"]
    for inst in item.instances:
        if isinstance(inst, PrimitiveItem):
            out.append("  " + primitive_line(inst))
    return out


def _clone_lines(item: CloneItem, all_nodes: list[str], inactive: bool = True) -> list[str]:
    if item.bundle_image is not None:
        return _bundle_lines(item)
    out = [_clone_header(item)]

    def one(inst: PrimitiveItem | GroupItem) -> list[str]:
        if isinstance(inst, PrimitiveItem):
            return ["  " + primitive_line(inst)]
        return ["  " + line for line in _group_lines(inst, inactive)]

    if item.unique:
        for inst in item.instances:
            out.extend(one(inst))
        return out
    lists: dict[str, list[str]] = {}
    active: set[str] = set()
    for inst in item.instances:
        states = (
            [inst.state] if isinstance(inst, PrimitiveItem) else [m.state for m in inst.members]
        )
        for st in states:
            active.update(st.nodes)
        fit = _collapsible(inst)
        if fit is None:
            out.extend(one(inst))
        elif fit[0] != "Stopped":
            lists.setdefault(fit[0], []).append(fit[1])
    for role in ("Promoted", "Started", "Unpromoted"):
        if role in lists:
            out.append(f"  * {role}: [ {' '.join(sorted_nodes(set(lists[role])))} ]")
    stopped = [n for n in all_nodes if n not in active] if inactive else []
    if stopped:
        label = "Stopped (disabled)" if item.disabled else "Stopped"
        out.append(f"  * {label}: [ {' '.join(stopped)} ]")
    return out


def resource_lines(items: list[Item], all_nodes: list[str], inactive: bool = True) -> list[str]:
    """The resource list; without `inactive` only what is at least partially active, as
    crm_mon's "Active Resources" (crm_simulate always lists everything)."""
    out: list[str] = []
    for item in items:
        if not inactive and not any(s.active for s in iter_states([item])):
            continue
        if isinstance(item, PrimitiveItem):
            out.append(primitive_line(item))
        elif isinstance(item, GroupItem):
            out.extend(_group_lines(item, inactive))
        else:
            out.extend(_clone_lines(item, all_nodes, inactive))
    return out


def status_block(
    title: str, nodes: tuple[NodeInfo, ...], items: list[Item], revised: bool
) -> list[str]:
    all_nodes = sorted_nodes([n.name for n in nodes])
    out = [title, "  * Node List:"]
    out += ["    " + line for line in node_lines(nodes, items, revised)]
    out += ["", "  * Full List of Resources:"]
    rlines = resource_lines(items, all_nodes)
    out += ["    " + line for line in rlines] if rlines else ["    * No resources"]
    return out


# --------------------------------------------------------------------------- summary
def _details(line: SummaryLine, cur: ResourceState | None, tgt: ResourceState | None) -> str:
    role = cur.role if cur is not None and cur.active else "Stopped"
    next_role = tgt.role if tgt is not None and tgt.active else "Stopped"
    if line.from_role:
        role = line.from_role
    if line.to_role:
        next_role = line.to_role
    origin, dest = line.from_node, line.to_node
    need_role = _ROLE_ORDER.get(role, 0) > 1 or _ROLE_ORDER.get(next_role, 0) > 2
    same_host = origin is not None and origin == dest
    same_role = role == next_role
    if need_role and origin is None:
        return f"{role} -> {next_role} {dest}"
    if origin is None:
        return f"{dest}"
    if need_role and dest is None:
        return f"{role} {origin}"
    if dest is None:
        return origin
    if need_role and same_role and same_host:
        return f"{role} {origin}"
    if same_role and same_host:
        return origin
    if need_role and same_role:
        return f"{origin} -> {dest} {role}"
    if same_role:
        return f"{origin} -> {dest}"
    if same_host:
        return f"{role} -> {next_role} {origin}"
    return f"{role} {origin} -> {next_role} {dest}"


def summary_lines(transition: Transition, order: dict[str, int] | None = None) -> list[str]:
    """ "Transition Summary" items with crm_simulate's column widths.

    `order` (instance id -> position) sorts them like crm_simulate's resource list.
    """
    cur = {s.id: s for s in transition.current}
    tgt = {s.id: s for s in transition.target}
    rows: list[tuple[SummaryLine, str]] = []
    rsc_width, detail_width = 5, 5
    lines = list(transition.summary)
    if order is not None:
        last = len(order)
        lines.sort(key=lambda line: order.get(line.rsc, last))
    fences = [line for line in lines if line.verb == "Fence"]
    lines = [line for line in lines if line.verb != "Fence"]
    for line in lines:
        if line.verb == "Leave":
            continue
        details = _details(line, cur.get(line.rsc), tgt.get(line.rsc))
        if len(line.rsc) > rsc_width:
            rsc_width = len(line.rsc) + 2
        detail_width = max(detail_width, len(details))
        rows.append((line, details))
    out = [
        f"* Fence ({line.fence_action or 'reboot'}) {line.rsc}"
        + (f" (resource: {line.container})" if line.container else "")
        + f" '{line.reason}'"
        for line in fences
    ]
    for line, details in rows:
        if line.reason and line.blocked:
            reason = f"  due to {line.reason} (blocked)"
        elif line.reason:
            reason = f"  due to {line.reason}"
        elif line.blocked:
            reason = "  blocked"
        else:
            reason = ""
        out.append(
            f"* {line.verb:<8}   {line.rsc:<{rsc_width}}   ( {details:>{detail_width}} ){reason}"
        )
    return out


def action_line(action: Action) -> str:
    if action.task == "stonith":
        return f"* Fencing {action.node} ({action.meta.get('stonith_action', 'reboot')})"
    if action.pseudo or action.node is None:
        return f"* Pseudo action:   {action.id.partition('@')[0]}"
    task = action.task
    if action.interval_ms:
        task = f"{task}={action.interval_ms}"
    return f"* Resource action: {action.rsc:<15} {task} on {action.node}"


def banner(items: list[Item]) -> str | None:
    """ "N of M resource instances DISABLED and K BLOCKED ..." when there are any."""
    states = [s for s in iter_states(items) if not s.orphaned]
    disabled = sum(1 for s in states if s.disabled)
    blocked = sum(1 for s in states if s.blocked)
    if not disabled and not blocked:
        return None
    return (
        f"{disabled} of {len(states)} resource instances DISABLED and {blocked} BLOCKED "
        "from further action due to failure"
    )


def score_lines(transition: Transition) -> list[str]:
    out = ["* " + detail.explain() for detail in transition.scores]
    for inst, score in transition.promotion_scores.items():
        out.append(f"* {inst} promotion score: {_score(score)}")
    return out


def _score(value: int) -> str:
    if value >= 1_000_000:
        return "INFINITY"
    if value <= -1_000_000:
        return "-INFINITY"
    return str(value)


def render(sim: Simulation, simulate: bool, show_scores: bool) -> str:
    """The whole text report, shaped like ``crm_simulate -x CIB [-S] [-s]``."""
    out: list[str] = []
    first = banner(sim.current)
    if first:
        out += [first, ""]
    out += status_block("Current cluster status:", sim.current_nodes, sim.current, False)
    if sim.modifications:
        out += ["", "Performing Requested Modifications:"]
        out += [f"  * {line}" for line in sim.modifications]
    if show_scores:
        out += ["", "Allocation scores:"]
        out += ["  " + line for line in score_lines(sim.transition)]
    if simulate or show_scores:
        out += ["", "Transition Summary:"]
        order = display_order(sim.cib, sim.transition.current)
        out += ["  " + line for line in summary_lines(sim.transition, order)]
    if simulate:
        out += ["", "Executing Cluster Transition:"]
        out += ["  " + action_line(a) for a in sim.transition.actions]
        out += [
            f"  * Cluster action:  do_shutdown on {n.name}"
            for n in sim.transition.nodes
            if n.shutdown and n.state != "OFFLINE" and not n.shutdown_blocked
        ]
        out += [""]
        out += status_block("Revised Cluster Status:", sim.transition.nodes, sim.revised, True)
    return "\n".join(out) + "\n"
