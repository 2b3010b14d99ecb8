"""``--output-as=xml``: crm_simulate's ``<pacemaker-result>`` document.

Element and attribute names follow ``crm_simulate -S --output-as=xml`` of
Pacemaker 2.1.5 (api-version 2.25), so one reader handles both tools'
output: ``<cluster_status>`` (before the injections), ``<modifications>``,
``<actions>`` (the Transition Summary), ``<transition>`` (the actions that
would run), ``<revised_cluster_status>`` and ``<status code message>``.
"""

from __future__ import annotations

from lxml import etree

from pycrm.scheduler.types import NodeInfo, SummaryLine, Transition
from pycrm.simulate.run import Simulation
from pycrm.simulate.view import (
    CloneItem,
    GroupItem,
    Item,
    PrimitiveItem,
    display_order,
    iter_states,
    node_flags,
    node_sort_key,
    running_count,
)

API_VERSION = "2.25"


def _b(value: bool) -> str:
    return "true" if value else "false"


def _nodes(
    parent: etree._Element,
    nodes: tuple[NodeInfo, ...],
    items: list[Item],
    revised: bool,
    dc_uuid: str | None,
) -> None:
    el = etree.SubElement(parent, "nodes")
    running = running_count(iter_states(items))
    for node in sorted(nodes, key=lambda n: node_sort_key(n.name)):
        flags = node_flags(node, revised)
        etree.SubElement(
            el,
            "node",
            {
                "name": node.name,
                "id": node.id or node.name,
                "online": _b(flags["online"]),
                "standby": _b(flags["standby"]),
                "standby_onfail": "false",
                "maintenance": _b(flags["maintenance"]),
                "pending": _b(flags["pending"]),
                "unclean": _b(flags["unclean"]),
                "health": (node.health or "green").lower(),
                "shutdown": _b(node.shutdown),
                "expected_up": _b(flags["online"] and not node.shutdown),
                "is_dc": _b(dc_uuid is not None and node.id == dc_uuid),
                "resources_running": str(running.get(node.name, 0)),
                "type": "member" if node.kind == "cluster" else "remote",
            },
        )


def _primitive(parent: etree._Element, item: PrimitiveItem, ids: dict[str, str]) -> None:
    st = item.state
    attrs = {
        "id": item.display_id,
        "resource_agent": st.agent,
        "role": st.role if st.active else "Stopped",
    }
    if item.target_role is not None:
        attrs["target_role"] = item.target_role
    attrs.update(
        {
            "active": _b(st.active),
            "orphaned": _b(st.orphaned),
            "blocked": _b(st.blocked),
            "managed": _b(not st.unmanaged),
            "failed": _b(st.failed),
            "failure_ignored": _b(st.failure_ignored),
            "nodes_running_on": str(len(st.nodes) if st.active else 0),
        }
    )
    el = etree.SubElement(parent, "resource", attrs)
    if st.active:
        for node in st.nodes:
            etree.SubElement(el, "node", name=node, id=ids.get(node, node), cached="true")


def _group(parent: etree._Element, item: GroupItem, ids: dict[str, str]) -> None:
    el = etree.SubElement(
        parent,
        "group",
        id=item.id,
        number_resources=str(len(item.members)),
        managed=_b(item.managed),
        disabled=_b(item.disabled),
    )
    for member in item.members:
        _primitive(el, member, ids)


def _clone(parent: etree._Element, item: CloneItem, ids: dict[str, str]) -> None:
    states = iter_states([item])
    attrs = {
        "id": item.id,
        "multi_state": _b(item.promotable),
        "unique": _b(item.unique),
        "managed": _b(item.managed),
        "disabled": _b(item.disabled),
        "failed": _b(any(s.failed for s in states)),
        "failure_ignored": _b(any(s.failure_ignored for s in states)),
    }
    if item.target_role is not None:  # last, as Pacemaker 2.1.5 writes it
        attrs["target_role"] = item.target_role
    el = etree.SubElement(parent, "clone", attrs)
    for inst in item.instances:
        if isinstance(inst, PrimitiveItem):
            _primitive(el, inst, ids)
        else:
            _group(el, inst, ids)


