"""Seeded random CIBs (configuration + status) for differential tests against crm_simulate.

Covers primitives, groups, anonymous/unique/promotable clones, locations (incl. role
Promoted), colocations (incl. with-rsc-role), orderings, stickiness, target-role, is-managed,
priorities, on-fail, migration-threshold with fail counts (legacy and per-operation names),
standby/maintenance/offline nodes, quorum policies, opt-in clusters, stop-all-resources,
orphans, multiply-active resources and failed monitors.  Histories use consistent call-ids,
configured monitors and the parameter digest of a parameterless resource, so crm_simulate
does not add restarts for "resource definition changes".
"""

from __future__ import annotations

import random

DIGEST = "f2317cad3d54cec5d7d7aa7d0bf35cf8"
UUID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def _op(rid: str, task: str, call: int, rc: int = 0, interval: int = 0) -> str:
    key = f"{call}:1:0:{UUID}"
    return (
        f'<lrm_rsc_op id="{rid}_{task}_{interval}_{call}" operation_key="{rid}_{task}_{interval}" '
        f'operation="{task}" call-id="{call}" rc-code="{rc}" op-status="0" interval="{interval}" '
        f'transition-key="{key}" transition-magic="0:{rc};{key}" last-rc-change="1600000000" '
        f'exec-time="1" queue-time="0" op-digest="{DIGEST}"/>'
    )


