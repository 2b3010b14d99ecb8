"""A compact description of a test cluster, and its CIB XML.

Generators (the synthetic benchmark CIBs, the random CIBs of the differential
tests) build a `ClusterSpec`; `to_xml()` writes a complete CIB that
``crm_verify`` accepts: configuration plus a status section whose resource
history says where things currently run, in the shape Pacemaker writes it
(``lrm_rsc_op`` records with ``transition-key``/``transition-magic``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

FAKE_UUID = "6f1b2c3d-0000-4000-8000-00000000c1b0"
FEATURE_SET = "3.16.1"
# The op-digest values Pacemaker 2.1.5 records for an agent without instance attributes:
# one for non-recurring operations, one for recurring ones with timeout="20s" (the interval
# is not part of it).  Without them every running resource would be restarted for a
# "resource definition change".
DIGEST_ONESHOT = "f2317cad3d54cec5d7d7aa7d0bf35cf8"
DIGEST_RECURRING_20S = "4811cef7f7f94e3a35a70be7916cb2fd"


@dataclass
class NodeSpec:
    name: str
    online: bool = True
    standby: bool = False
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class PrimSpec:
    id: str
    agent: tuple[str, str, str] = ("ocf", "pacemaker", "Dummy")
    meta: dict[str, str] = field(default_factory=dict)
    monitor_ms: int | None = 10000


@dataclass
class GroupSpec:
    id: str
    members: list[PrimSpec]
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class CloneSpec:
    id: str
    child: PrimSpec | GroupSpec
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def promotable(self) -> bool:
        return self.meta.get("promotable") == "true"


Resource = PrimSpec | GroupSpec | CloneSpec


@dataclass
class LocationSpec:
    id: str
    rsc: str
    node: str
    score: str
    role: str | None = None


@dataclass
class ColocationSpec:
    id: str
    rsc: str
    with_rsc: str
    score: str
    rsc_role: str | None = None
    with_rsc_role: str | None = None


@dataclass
class OrderSpec:
    id: str
    first: str
    then: str
    kind: str = "Mandatory"
    first_action: str | None = None
    then_action: str | None = None


Constraint = LocationSpec | ColocationSpec | OrderSpec


@dataclass
class HistorySpec:
    """What a primitive (or anonymous clone instance) did on one node.

    state: ``Started``, ``Promoted``, ``Unpromoted`` (running, in that role),
    ``Failed`` (started, then a recurring monitor returned 7),
    ``StartFailed`` (the start returned 1), ``Stopped`` (started then stopped).
    """

    rsc: str
    node: str
    state: str


@dataclass
class ClusterSpec:
    nodes: list[NodeSpec]
    resources: list[Resource]
    constraints: list[Constraint] = field(default_factory=list)
    history: list[HistorySpec] = field(default_factory=list)
    failcounts: dict[tuple[str, str], int] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    rsc_defaults: dict[str, str] = field(default_factory=dict)
    have_quorum: bool = True

    def primitives(self) -> dict[str, PrimSpec]:
        out: dict[str, PrimSpec] = {}
        for rsc in self.resources:
            for prim in _prims(rsc):
                out[prim.id] = prim
        return out


def _prims(rsc: Resource) -> list[PrimSpec]:
    if isinstance(rsc, PrimSpec):
        return [rsc]
    if isinstance(rsc, GroupSpec):
        return list(rsc.members)
    return _prims(rsc.child)


def _nvset(parent: etree._Element, tag: str, set_id: str, values: dict[str, str]) -> None:
    if not values:
        return
    nvset = etree.SubElement(parent, tag, id=set_id)
    for name, value in values.items():
        etree.SubElement(nvset, "nvpair", id=f"{set_id}-{name}", name=name, value=value)


def _primitive(parent: etree._Element, prim: PrimSpec, promotable: bool) -> None:
    cls, provider, kind = prim.agent
    el = etree.SubElement(parent, "primitive", id=prim.id)
    el.set("class", cls)
    if provider:
        el.set("provider", provider)
    el.set("type", kind)
    _nvset(el, "meta_attributes", f"{prim.id}-meta", prim.meta)
    if prim.monitor_ms is not None:
        ops = etree.SubElement(el, "operations")
        interval = f"{prim.monitor_ms // 1000}s"
        etree.SubElement(
            ops,
            "op",
            id=f"{prim.id}-monitor-{interval}",
            name="monitor",
            interval=interval,
            timeout="20s",
        )
        if promotable:
            other = f"{prim.monitor_ms // 1000 + 1}s"
            etree.SubElement(
                ops,
                "op",
                id=f"{prim.id}-monitor-{other}",
                name="monitor",
                interval=other,
                timeout="20s",
                role="Promoted",
            )


def _resource(parent: etree._Element, rsc: Resource, promotable: bool = False) -> None:
    if isinstance(rsc, PrimSpec):
        _primitive(parent, rsc, promotable)
    elif isinstance(rsc, GroupSpec):
        el = etree.SubElement(parent, "group", id=rsc.id)
        _nvset(el, "meta_attributes", f"{rsc.id}-meta", rsc.meta)
        for member in rsc.members:
            _primitive(el, member, promotable)
    else:
        el = etree.SubElement(parent, "clone", id=rsc.id)
        _nvset(el, "meta_attributes", f"{rsc.id}-meta", rsc.meta)
        _resource(el, rsc.child, rsc.promotable)


def _constraint(parent: etree._Element, con: Constraint) -> None:
    if isinstance(con, LocationSpec):
        el = etree.SubElement(
            parent, "rsc_location", id=con.id, rsc=con.rsc, node=con.node, score=con.score
        )
        if con.role:
            el.set("role", con.role)
    elif isinstance(con, ColocationSpec):
        el = etree.SubElement(
            parent,
            "rsc_colocation",
            id=con.id,
            rsc=con.rsc,
            score=con.score,
        )
        el.set("with-rsc", con.with_rsc)
        if con.rsc_role:
            el.set("rsc-role", con.rsc_role)
        if con.with_rsc_role:
            el.set("with-rsc-role", con.with_rsc_role)
    else:
        el = etree.SubElement(
            parent, "rsc_order", id=con.id, first=con.first, then=con.then, kind=con.kind
        )
        if con.first_action:
            el.set("first-action", con.first_action)
        if con.then_action:
            el.set("then-action", con.then_action)


class _Calls:
    def __init__(self) -> None:
        self.next = 10

    def take(self) -> int:
        self.next += 1
        return self.next


def _op(
    entry: etree._Element,
    op_id: str,
    key: str,
    task: str,
    interval_ms: int,
    rc: int,
    call: int,
    node: str,
    target_rc: int = 0,
) -> None:
    tkey = f"{call}:1:{target_rc}:{FAKE_UUID}"
    etree.SubElement(
        entry,
        "lrm_rsc_op",
        {
            "id": op_id,
            "operation_key": key,
            "operation": task,
            "crm-debug-origin": "pycrm-synth",
            "crm_feature_set": FEATURE_SET,
            "transition-key": tkey,
            "transition-magic": f"0:{rc};{tkey}",
            "exit-reason": "",
            "on_node": node,
            "call-id": str(call),
            "rc-code": str(rc),
            "op-status": "0",
            "interval": str(interval_ms),
            "last-rc-change": "1700000000",
            "exec-time": "10",
            "queue-time": "0",
            "op-digest": DIGEST_RECURRING_20S if interval_ms else DIGEST_ONESHOT,
        },
    )


def _history(
    lrm_resources: etree._Element,
    hist: HistorySpec,
    prim: PrimSpec,
    calls: _Calls,
) -> None:
    cls, provider, kind = prim.agent
    entry = etree.SubElement(lrm_resources, "lrm_resource", id=hist.rsc, type=kind)
    entry.set("class", cls)
    if provider:
        entry.set("provider", provider)
    rid, node = hist.rsc, hist.node
    monitor = prim.monitor_ms
    if hist.state == "StartFailed":
        call = calls.take()
        _op(entry, f"{rid}_last_0", f"{rid}_start_0", "start", 0, 1, call, node)
        _op(entry, f"{rid}_last_failure_0", f"{rid}_start_0", "start", 0, 1, call, node)
        return
    if hist.state == "Stopped":
        calls.take()
        _op(entry, f"{rid}_last_0", f"{rid}_stop_0", "stop", 0, 0, calls.take(), node)
        return
    if hist.state == "Promoted":
        calls.take()
        _op(entry, f"{rid}_last_0", f"{rid}_promote_0", "promote", 0, 0, calls.take(), node)
        if monitor is not None:
            pm = monitor + 1000
            _op(
                entry,
                f"{rid}_monitor_{pm}",
                f"{rid}_monitor_{pm}",
                "monitor",
                pm,
                8,
                calls.take(),
                node,
                target_rc=8,
            )
        return
    _op(entry, f"{rid}_last_0", f"{rid}_start_0", "start", 0, 0, calls.take(), node)
    if monitor is not None:
        key = f"{rid}_monitor_{monitor}"
        _op(entry, key, key, "monitor", monitor, 0, calls.take(), node)
        if hist.state == "Failed":
            _op(entry, f"{rid}_last_failure_0", key, "monitor", monitor, 7, calls.take(), node)


def to_element(spec: ClusterSpec) -> etree._Element:
    """The CIB of `spec` as an lxml element."""
    root = etree.Element(
        "cib",
        {
            "admin_epoch": "0",
            "epoch": "1",
            "num_updates": "0",
            "validate-with": "pacemaker-3.9",
            "crm_feature_set": FEATURE_SET,
            "have-quorum": "1" if spec.have_quorum else "0",
        },
    )
    config = etree.SubElement(root, "configuration")
    crm_config = etree.SubElement(config, "crm_config")
    props = {"stonith-enabled": "false", **spec.properties}
    _nvset(crm_config, "cluster_property_set", "cib-bootstrap-options", props)
    ids = {n.name: str(i + 1) for i, n in enumerate(spec.nodes)}
    nodes = etree.SubElement(config, "nodes")
    for node in spec.nodes:
        el = etree.SubElement(nodes, "node", id=ids[node.name], uname=node.name)
        attrs = dict(node.attrs)
        if node.standby:
            attrs["standby"] = "on"
        _nvset(el, "instance_attributes", f"nodes-{ids[node.name]}", attrs)
    resources = etree.SubElement(config, "resources")
    for rsc in spec.resources:
        _resource(resources, rsc)
    constraints = etree.SubElement(config, "constraints")
    for con in spec.constraints:
        _constraint(constraints, con)
    if spec.rsc_defaults:
        rd = etree.SubElement(config, "rsc_defaults")
        _nvset(rd, "meta_attributes", "rsc-options", spec.rsc_defaults)

    status = etree.SubElement(root, "status")
    prims = spec.primitives()
    calls = _Calls()
    for node in spec.nodes:
        if not node.online:
            continue
        nid = ids[node.name]
        state = etree.SubElement(
            status,
            "node_state",
            id=nid,
            uname=node.name,
            in_ccm="true",
            crmd="online",
            join="member",
            expected="member",
        )
        counts = {r: c for (r, n), c in spec.failcounts.items() if n == node.name and c > 0}
        if counts:
            ta = etree.SubElement(state, "transient_attributes", id=nid)
            ia = etree.SubElement(ta, "instance_attributes", id=f"status-{nid}")
            for rid, count in sorted(counts.items()):
                prim = prims.get(rid)
                interval = prim.monitor_ms if prim and prim.monitor_ms else 10000
                name = f"{rid}#monitor_{interval}"
                safe = name.replace("#", ".")
                etree.SubElement(
                    ia,
                    "nvpair",
                    id=f"status-{nid}-fail-count-{safe}",
                    name=f"fail-count-{name}",
                    value=str(count),
                )
                etree.SubElement(
                    ia,
                    "nvpair",
                    id=f"status-{nid}-last-failure-{safe}",
                    name=f"last-failure-{name}",
                    value="1700000000",
                )
        lrm = etree.SubElement(state, "lrm", id=nid)
        lrm_resources = etree.SubElement(lrm, "lrm_resources")
        for hist in spec.history:
            if hist.node == node.name and hist.rsc in prims:
                _history(lrm_resources, hist, prims[hist.rsc], calls)
    return root


def to_xml(spec: ClusterSpec) -> str:
    """The CIB of `spec` as XML text."""
    return etree.tostring(to_element(spec), pretty_print=True, encoding="unicode")
