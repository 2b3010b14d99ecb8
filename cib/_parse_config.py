"""Parse ``<configuration>``: nodes, resources and constraints (crm_config etc. via NvParser)."""

from __future__ import annotations

from lxml import etree

from cib import errors
from cib._parse_nv import NvParser
from cib._xml import line_of
from cib.model import (
    Bundle,
    BundleMount,
    Clone,
    ColocationConstraint,
    Group,
    LocationConstraint,
    Node,
    NvSet,
    Op,
    OrderConstraint,
    OrderKind,
    Primitive,
    Resource,
    ResourceSet,
    TicketConstraint,
    normalize_role,
)
from cib.timespec import parse_timeout_ms

_OP_KNOWN = frozenset({"id", "name", "interval", "timeout", "role", "on-fail", "enabled"})
_ON_FAIL = frozenset(
    {"ignore", "block", "stop", "restart", "fence", "standby", "demote", "reset", "nothing"}
)
_STANDARDS = frozenset(
    {"ocf", "lsb", "heartbeat", "systemd", "service", "stonith", "upstart", "nagios"}
)


def _int_or(text: str | None, default: int) -> int:
    """An integer attribute as Pacemaker scans it (a bad value means the default)."""
    if text is None:
        return default
    try:
        return int(text.strip())
    except ValueError:
        return default


def _template_op_key(el: etree._Element) -> tuple[str | None, str]:
    """Pacemaker's key for an op a primitive overrides in its template: name and role
    (Started/Unpromoted/none are one role), not the interval."""
    role = el.get("role")
    if role is None or role.lower() in ("started", "unpromoted", "slave"):
        role = "Unknown"
    return el.get("name"), role


