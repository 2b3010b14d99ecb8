"""`pycrm status --output-as=xml`: crm_mon's ``<pacemaker-result>`` document.

Elements and attributes follow ``crm_mon -1 --output-as=xml`` of Pacemaker 2.1.5 (api-version
2.25) -- summary, nodes, resources, node_attributes, node_history, failures, fence_history,
bans, status -- and the document validates against the installed ``api-result-2.25.rng``, so
tools that read crm_mon's XML (ha_cluster_exporter, hawk, scripts) read ours. Sections with
nothing to say are left out, as crm_mon leaves them out. What crm_mon's schema has no place
for (the cluster name, the answering node, the daemon's membership view) is in the JSON output
only.
"""

from __future__ import annotations

from lxml import etree

from pycrm.simulate.xmlout import API_VERSION, add_resources
from pycrm.status import fencing
from pycrm.status.collect import ClusterStatus, Failure, NodeRow, OpRow, format_time
from pycrm.status.words import exec_text, iso_time, rc_text


def _b(value: bool) -> str:
    return "true" if value else "false"


def _summary(root: etree._Element, st: ClusterStatus) -> None:
    snap = st.snapshot
    el = etree.SubElement(root, "summary")
    etree.SubElement(el, "stack", type=snap.stack)
    if snap.dc is None:
        etree.SubElement(el, "current_dc", present="false")
    else:
        etree.SubElement(
            el,
            "current_dc",
            {
                "present": "true",
                "version": snap.dc_version or "",
                "name": snap.dc,
                "id": st.dc_id or snap.dc,
                "with_quorum": _b(snap.have_quorum),
                "mixed_version": _b(st.mixed_version),
            },
        )
    etree.SubElement(el, "last_update", time=format_time(snap.last_updated))
    change = st.last_change
    etree.SubElement(
        el,
        "last_change",
        time=change.time,
        user=change.user or "",
        client=change.client or "",
        origin=change.origin or "",
    )
    etree.SubElement(el, "nodes_configured", number=str(len(st.nodes)))
    etree.SubElement(
        el,
        "resources_configured",
        number=str(st.instances),
        disabled=str(st.disabled),
        blocked=str(st.blocked),
    )
    opts = st.options
    etree.SubElement(
        el,
        "cluster_options",
        {
            "stonith-enabled": _b(opts.stonith_enabled),
            "symmetric-cluster": _b(opts.symmetric_cluster),
            "no-quorum-policy": opts.no_quorum_policy,
            "maintenance-mode": _b(opts.maintenance_mode),
            "stop-all-resources": _b(opts.stop_all_resources),
            "stonith-timeout-ms": str(opts.stonith_timeout_ms),
            "priority-fencing-delay-ms": str(opts.priority_fencing_delay_ms),
        },
    )


def _node(parent: etree._Element, node: NodeRow) -> None:
    attrs = {
        "name": node.name,
        "id": node.id,
        "online": _b(node.online),
        "standby": _b(node.standby),
        "standby_onfail": _b(node.standby_onfail),
        "maintenance": _b(node.maintenance),
        "pending": _b(node.pending),
        "unclean": _b(node.unclean),
        "health": node.health,
    }
    if node.feature_set is not None:
        attrs["feature_set"] = node.feature_set
    attrs.update(
        shutdown=_b(node.shutdown),
        expected_up=_b(node.expected_up),
        is_dc=_b(node.is_dc),
        resources_running=str(node.resources_running),
        type="member",
    )
    etree.SubElement(parent, "node", attrs)


def _operation(parent: etree._Element, op: OpRow) -> None:
    attrs = {"call": str(op.call), "task": op.task, "rc": str(op.rc), "rc_text": rc_text(op.rc)}
    if op.interval_ms:
        attrs["interval"] = f"{op.interval_ms}ms"
    if op.last_rc_change:
        attrs["last-rc-change"] = format_time(op.last_rc_change)
    if op.exec_time is not None:
        attrs["exec-time"] = f"{op.exec_time}ms"
    if op.queue_time is not None:
        attrs["queue-time"] = f"{op.queue_time}ms"
    etree.SubElement(parent, "operation_history", attrs)


def _history(root: etree._Element, st: ClusterStatus) -> None:
    if not st.history:
        return
    el = etree.SubElement(root, "node_history")
    for hist in st.history:
        if not hist.resources:
            continue
        node_el = etree.SubElement(el, "node", name=hist.node)
        for rsc in hist.resources:
            attrs = {
                "id": rsc.id,
                "orphan": "false",
                "migration-threshold": str(rsc.migration_threshold),
            }
            if rsc.fail_count > 0:
                attrs["fail-count"] = str(rsc.fail_count)
            if rsc.last_failure is not None:
                attrs["last-failure"] = format_time(rsc.last_failure)
            rsc_el = etree.SubElement(node_el, "resource_history", attrs)
            for op in rsc.ops:
                _operation(rsc_el, op)


def _failure(parent: etree._Element, f: Failure) -> None:
    attrs = {
        "id" if f.key_is_id else "op_key": f.op_key,
        "node": f.node,
        "exitstatus": rc_text(f.rc),
        "exitreason": f.exit_reason,
        "exitcode": str(max(0, f.rc)),
        "call": str(f.call),
        "status": exec_text(f.exec_status),
    }
    if f.last_rc_change:
        attrs.update(
            {
                "last-rc-change": iso_time(f.last_rc_change),
                "queued": str(max(0, f.queue_time or 0)),
                "exec": str(max(0, f.exec_time or 0)),
                "interval": str(f.interval_ms),
                "task": f.task,
            }
        )
    etree.SubElement(parent, "failure", attrs)


def render(st: ClusterStatus, request: str, fence_history: int = fencing.DEFAULT_LEVEL) -> str:
    root = etree.Element("pacemaker-result", {"api-version": API_VERSION, "request": request})
    _summary(root, st)
    nodes = etree.SubElement(root, "nodes")
    for node in st.nodes:
        _node(nodes, node)
    if st.resources:
        add_resources(root, st.resources, {n.name: n.id for n in st.nodes})
    if st.attributes:
        attrs_el = etree.SubElement(root, "node_attributes")
        for entry in st.attributes:
            node_el = etree.SubElement(attrs_el, "node", name=entry.node)
            for attr in entry.attributes:
                attr_el = etree.SubElement(node_el, "attribute", name=attr.name, value=attr.value)
                if attr.expected is not None:
                    attr_el.set("expected", str(attr.expected))
    _history(root, st)
    if st.failures:
        failures = etree.SubElement(root, "failures")
        for f in st.failures:
            _failure(failures, f)
    fencing.add_xml(root, st.snapshot.fence_history, fence_history)
    if st.bans:
        bans = etree.SubElement(root, "bans")
        for ban in st.bans:
            only = _b(ban.promoted_only)
            etree.SubElement(
                bans,
                "ban",
                {
                    "id": ban.id,
                    "resource": ban.resource,
                    "node": ban.node,
                    "weight": str(ban.weight),
                    "promoted-only": only,
                    "master_only": only,
                },
            )
    etree.SubElement(root, "status", code="0", message="OK")
    return etree.tostring(root, pretty_print=True, encoding="unicode")
