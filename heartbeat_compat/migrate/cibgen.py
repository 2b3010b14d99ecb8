"""Render a migration `Plan` as Pacemaker CIB XML (lxml, schema pacemaker-3.9)."""

from __future__ import annotations

from lxml import etree

from heartbeat_compat.migrate.model import (
    Clone,
    Colocation,
    Group,
    Location,
    Order,
    Plan,
    Primitive,
)

VALIDATE_WITH = "pacemaker-3.9"
CRM_FEATURE_SET = "3.16.1"  # what Pacemaker 2.1.5 writes


def _sub(parent: etree._Element, tag: str, **attrs: str | None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    for key, value in attrs.items():
        if value is not None:
            element.set(key.rstrip("_").replace("_", "-"), value)
    return element


def _nvset(parent: etree._Element, tag: str, set_id: str, pairs: list[tuple[str, str]]) -> None:
    if not pairs:
        return
    nvset = _sub(parent, tag, id=set_id)
    for name, value in pairs:
        nv = etree.SubElement(nvset, "nvpair")
        nv.set("id", f"{set_id}-{name}")
        nv.set("name", name)
        nv.set("value", value)


def _primitive(parent: etree._Element, prim: Primitive) -> None:
    el = etree.SubElement(parent, "primitive")
    el.set("id", prim.id)
    el.set("class", prim.cls)
    if prim.provider is not None:
        el.set("provider", prim.provider)
    el.set("type", prim.type)
    _nvset(el, "instance_attributes", f"{prim.id}-instance_attributes", prim.params)
    _nvset(el, "meta_attributes", f"{prim.id}-meta_attributes", prim.meta)
    if prim.ops:
        ops = etree.SubElement(el, "operations")
        for op in prim.ops:
            role = f"-{op.role}" if op.role else ""
            op_el = etree.SubElement(ops, "op")
            op_el.set("id", f"{prim.id}-{op.name}-interval-{op.interval}{role}")
            op_el.set("name", op.name)
            op_el.set("interval", op.interval)
            op_el.set("timeout", op.timeout)
            if op.role:
                op_el.set("role", op.role)


def _resources(parent: etree._Element, plan: Plan) -> None:
    resources = etree.SubElement(parent, "resources")
    for rsc in plan.resources:
        if isinstance(rsc, Primitive):
            _primitive(resources, rsc)
        elif isinstance(rsc, Group):
            group = _sub(resources, "group", id=rsc.id)
            for member in rsc.members:
                _primitive(group, member)
        elif isinstance(rsc, Clone):
            clone = _sub(resources, "clone", id=rsc.id)
            _nvset(clone, "meta_attributes", f"{rsc.id}-meta_attributes", rsc.meta)
            _primitive(clone, rsc.child)


def _constraints(parent: etree._Element, plan: Plan) -> None:
    cons = etree.SubElement(parent, "constraints")
    for c in plan.constraints:
        if isinstance(c, Location):
            if c.rule_expressions:
                loc = _sub(cons, "rsc_location", id=c.id, rsc=c.rsc, role=c.role)
                rule = _sub(loc, "rule", id=f"{c.id}-rule", score=c.score, boolean_op=c.boolean_op)
                for i, expr in enumerate(c.rule_expressions, start=1):
                    _sub(
                        rule,
                        "expression",
                        id=f"{c.id}-rule-expr-{i}",
                        attribute=expr.attribute,
                        operation=expr.operation,
                        value=expr.value,
                        type_="number" if expr.value is not None else None,
                    )
            else:
                _sub(
                    cons,
                    "rsc_location",
                    id=c.id,
                    rsc=c.rsc,
                    role=c.role,
                    node=c.node,
                    score=c.score,
                )
        elif isinstance(c, Colocation):
            _sub(
                cons,
                "rsc_colocation",
                id=c.id,
                rsc=c.rsc,
                with_rsc=c.with_rsc,
                with_rsc_role=c.with_rsc_role,
                score=c.score,
            )
        elif isinstance(c, Order):
            _sub(
                cons,
                "rsc_order",
                id=c.id,
                first=c.first,
                first_action=c.first_action,
                then=c.then,
                then_action=c.then_action,
                kind=c.kind,
            )


def render(plan: Plan) -> etree._Element:
    """The complete ``<cib>`` element for `plan`."""
    cib = etree.Element("cib")
    cib.set("validate-with", VALIDATE_WITH)
    cib.set("crm_feature_set", CRM_FEATURE_SET)
    # The planner's default is 1/1/0: the CIB is compared (admin_epoch, epoch,
    # num_updates) with the live one by `cibadmin --replace`; a freshly started
    # cluster is at admin_epoch 0 with some epoch > 1, and would reject a 0/1/0
    # document as "older than existing configuration".
    admin_epoch, epoch, num_updates = plan.version
    cib.set("admin_epoch", str(admin_epoch))
    cib.set("epoch", str(epoch))
    cib.set("num_updates", str(num_updates))
    config = etree.SubElement(cib, "configuration")
    for text in plan.comments:
        config.append(etree.Comment(" " + text.replace("--", "- -") + " "))
    crm_config = etree.SubElement(config, "crm_config")
    _nvset(crm_config, "cluster_property_set", "cib-bootstrap-options", plan.properties)
    if plan.rsc_defaults:
        defaults = etree.SubElement(config, "rsc_defaults")
        _nvset(defaults, "meta_attributes", "rsc-options", plan.rsc_defaults)
    nodes = etree.SubElement(config, "nodes")
    for i, name in enumerate(plan.nodes, start=1):
        _sub(nodes, "node", id=str(i), uname=name)
    _resources(config, plan)
    _constraints(config, plan)
    etree.SubElement(cib, "status")
    return cib


def to_bytes(plan: Plan) -> bytes:
    """Pretty-printed XML document (UTF-8, with declaration)."""
    root = render(plan)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
