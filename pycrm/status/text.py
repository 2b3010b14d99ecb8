"""`pycrm status` text: shaped like ``crm_mon -1`` of Pacemaker 2.1.5.

Sections, in crm_mon's order and words: Cluster Summary, the maintenance banner, Node List,
Active Resources (``inactive=True``: Full List of Resources, as ``crm_mon -r``), Migration
Summary (shown whenever a node has a fail count -- crm_mon shows it with ``-f`` only; the
fail counts are what an operator looks for first, as ``pcs status`` shows them), Failed
Resource Actions, Failed Fencing Actions and Pending Fencing Actions / Fencing History
(pycrm.status.fencing). The resource list is the one crm_simulate shows (pycrm.simulate.text).

Two additions to crm_mon's text, both absent when unknown: a first line ``Cluster name:
NAME`` (as ``pcs status`` prints it) and ``on NODE`` after "Last updated" naming the node
that answered (as later Pacemaker releases print it).
"""

from __future__ import annotations

from pycrm.simulate.text import resource_lines
from pycrm.simulate.view import sorted_nodes
from pycrm.status import fencing
from pycrm.status.collect import ClusterStatus, Failure, NodeRow, format_time
from pycrm.status.words import exec_text, rc_text, readable_interval


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------- sections
def summary_lines(st: ClusterStatus) -> list[str]:
    snap = st.snapshot
    out = ["Cluster Summary:", f"  * Stack: {snap.stack}"]
    if snap.dc is None:
        out.append("  * Current DC: NONE")
    else:
        mixed = "MIXED-VERSION " if st.mixed_version else ""
        quorum = "with" if snap.have_quorum else "WITHOUT"
        version = snap.dc_version or "unknown"
        dc = f"{snap.dc} (version {version}) - {mixed}partition {quorum} quorum"
        out.append(f"  * Current DC: {dc}")
    where = f" on {snap.local_node}" if snap.local_node else ""
    out.append(f"  * Last updated: {format_time(snap.last_updated)}{where}")
    change = st.last_change
    text = change.time
    if change.user is not None:
        text += f" by {change.user}"
    if change.client is not None:
        text += f" via {change.client}"
    if change.origin is not None:
        text += f" on {change.origin}"
    out.append(f"  * Last change:  {text}")
    out.append(f"  * {_plural(len(st.nodes), 'node')} configured")
    counts = f"  * {_plural(st.instances, 'resource instance')} configured"
    if st.disabled and st.blocked:
        counts += (
            f" ({st.disabled} DISABLED, {st.blocked} BLOCKED from further action due to failure)"
        )
    elif st.disabled:
        counts += f" ({st.disabled} DISABLED)"
    elif st.blocked:
        counts += f" ({st.blocked} BLOCKED from further action due to failure)"
    out.append(counts)
    return out


def maintenance_lines(st: ClusterStatus) -> list[str]:
    if st.options.maintenance_mode:
        return [
            "",
            "              *** Resource management is DISABLED ***",
            "  The cluster will not attempt to start, stop or recover services",
        ]
    if st.options.stop_all_resources:
        return [
            "",
            "    *** Resource management is DISABLED ***",
            "  The cluster will keep all resources stopped",
        ]
    return []


def node_lines(nodes: tuple[NodeRow, ...]) -> list[str]:
    out: list[str] = []
    online: list[str] = []
    offline: list[str] = []
    for node in nodes:
        if node.listed_alone:
            health = {"red": " (health is RED)", "yellow": " (health is YELLOW)"}
            out.append(f"  * Node {node.name}: {node.text_state}{health.get(node.health, '')}")
        elif node.online:
            online.append(node.name)
        else:
            offline.append(node.name)
    if online:
        out.append(f"  * Online: [ {' '.join(online)} ]")
    if offline:
        out.append(f"  * OFFLINE: [ {' '.join(offline)} ]")
    return ["Node List:", *out] if out else []


def resource_section(st: ClusterStatus, inactive: bool) -> list[str]:
    all_nodes = sorted_nodes([n.name for n in st.nodes])
    rows = resource_lines(st.resources, all_nodes, inactive)
    if inactive:
        return ["Full List of Resources:", *(["  " + r for r in rows] or ["  * No resources"])]
    return ["Active Resources:", *(["  " + r for r in rows] or ["  * No active resources"])]


def migration_lines(st: ClusterStatus) -> list[str]:
    out: list[str] = []
    for hist in st.fail_counts:
        out.append(f"  * Node: {hist.node}:")
        for rsc in hist.resources:
            line = f"    * {rsc.id}: migration-threshold={rsc.migration_threshold}"
            line += f" fail-count={rsc.fail_count}"
            if rsc.last_failure is not None:
                line += f" last-failure='{format_time(rsc.last_failure)}'"
            out.append(line)
    return ["Migration Summary:", *out] if out else []


def failure_line(f: Failure) -> str:
    """crm_mon's friendly failed action: what, where, result, when, how long."""
    text = f"{f.rsc if f.key_is_id else _op_rsc(f)} "
    if f.interval_ms:
        text += f"{readable_interval(f.interval_ms)}-interval "
    task = "probe" if f.task == "monitor" and not f.interval_ms else f.task
    text += f"{task} on {f.node}"
    if f.exec_status == 0:
        text += f" returned '{rc_text(f.rc)}'"
        if f.exit_reason:
            text += f" ({f.exit_reason})"
    else:
        text += f" could not be executed ({exec_text(f.exec_status)}"
        text += f": {f.exit_reason})" if f.exit_reason else ")"
    if f.last_rc_change is not None:
        text += f" at {format_time(f.last_rc_change)}"
    if f.exec_time:
        text += f" after {readable_interval(f.exec_time)}"
    return "  * " + text


def _op_rsc(f: Failure) -> str:
    """The resource part of an operation key ``<rsc>_<task>_<interval>``."""
    suffix = f"_{f.task}_{f.interval_ms}"
    return f.op_key[: -len(suffix)] if f.op_key.endswith(suffix) else f.rsc


def failure_lines(st: ClusterStatus) -> list[str]:
    if not st.failures:
        return []
    return ["Failed Resource Actions:", *(failure_line(f) for f in st.failures)]


def render(
    st: ClusterStatus, *, inactive: bool = False, fence_history: int = fencing.DEFAULT_LEVEL
) -> str:
    """The whole text report; `inactive` lists stopped resources too (``crm_mon -r``),
    `fence_history` is crm_mon's ``--fence-history`` level (pycrm.status.fencing)."""
    out: list[str] = []
    if st.snapshot.cluster_name:
        out.append(f"Cluster name: {st.snapshot.cluster_name}")
    out += summary_lines(st)
    out += maintenance_lines(st)
    events = st.snapshot.fence_history
    for section in (
        node_lines(st.nodes),
        resource_section(st, inactive),
        migration_lines(st),
        failure_lines(st),
        fencing.failed_lines(events, fence_history),
        fencing.history_lines(events, fence_history),
    ):
        if section:
            out += ["", *section]
    return "\n".join(out) + "\n"