class ConfigParser(NvParser):
    """Builds resources/nodes/constraints; fills ``index`` (id -> resource) and ``parent``.

    A ``<template>`` is expanded into each primitive that names it, like Pacemaker: the
    template's class, provider and type; its attribute sets first, then the primitive's
    own (with equal scores the first set to define a name wins); the primitive's ops plus
    those of the template's ops whose name and role the primitive does not define.  A
    constraint naming a template means every primitive made from it (``templates``).
    """

    __slots__ = ("index", "parent", "tag_ids", "templates")

    def __init__(self, source: str, ids: dict[str, etree._Element]) -> None:
        super().__init__(source, ids)
        self.index: dict[str, Resource] = {}
        self.parent: dict[str, str] = {}
        self.tag_ids: dict[str, list[str]] = {}
        self.templates: dict[str, etree._Element] = {}

    # ------------------------------------------------------------------ nodes
    def nodes(self, section: etree._Element) -> list[Node]:
        out: list[Node] = []
        for el in section.iterchildren(tag=etree.Element):
            if el.tag != "node":
                raise self.error(errors.UNKNOWN_ELEMENT, f"unexpected <{el.tag}> in <nodes>", el)
            attr_sets: list[NvSet] = []
            util: list[NvSet] = []
            for child in el.iterchildren(tag=etree.Element):
                if child.tag == "instance_attributes":
                    attr_sets.append(self.nvset(child, "instance"))
                elif child.tag == "utilization":
                    util.append(self.nvset(child, "utilization"))
                else:
                    raise self.error(
                        errors.UNKNOWN_ELEMENT, f"unexpected <{child.tag}> in <node>", child
                    )
            node_type = el.get("type", "member")
            out.append(
                Node(
                    id=self.req(el, "id"),
                    uname=self.req(el, "uname"),
                    type="member" if node_type == "normal" else node_type,
                    attr_sets=attr_sets,
                    utilization_sets=util,
                    line=line_of(el),
                    score=el.get("score"),
                )
            )
        return out

    # ------------------------------------------------------------------ resources
    def resources(self, section: etree._Element) -> list[Resource]:
        for el in section.iterchildren("template"):
            self.templates[self.req(el, "id")] = el
            self.tag_ids.setdefault(self.req(el, "id"), [])
        out: list[Resource] = []
        for el in section.iterchildren(tag=etree.Element):
            if el.tag != "template":
                out.append(self.resource(el, "resources"))
        return out

    def resource(self, el: etree._Element, where: str) -> Resource:
        tag = el.tag
        rsc: Resource
        if tag == "primitive":
            rsc = self.primitive(el)
        elif tag == "group":
            rsc = self.group(el)
        elif tag in ("clone", "master"):
            rsc = self.clone(el)
        elif tag == "bundle":
            rsc = self.bundle(el)
        else:
            raise self.error(errors.UNKNOWN_ELEMENT, f"unexpected <{tag}> in <{where}>", el)
        self.index[rsc.id] = rsc
        return rsc

    def _template_of(self, el: etree._Element) -> etree._Element | None:
        ref = el.get("template")
        if ref is None:
            return None
        template = self.templates.get(ref)
        if template is None:
            raise self.error(errors.DANGLING_IDREF, f"template {ref!r} names no <template>", el)
        self.tag_ids[ref].append(self.req(el, "id"))
        return template

    def primitive(self, el: etree._Element) -> Primitive:
        rid = self.req(el, "id")
        template = self._template_of(el)
        agent_el = template if template is not None else el
        standard = self.req(agent_el, "class")
        if standard not in _STANDARDS:
            raise self.error(errors.BAD_VALUE, f"unknown resource class {standard!r}", agent_el)
        provider = agent_el.get("provider")
        if standard == "ocf" and not provider:
            raise self.error(errors.MISSING_ATTRIBUTE, "class 'ocf' needs a provider", agent_el)
        inst: list[NvSet] = []
        meta: list[NvSet] = []
        util: list[NvSet] = []
        ops: list[Op] = []
        own_ops = [
            op
            for child in el.iterchildren("operations")
            for op in self.deref(child).iterchildren(tag=etree.Element)
        ]
        overridden = {_template_op_key(op) for op in own_ops}
        sources = [el] if template is None else [template, el]
        for source in sources:
            from_template = source is template
            for child in source.iterchildren(tag=etree.Element):
                tag = child.tag
                if tag == "instance_attributes":
                    inst.append(self.nvset(child, "instance"))
                elif tag == "meta_attributes":
                    meta.append(self.nvset(child, "meta"))
                elif tag == "utilization":
                    util.append(self.nvset(child, "utilization"))
                elif tag == "operations":
                    for op_el in self.deref(child).iterchildren(tag=etree.Element):
                        if from_template and own_ops and _template_op_key(op_el) in overridden:
                            continue
                        ops.append(self.op(op_el))
                else:
                    raise self.error(
                        errors.UNKNOWN_ELEMENT, f"unexpected <{tag}> in <{source.tag}>", child
                    )
        return Primitive(
            id=rid,
            standard=standard,
            type=self.req(agent_el, "type"),
            provider=provider,
            instance_sets=inst,
            meta_sets=meta,
            utilization_sets=util,
            ops=ops,
            description=el.get("description"),
            line=line_of(el),
        )

    def op(self, el: etree._Element) -> Op:
        if el.tag != "op":
            raise self.error(errors.UNKNOWN_ELEMENT, f"unexpected <{el.tag}> in <operations>", el)
        on_fail = el.get("on-fail")
        if on_fail is not None and on_fail not in _ON_FAIL:
            raise self.error(errors.BAD_VALUE, f"unknown on-fail value {on_fail!r}", el)
        inst: list[NvSet] = []
        meta: list[NvSet] = []
        for child in el.iterchildren(tag=etree.Element):
            if child.tag == "instance_attributes":
                inst.append(self.nvset(child, "instance"))
            elif child.tag == "meta_attributes":
                meta.append(self.nvset(child, "meta"))
            else:
                raise self.error(errors.UNKNOWN_ELEMENT, f"unexpected <{child.tag}> in <op>", child)
        enabled = self.boolean(el, "enabled")
        extra = {str(k): str(v) for k, v in el.items() if k not in _OP_KNOWN}
        timeout = el.get("timeout")
        timeout_ms: int | None = None
        if timeout is not None:
            try:
                timeout_ms = parse_timeout_ms(timeout)
            except ValueError:
                # Pacemaker 2.1.5 reads neither ISO 8601 nor garbage here: the default
                # timeout applies.  Keep the text so validation can warn about it.
                extra["timeout"] = timeout
        return Op(
            id=self.req(el, "id"),
            name=self.req(el, "name"),
            interval_ms=self.time_ms(el, "interval"),
            timeout_ms=timeout_ms,
            role=normalize_role(el.get("role")),
            on_fail=on_fail,
            enabled=True if enabled is None else enabled,
            instance_sets=inst,
            meta_sets=meta,
            extra=extra,
            line=line_of(el),
        )

    def _sets(self, el: etree._Element, allowed: frozenset[str]) -> tuple[list[NvSet], list[NvSet]]:
        meta: list[NvSet] = []
        inst: list[NvSet] = []
        for child in el.iterchildren("meta_attributes", "instance_attributes"):
            if child.tag == "meta_attributes":
                meta.append(self.nvset(child, "meta"))
            else:
                inst.append(self.nvset(child, "instance"))
        for child in el.iterchildren(tag=etree.Element):
            if child.tag not in allowed:
                raise self.error(
                    errors.UNKNOWN_ELEMENT, f"unexpected <{child.tag}> in <{el.tag}>", child
                )
        return meta, inst

    def group(self, el: etree._Element) -> Group:
        gid = self.req(el, "id")
        meta, inst = self._sets(el, _GROUP_CHILDREN)
        children: list[Primitive] = []
        for child in el.iterchildren("primitive"):
            prim = self.primitive(child)
            self.index[prim.id] = prim
            self.parent[prim.id] = gid
            children.append(prim)
        if not children:
            raise self.error(errors.INVALID, "a group needs at least one primitive", el)
        return Group(gid, children, meta, inst, el.get("description"), line_of(el))

    def clone(self, el: etree._Element) -> Clone:
        cid = self.req(el, "id")
        meta, inst = self._sets(el, _CLONE_CHILDREN)
        kids = list(el.iterchildren("primitive", "group"))
        if len(kids) != 1:
            raise self.error(errors.INVALID, f"<{el.tag}> needs exactly one primitive or group", el)
        child = self.primitive(kids[0]) if kids[0].tag == "primitive" else self.group(kids[0])
        self.index[child.id] = child
        self.parent[child.id] = cid
        legacy = el.tag == "master"
        promotable = legacy
        for nvset in meta:
            if "promotable" in nvset.values:
                promotable = promotable or nvset.values["promotable"].lower() in _TRUE
                break
        return Clone(cid, child, meta, inst, promotable, legacy, el.get("description"), line_of(el))

    def bundle(self, el: etree._Element) -> Bundle:
        """A ``<bundle>`` as Pacemaker 2.1.5 reads it (pe__unpack_bundle)."""
        bid = self.req(el, "id")
        container: etree._Element | None = None
        agent = ""
        for name in ("docker", "rkt", "podman"):
            container = el.find(name)
            if container is not None:
                agent = name
                break
        if container is None:
            raise self.error(errors.INVALID, "<bundle> needs a docker, podman or rkt", el)
        promoted = container.get("promoted-max", container.get("masters"))
        promoted_max = max(0, _int_or(promoted, 0))
        replicas_text = container.get("replicas")
        if replicas_text is None and promoted_max > 0:
            replicas = promoted_max
        else:
            replicas = max(1, _int_or(replicas_text, 1))
        per_host = max(1, _int_or(container.get("replicas-per-host"), 1))
        ports: list[tuple[str, str]] = []
        net = el.find("network")
        if net is not None:
            for mapping in net.iterchildren("port-mapping"):
                source = mapping.get("port")
                target = mapping.get("internal-port") if source is not None else None
                if source is None:
                    source = mapping.get("range")
                if source:
                    ports.append((source, target or source))
        mounts: list[BundleMount] = []
        storage = el.find("storage")
        for mapping in storage.iterchildren("storage-mapping") if storage is not None else ():
            source = mapping.get("source-dir")
            subdir = source is None
            if source is None:
                source = mapping.get("source-dir-root")
            target = mapping.get("target-dir")
            if source and target:
                mounts.append(BundleMount(source, target, mapping.get("options"), subdir))
        child: Primitive | None = None
        kid = el.find("primitive")
        if kid is not None:
            child = self.primitive(kid)
            self.index[child.id] = child
            self.parent[child.id] = bid
        meta = [self.nvset(m, "meta") for m in el.iterchildren("meta_attributes")]
        add_host = net.get("add-host") if net is not None else None
        return Bundle(
            id=bid,
            agent=agent,
            image=container.get("image"),
            replicas=replicas,
            replicas_per_host=per_host,
            promoted_max=promoted_max,
            run_command=container.get("run-command"),
            options=container.get("options"),
            network=container.get("network"),
            ip_range_start=net.get("ip-range-start") if net is not None else None,
            host_interface=net.get("host-interface") if net is not None else None,
            host_netmask=net.get("host-netmask") if net is not None else None,
            control_port=net.get("control-port") if net is not None else None,
            add_host=add_host is None or add_host.strip().lower() in _TRUE,
            ports=ports,
            mounts=mounts,
            child=child,
            meta_sets=meta,
            description=el.get("description"),
            line=line_of(el),
        )

    # ------------------------------------------------------------------ constraints
    def check_ref(self, el: etree._Element, name: str, value: str | None) -> None:
        if value is not None and value not in self.index and value not in self.tag_ids:
            raise self.error(
                errors.DANGLING_IDREF, f"{name} references an unknown resource {value!r}", el
            )

    def resource_sets(self, el: etree._Element) -> list[ResourceSet]:
        out: list[ResourceSet] = []
        for rs_el in el.iterchildren("resource_set"):
            rs = self.deref(rs_el)
            refs: list[str] = []
            for ref in rs.iterchildren(tag=etree.Element):
                if ref.tag != "resource_ref":
                    raise self.error(
                        errors.UNKNOWN_ELEMENT, f"unexpected <{ref.tag}> in <resource_set>", ref
                    )
                rid = self.req(ref, "id")
                self.check_ref(ref, "resource_ref", rid)
                refs.append(rid)
            out.append(
                ResourceSet(
                    id=self.req(rs, "id"),
                    resources=refs,
                    sequential=self.boolean(rs, "sequential"),
                    require_all=self.boolean(rs, "require-all"),
                    role=normalize_role(rs.get("role")),
                    action=rs.get("action"),
                    score=self.score(rs),
                    kind=rs.get("kind"),
                    line=line_of(rs),
                )
            )
        return out

    def _only(self, el: etree._Element, allowed: frozenset[str]) -> None:
        for child in el.iterchildren(tag=etree.Element):
            if child.tag not in allowed:
                raise self.error(
                    errors.UNKNOWN_ELEMENT, f"unexpected <{child.tag}> in <{el.tag}>", child
                )

    def location(self, el: etree._Element) -> LocationConstraint:
        self._only(el, _LOC_CHILDREN)
        rsc = el.get("rsc")
        self.check_ref(el, "rsc", rsc)
        sets = self.resource_sets(el)
        pattern = el.get("rsc-pattern")
        if rsc is None and pattern is None and not sets:
            raise self.error(errors.MISSING_ATTRIBUTE, "needs rsc, rsc-pattern or a set", el)
        rules = [self.rule(r) for r in el.iterchildren("rule")]
        node = el.get("node")
        score = self.score(el)
        if not rules and (node is None or score is None):
            raise self.error(errors.MISSING_ATTRIBUTE, "needs node and score, or a rule", el)
        return LocationConstraint(
            id=self.req(el, "id"),
            rsc=rsc,
            rsc_pattern=pattern,
            node=node,
            score=score,
            rules=rules,
            role=normalize_role(el.get("role")),
            resource_discovery=el.get("resource-discovery", "always"),
            resource_sets=sets,
            line=line_of(el),
        )

    def colocation(self, el: etree._Element) -> ColocationConstraint:
        self._only(el, _SET_ONLY)
        rsc, with_rsc = el.get("rsc"), el.get("with-rsc")
        self.check_ref(el, "rsc", rsc)
        self.check_ref(el, "with-rsc", with_rsc)
        sets = self.resource_sets(el)
        if not sets and (rsc is None or with_rsc is None):
            raise self.error(errors.MISSING_ATTRIBUTE, "needs rsc and with-rsc, or sets", el)
        # Without a score Pacemaker reads 0 and ignores the colocation.
        score = self.score(el)
        return ColocationConstraint(
            id=self.req(el, "id"),
            rsc=rsc,
            with_rsc=with_rsc,
            score=0 if score is None else score,
            rsc_role=normalize_role(el.get("rsc-role")),
            with_rsc_role=normalize_role(el.get("with-rsc-role")),
            node_attribute=el.get("node-attribute", "#uname"),
            influence=self._influence(el),
            resource_sets=sets,
            line=line_of(el),
        )

    def _influence(self, el: etree._Element) -> bool | None:
        """``influence``; Pacemaker uses the default for a value that is not a boolean
        ("has invalid value for influence (using default)")."""
        value = (el.get("influence") or "").strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        return None

    def ticket(self, el: etree._Element) -> TicketConstraint:
        self._only(el, _SET_ONLY)
        rsc = el.get("rsc")
        self.check_ref(el, "rsc", rsc)
        sets = self.resource_sets(el)
        if not sets and rsc is None:
            raise self.error(errors.MISSING_ATTRIBUTE, "needs rsc or a resource set", el)
        return TicketConstraint(
            id=self.req(el, "id"),
            ticket=self.req(el, "ticket"),
            rsc=rsc,
            rsc_role=normalize_role(el.get("rsc-role")),
            loss_policy=el.get("loss-policy"),
            resource_sets=sets,
            line=line_of(el),
        )

    def order(self, el: etree._Element) -> OrderConstraint:
        self._only(el, _SET_ONLY)
        first, then = el.get("first"), el.get("then")
        self.check_ref(el, "first", first)
        self.check_ref(el, "then", then)
        sets = self.resource_sets(el)
        if not sets and (first is None or then is None):
            raise self.error(errors.MISSING_ATTRIBUTE, "needs first and then, or sets", el)
        score = self.score(el)
        kind_raw = el.get("kind")
        kind: OrderKind
        if kind_raw is None:
            kind = "Optional" if score == 0 else "Mandatory"
        else:
            # case-insensitive; anything else is reset to Mandatory (cib.validate warns)
            kind = _KINDS.get(kind_raw.lower(), "Mandatory")
        first_action = el.get("first-action", "start")
        return OrderConstraint(
            id=self.req(el, "id"),
            first=first,
            then=then,
            first_action=first_action,
            then_action=el.get("then-action", first_action),
            kind=kind,
            score=score,
            symmetrical=self.boolean(el, "symmetrical"),
            require_all=self.boolean(el, "require-all"),
            resource_sets=sets,
            line=line_of(el),
        )


_TRUE = frozenset({"true", "on", "yes", "y", "1"})
_FALSE = frozenset({"false", "off", "no", "n", "0"})
_GROUP_CHILDREN = frozenset({"primitive", "meta_attributes", "instance_attributes", "utilization"})
_CLONE_CHILDREN = frozenset({"primitive", "group", "meta_attributes", "instance_attributes"})
_LOC_CHILDREN = frozenset({"rule", "resource_set"})
_SET_ONLY = frozenset({"resource_set"})
_KINDS: dict[str, OrderKind] = {
    "mandatory": "Mandatory",
    "optional": "Optional",
    "serialize": "Serialize",
}