def _meta(rid: str, meta: dict[str, str]) -> str:
    if not meta:
        return ""
    pairs = "".join(f'<nvpair id="{rid}-m-{k}" name="{k}" value="{v}"/>' for k, v in meta.items())
    return f'<meta_attributes id="{rid}-meta">{pairs}</meta_attributes>'


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.seed = seed
        self.counter = 0

    def nid(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def prim(self, pid: str, meta: dict[str, str] | None = None) -> str:
        on_fail = ""
        if self.r.random() < 0.15:
            choice = self.r.choice(["stop", "block", "ignore", "restart", "standby"])
            on_fail = f' on-fail="{choice}"'
        ops = (
            f'<operations><op id="{pid}-mon" name="monitor" interval="10s"{on_fail}/></operations>'
        )
        return (
            f'<primitive id="{pid}" class="ocf" provider="heartbeat" type="Dummy">'
            f"{_meta(pid, meta or {})}{ops}</primitive>"
        )


def random_cib(seed: int) -> str:
    """A random but valid CIB text for ``seed`` (deterministic)."""
    g = _Gen(seed)
    r = g.r
    nodes = [f"n{i}" for i in range(1, r.randint(2, 4) + 1)]
    props = {"stonith-enabled": "false"}
    props["no-quorum-policy"] = r.choice(["ignore", "ignore", "stop", "freeze"])
    quorum = r.choice(["1", "1", "1", "0"])
    if r.random() < 0.15:
        props["symmetric-cluster"] = "false"
    if r.random() < 0.05:
        props["stop-all-resources"] = "true"
    defaults: dict[str, str] = {}
    if r.random() < 0.6:
        defaults["resource-stickiness"] = str(r.choice([0, 1, 50, 100, 1000]))
    if r.random() < 0.3:
        defaults["migration-threshold"] = str(r.choice([1, 2, 3]))
    tops: list[tuple[str, list[str]]] = []
    prims: list[str] = []
    xml_res: list[str] = []
    clones: list[tuple[str, str, bool, bool, int]] = []
    for _ in range(r.randint(2, 6)):
        kind = r.random()
        meta: dict[str, str] = {}
        if r.random() < 0.1:
            meta["target-role"] = r.choice(["Stopped", "Started"])
        if r.random() < 0.08:
            meta["is-managed"] = "false"
        if r.random() < 0.2:
            meta["resource-stickiness"] = str(r.choice([0, 10, 100]))
        if r.random() < 0.1:
            meta["priority"] = str(r.randint(1, 5))
        if kind < 0.55:
            pid = g.nid("r")
            xml_res.append(g.prim(pid, meta))
            prims.append(pid)
            tops.append((pid, [pid]))
        elif kind < 0.8:
            gid = g.nid("g")
            members = [g.nid("m") for _ in range(r.randint(2, 3))]
            xml_res.append(
                f'<group id="{gid}">{_meta(gid, meta)}'
                + "".join(g.prim(m) for m in members)
                + "</group>"
            )
            prims += members
            tops.append((gid, members))
        else:
            cid = g.nid("c")
            child = g.nid("cr")
            promotable = r.random() < 0.5
            cmeta = dict(meta)
            cmeta.pop("target-role", None)
            if promotable:
                cmeta["promotable"] = "true"
            if r.random() < 0.5:
                cmeta["clone-max"] = str(r.randint(1, len(nodes) + 1))
            if r.random() < 0.3:
                cmeta["clone-node-max"] = str(r.randint(1, 2))
            if r.random() < 0.3:
                cmeta["globally-unique"] = "true"
            if promotable and r.random() < 0.4:
                cmeta["promoted-max"] = str(r.randint(1, 2))
            xml_res.append(f'<clone id="{cid}">{_meta(cid, cmeta)}{g.prim(child)}</clone>')
            tops.append((cid, [child]))
            unique = cmeta.get("globally-unique") == "true"
            clones.append((cid, child, promotable, unique, int(cmeta.get("clone-max", len(nodes)))))
    constraints = _constraints(r, tops, prims, clones, nodes)
    status = _status(r, nodes, prims, clones)
    feature_set = ' crm_feature_set="3.0.14"' if seed % 2 else ""
    props_xml = "".join(f'<nvpair id="o-{k}" name="{k}" value="{v}"/>' for k, v in props.items())
    defaults_xml = ""
    if defaults:
        defaults_xml = (
            '<rsc_defaults><meta_attributes id="rd">'
            + "".join(f'<nvpair id="rd-{k}" name="{k}" value="{v}"/>' for k, v in defaults.items())
            + "</meta_attributes></rsc_defaults>"
        )
    return (
        f'<cib admin_epoch="0" epoch="1" num_updates="1" have-quorum="{quorum}" '
        f'validate-with="pacemaker-3.7" dc-uuid="n1"{feature_set}><configuration><crm_config>'
        f'<cluster_property_set id="cib-bootstrap-options">{props_xml}</cluster_property_set>'
        "</crm_config><nodes>"
        + "".join(f'<node id="{n}" uname="{n}"/>' for n in nodes)
        + f"</nodes>{defaults_xml}<resources>{''.join(xml_res)}</resources>"
        f"<constraints>{''.join(constraints)}</constraints></configuration>"
        f"<status>{''.join(status)}</status></cib>"
    )


def _constraints(
    r: random.Random,
    tops: list[tuple[str, list[str]]],
    prims: list[str],
    clones: list[tuple[str, str, bool, bool, int]],
    nodes: list[str],
) -> list[str]:
    out: list[str] = []
    top_ids = [t for t, _ in tops]
    promotable_ids = {c[0] for c in clones if c[2]}

    def family(x: str) -> str:
        return next((t for t, members in tops if x == t or x in members), x)

    orders: set[tuple[str, str]] = set()
    for i in range(r.randint(0, 4)):
        kind = r.random()
        a = r.choice(top_ids + prims)
        if kind < 0.4:
            score = r.choice(["INFINITY", "-INFINITY", "100", "-100", "10", "50"])
            role = ' role="Promoted"' if a in promotable_ids and r.random() < 0.5 else ""
            out.append(
                f'<rsc_location id="loc{i}" rsc="{a}" node="{r.choice(nodes)}" '
                f'score="{score}"{role}/>'
            )
        elif kind < 0.75:
            b = r.choice(top_ids)
            if family(a) == family(b):
                continue
            score = r.choice(["INFINITY", "-INFINITY", "100", "-100"])
            extra = ""
            if b in promotable_ids and r.random() < 0.6:
                extra = ' with-rsc-role="Promoted"'
            out.append(
                f'<rsc_colocation id="col{i}" rsc="{a}" with-rsc="{b}" score="{score}"{extra}/>'
            )
        else:
            b = r.choice(top_ids)
            if family(a) == family(b) or (b, a) in orders:
                continue
            orders.add((a, b))
            order_kind = r.choice(["Mandatory", "Optional"])
            out.append(f'<rsc_order id="ord{i}" first="{a}" then="{b}" kind="{order_kind}"/>')
    return out


def _status(
    r: random.Random,
    nodes: list[str],
    prims: list[str],
    clones: list[tuple[str, str, bool, bool, int]],
) -> list[str]:
    out: list[str] = []
    for index, node in enumerate(nodes):
        online = r.random() > 0.1
        attrs: list[tuple[str, str]] = []
        if r.random() < 0.1:
            attrs.append(("standby", "on"))
        if r.random() < 0.05:
            attrs.append(("maintenance", "true"))
        history: list[str] = []
        for p in prims:
            if r.random() < 0.35:
                ops = [_op(p, "start", 1)]
                if r.random() < 0.12:
                    ops.append(_op(p, "monitor", 2, rc=r.choice([1, 7]), interval=10000))
                history.append(
                    f'<lrm_resource id="{p}" class="ocf" provider="heartbeat" type="Dummy">'
                    f"{''.join(ops)}</lrm_resource>"
                )
                if r.random() < 0.1:
                    name = r.choice([f"fail-count-{p}#monitor_10000", f"fail-count-{p}"])
                    attrs.append((name, str(r.randint(1, 3))))
        for _cid, child, promotable, unique, clone_max in clones:
            if r.random() < 0.5:
                inst = f"{child}:{r.randint(0, clone_max)}" if unique else child
                ops = [_op(inst, "start", 1)]
                if promotable and r.random() < 0.4:
                    ops.append(_op(inst, "promote", 2))
                history.append(
                    f'<lrm_resource id="{inst}" class="ocf" provider="heartbeat" type="Dummy">'
                    f"{''.join(ops)}</lrm_resource>"
                )
            if promotable and r.random() < 0.5:
                name = f"master-{child}" if not unique else f"master-{child}:{r.randint(0, 1)}"
                attrs.append((name, str(r.choice([5, 10, 100]))))
        if r.random() < 0.08:
            orphan = f"orph{index}"
            history.append(
                f'<lrm_resource id="{orphan}" class="ocf" provider="heartbeat" type="Dummy">'
                f"{_op(orphan, 'start', 1)}</lrm_resource>"
            )
        if not online:
            out.append(
                f'<node_state id="{node}" uname="{node}" in_ccm="false" crmd="offline" '
                'join="down" expected="down"/>'
            )
            continue
        pairs = "".join(f'<nvpair id="st-{node}-{k}" name="{k}" value="{v}"/>' for k, v in attrs)
        out.append(
            f'<node_state id="{node}" uname="{node}" in_ccm="true" crmd="online" join="member" '
            f'expected="member"><transient_attributes id="{node}"><instance_attributes '
            f'id="st-{node}">{pairs}</instance_attributes></transient_attributes>'
            f'<lrm id="{node}"><lrm_resources>{"".join(history)}</lrm_resources></lrm>'
            "</node_state>"
        )
    return out