def add_resources(parent: etree._Element, items: list[Item], ids: dict[str, str]) -> None:
    """``<resources>`` as crm_simulate and crm_mon write it (`ids`: node name -> id)."""
    el = etree.SubElement(parent, "resources")
    for item in items:
        if isinstance(item, PrimitiveItem):
            _primitive(el, item, ids)
        elif isinstance(item, GroupItem):
            _group(el, item, ids)
        else:
            _clone(el, item, ids)


def _status(
    root: etree._Element,
    tag: str,
    nodes: tuple[NodeInfo, ...],
    items: list[Item],
    revised: bool,
    dc_uuid: str | None,
) -> None:
    el = etree.SubElement(root, tag)
    _nodes(el, nodes, items, revised, dc_uuid)
    ids = {n.name: n.id or n.name for n in nodes}
    add_resources(el, items, ids)


def _summary_action(parent: etree._Element, line: SummaryLine) -> None:
    if line.verb == "Fence":
        etree.SubElement(
            parent,
            "node_action",
            task=f"Fence ({line.fence_action or 'reboot'})",
            node=line.rsc,
            reason=line.reason,
        )
        return
    attrs = {"action": line.verb.lower(), "resource": line.rsc}
    if line.verb in ("Promote", "Demote"):
        attrs["role"] = line.from_role or ""
        attrs["next-role"] = line.to_role or ""
        where = line.from_node or line.to_node or ""
        # crm_simulate: "dest" when the instance starts too, "source" when it changes in place
        attrs["dest" if line.from_role in (None, "Stopped") else "source"] = where
    elif line.from_node and line.to_node and line.from_node != line.to_node:
        attrs["source"] = line.from_node
        attrs["dest"] = line.to_node
    elif line.verb == "Restart":
        attrs["source"] = line.from_node or line.to_node or ""
    else:
        attrs["node"] = line.from_node or line.to_node or ""
    if line.reason:
        attrs["reason"] = line.reason
    if line.blocked:
        attrs["blocked"] = "true"
    etree.SubElement(parent, "rsc_action", attrs)


def _transition(parent: etree._Element, transition: Transition) -> None:
    el = etree.SubElement(parent, "transition")
    for action in transition.actions:
        if action.task == "stonith" and action.node is not None:
            op = action.meta.get("stonith_action", "reboot")
            etree.SubElement(el, "fencing_action", target=action.node, op=op)
            continue
        if action.pseudo or action.node is None:
            etree.SubElement(el, "pseudo_action", task=action.id.partition("@")[0])
            continue
        attrs = {"resource": action.rsc, "op": action.task, "node": action.node}
        if action.interval_ms:
            attrs["interval"] = str(action.interval_ms)
        etree.SubElement(el, "rsc_action", attrs)
    for node in transition.nodes:
        if node.shutdown and node.state != "OFFLINE" and not node.shutdown_blocked:
            etree.SubElement(el, "cluster_action", task="do_shutdown", node=node.name)


def render(sim: Simulation, request: str) -> str:
    root = etree.Element("pacemaker-result", {"api-version": API_VERSION, "request": request})
    dc_uuid = sim.cib.attrs.get("dc-uuid")
    _status(root, "cluster_status", sim.current_nodes, sim.current, False, dc_uuid)
    if sim.modifications:
        mods = etree.SubElement(root, "modifications")
        for uname in sim.injections.node_up:
            etree.SubElement(mods, "modify_node", action="Online", node=uname)
        for uname in sim.injections.node_fail:
            etree.SubElement(mods, "modify_node", action="Failing", node=uname)
        for spec in sim.injections.ops:
            etree.SubElement(mods, "inject_spec", spec=str(spec))
    actions = etree.SubElement(root, "actions")
    order = display_order(sim.cib, sim.transition.current)
    last = len(order)
    lines = sorted(
        sim.transition.summary,
        key=lambda line: -1 if line.verb == "Fence" else order.get(line.rsc, last),
    )
    for line in lines:
        if line.verb != "Leave":
            _summary_action(actions, line)
    _transition(root, sim.transition)
    _status(root, "revised_cluster_status", sim.transition.nodes, sim.revised, True, dc_uuid)
    etree.SubElement(root, "status", code="0", message="OK")
    return etree.tostring(root, pretty_print=True, encoding="unicode")
