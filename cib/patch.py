"""Typed changes to a live CIB: the only way the daemon modifies one.

Each change is a small frozen record that applies deterministically to a ``<cib>`` tree, so
that the DC and every member that applies the same batch to the same version get the same
bytes.  Changes serialise to JSON-friendly dicts (:func:`to_dict` / :func:`from_dict`) for
replication; :func:`from_dict` validates what it reads (it comes off the network, after
authentication, but is still checked for shape and size).

A change is *configuration* (it touches ``<configuration>``: the version's ``epoch`` goes up)
or *status* (``num_updates`` goes up); see :attr:`Change.scope`.

XML payloads (an ``lrm_resource``, a constraint, a whole configuration) are parsed with the
project's hardened parser (:mod:`cib._xml`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from lxml import etree

from cib import errors
from cib._xml import make_parser
from cib.errors import CibError

Scope = Literal["status", "configuration"]

MAX_NAME = 256
MAX_VALUE = 65536
MAX_XML = 4 * 1024 * 1024

# node_state attributes the controller maintains
NODE_STATE_ATTRS = frozenset({"in_ccm", "crmd", "join", "expected", "crm-debug-origin"})
# <cib> attributes a status change may set
ROOT_STATUS_ATTRS = frozenset({"have-quorum", "dc-uuid"})


class PatchError(CibError):
    """A change that cannot apply (or a malformed change from the network)."""

    def __init__(self, message: str, element_id: str = "") -> None:
        super().__init__(errors.INVALID, message, file="<change>", line=0, element_id=element_id)


# ----------------------------------------------------------------------------- helpers
def _child(parent: etree._Element, tag: str) -> etree._Element:
    found = parent.find(tag)
    if found is None:
        found = etree.SubElement(parent, tag)
    return found


def _by_id(parent: etree._Element, tag: str, ident: str) -> etree._Element | None:
    for el in parent.iterchildren(tag):
        if el.get("id") == ident:
            return el
    return None


def _section(root: etree._Element, name: str) -> etree._Element:
    return _child(_child(root, "configuration"), name)


def _status(root: etree._Element) -> etree._Element:
    return _child(root, "status")


def _sanitize_id(text: str) -> str:
    """An XML ID from arbitrary text, as Pacemaker's crm_xml_sanitize_id does."""
    out = "".join(c if c.isalnum() or c in "-_." else "." for c in text)
    if not out or not (out[0].isalpha() or out[0] == "_"):
        out = "_" + out
    return out


def _xml(text: str, what: str, tag: str | tuple[str, ...]) -> etree._Element:
    if len(text) > MAX_XML:
        raise PatchError(f"{what}: XML payload too large ({len(text)} bytes)")
    try:
        el = etree.fromstring(text.encode("utf-8"), parser=make_parser())
    except etree.XMLSyntaxError as exc:
        raise PatchError(f"{what}: malformed XML: {exc.msg}") from None
    tags = (tag,) if isinstance(tag, str) else tag
    if el.tag not in tags:
        raise PatchError(f"{what}: expected <{'|'.join(tags)}>, got <{el.tag}>")
    return el


def node_state(root: etree._Element, uname: str, node_id: str | None = None) -> etree._Element:
    """The ``node_state`` of ``uname``, created (with ``id`` = the node's id) if missing."""
    status = _status(root)
    for el in status.iterchildren("node_state"):
        if el.get("uname") == uname:
            return el
    ident = node_id or node_id_of(root, uname) or uname
    el = etree.SubElement(status, "node_state")
    el.set("id", ident)
    el.set("uname", uname)
    return el


def node_id_of(root: etree._Element, uname: str) -> str | None:
    nodes = root.find("configuration/nodes")
    if nodes is None:
        return None
    for node in nodes.iterchildren("node"):
        if node.get("uname") == uname:
            return node.get("id")
    return None


def _nvset(
    parent: etree._Element, tag: str, set_id: str, *, create: bool, first: bool = False
) -> etree._Element | None:
    """The first ``tag`` set under ``parent`` (created with ``set_id`` when ``create``)."""
    found = parent.find(tag)
    if found is None and create:
        found = etree.Element(tag)
        found.set("id", set_id)
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def _set_pair(nvset: etree._Element | None, name: str, value: str | None) -> None:
    """Set (or, with ``None``, delete) nvpair ``name`` in ``nvset``; ids derive from the set."""
    if nvset is None:
        return
    for pair in nvset.iterchildren("nvpair"):
        if pair.get("name") == name:
            if value is None:
                nvset.remove(pair)
            else:
                pair.set("value", value)
            return
    if value is not None:
        pair = etree.SubElement(nvset, "nvpair")
        pair.set("id", _sanitize_id(f"{nvset.get('id')}-{name}"))
        pair.set("name", name)
        pair.set("value", value)


# ----------------------------------------------------------------------------- changes
@dataclass(frozen=True)
class Change:
    """Base class: ``kind`` names the change on the wire, ``scope`` what it bumps."""

    kind: ClassVar[str] = ""
    scope: ClassVar[Scope] = "status"

    def apply(self, root: etree._Element) -> None:
        raise NotImplementedError

    def check(self) -> None:
        """Raise PatchError if the change could not apply anywhere (checked for a whole
        batch before any change of it is applied in place)."""

    def fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class SetNodeState(Change):
    """Membership fields of a node's ``node_state`` (``in_ccm``, ``crmd``, ``join``, ...)."""

    kind: ClassVar[str] = "node-state"
    node: str
    attrs: Mapping[str, str]

    def apply(self, root: etree._Element) -> None:
        el = node_state(root, self.node)
        for name, value in sorted(self.attrs.items()):
            el.set(name, value)


@dataclass(frozen=True)
class SetLrmResource(Change):
    """Replace (or create) one ``lrm_resource`` of a node; the XML is the whole element."""

    kind: ClassVar[str] = "lrm-resource"
    node: str
    xml: str

    def check(self) -> None:
        _xml(self.xml, f"lrm_resource of {self.node}", "lrm_resource")

    def apply(self, root: etree._Element) -> None:
        new = _xml(self.xml, f"lrm_resource of {self.node}", "lrm_resource")
        rsc_id = new.get("id") or ""
        state = node_state(root, self.node)
        lrm = _child(state, "lrm")
        lrm.set("id", state.get("id") or self.node)
        resources = _child(lrm, "lrm_resources")
        old = _by_id(resources, "lrm_resource", rsc_id)
        if old is None:
            resources.append(new)
        else:
            resources.replace(old, new)


@dataclass(frozen=True)
class DeleteLrmResource(Change):
    kind: ClassVar[str] = "lrm-delete"
    node: str
    rsc: str

    def apply(self, root: etree._Element) -> None:
        resources = node_state(root, self.node).find("lrm/lrm_resources")
        if resources is None:
            return
        old = _by_id(resources, "lrm_resource", self.rsc)
        if old is not None:
            resources.remove(old)


@dataclass(frozen=True)
class ReplaceLrm(Change):
    """A node's whole history (``<lrm>``), as it reports it when it joins."""

    kind: ClassVar[str] = "lrm-replace"
    node: str
    xml: str

    def check(self) -> None:
        _xml(self.xml, f"lrm of {self.node}", "lrm")

    def apply(self, root: etree._Element) -> None:
        new = _xml(self.xml, f"lrm of {self.node}", "lrm")
        state = node_state(root, self.node)
        new.set("id", state.get("id") or self.node)
        old = state.find("lrm")
        if old is None:
            state.append(new)
        else:
            state.replace(old, new)


NODE_SECTIONS = {
    "lrm": ("lrm",),
    "attrs": ("transient_attributes",),
    "all": ("lrm", "transient_attributes"),
}


@dataclass(frozen=True)
class ClearNodeState(Change):
    """Erase a node's resource history (``lrm``), transient attributes (``attrs``) or both
    (``all``) from its ``node_state``, as Pacemaker's controller does for a node it fenced
    (``controld_delete_node_state``).  Nothing happens for a node without a node_state."""

    kind: ClassVar[str] = "node-state-clear"
    node: str
    sections: str = "all"

    def check(self) -> None:
        if self.sections not in NODE_SECTIONS:
            raise PatchError(
                f"node-state sections must be one of {', '.join(NODE_SECTIONS)}, "
                f"not {self.sections!r}"
            )

    def apply(self, root: etree._Element) -> None:
        status = root.find("status")
        if status is None:
            return
        for state in status.iterchildren("node_state"):
            if state.get("uname") != self.node:
                continue
            for tag in NODE_SECTIONS.get(self.sections, ()):
                for el in state.findall(tag):
                    state.remove(el)


def _transient_set(root: etree._Element, node: str) -> tuple[etree._Element, str]:
    state = node_state(root, node)
    ident = state.get("id") or node
    transient = _child(state, "transient_attributes")
    transient.set("id", ident)
    return transient, ident


@dataclass(frozen=True)
class SetTransientAttr(Change):
    """A node attribute that lives in the status section (``None`` deletes it)."""

    kind: ClassVar[str] = "transient-attr"
    node: str
    name: str
    value: str | None

    def apply(self, root: etree._Element) -> None:
        transient, ident = _transient_set(root, self.node)
        nvset = _nvset(transient, "instance_attributes", f"status-{ident}", create=True)
        _set_pair(nvset, self.name, self.value)


@dataclass(frozen=True)
class ReplaceTransientAttrs(Change):
    """All transient attributes of a node at once (join, or the node leaving: ``{}``)."""

    kind: ClassVar[str] = "transient-replace"
    node: str
    attrs: Mapping[str, str]

    def apply(self, root: etree._Element) -> None:
        transient, ident = _transient_set(root, self.node)
        for old in list(transient):
            transient.remove(old)
        nvset = _nvset(transient, "instance_attributes", f"status-{ident}", create=True)
        for name in sorted(self.attrs):
            _set_pair(nvset, name, self.attrs[name])


@dataclass(frozen=True)
class SetRootAttrs(Change):
    """``have-quorum`` and ``dc-uuid`` on ``<cib>`` (``""`` removes one)."""

    kind: ClassVar[str] = "root-attrs"
    attrs: Mapping[str, str]

    def check(self) -> None:
        for name in self.attrs:
            if name not in ROOT_STATUS_ATTRS:
                raise PatchError(f"<cib> attribute {name!r} is not a status attribute")

    def apply(self, root: etree._Element) -> None:
        for name, value in sorted(self.attrs.items()):
            if value:
                root.set(name, value)
            elif name in root.attrib:
                del root.attrib[name]


@dataclass(frozen=True)
class EnsureNode(Change):
    """A ``<node id uname>`` in ``<nodes>`` (the controller adds cluster members on join)."""

    kind: ClassVar[str] = "ensure-node"
    scope: ClassVar[Scope] = "configuration"
    node: str
    node_id: str

    def apply(self, root: etree._Element) -> None:
        nodes = _section(root, "nodes")
        for el in nodes.iterchildren("node"):
            if el.get("uname") == self.node:
                return
        el = etree.SubElement(nodes, "node")
        el.set("id", self.node_id)
        el.set("uname", self.node)


@dataclass(frozen=True)
class SetNodeAttr(Change):
    """A permanent node attribute (``<node><instance_attributes>``), e.g. ``standby``."""

    kind: ClassVar[str] = "node-attr"
    scope: ClassVar[Scope] = "configuration"
    node: str
    name: str
    value: str | None

    def apply(self, root: etree._Element) -> None:
        nodes = _section(root, "nodes")
        target = None
        for el in nodes.iterchildren("node"):
            if el.get("uname") == self.node:
                target = el
                break
        if target is None:
            raise PatchError(f"node {self.node!r} is not in <nodes>", self.node)
        ident = target.get("id") or self.node
        nvset = _nvset(
            target, "instance_attributes", f"nodes-{ident}", create=self.value is not None
        )
        _set_pair(nvset, self.name, self.value)


@dataclass(frozen=True)
class SetClusterOption(Change):
    """A ``cib-bootstrap-options`` property (``None`` deletes it)."""

    kind: ClassVar[str] = "cluster-option"
    scope: ClassVar[Scope] = "configuration"
    name: str
    value: str | None

    def apply(self, root: etree._Element) -> None:
        crm_config = _section(root, "crm_config")
        nvset = _by_id(crm_config, "cluster_property_set", "cib-bootstrap-options")
        if nvset is None and self.value is not None:
            nvset = etree.Element("cluster_property_set")
            nvset.set("id", "cib-bootstrap-options")
            crm_config.insert(0, nvset)
        _set_pair(nvset, self.name, self.value)


@dataclass(frozen=True)
class SetResourceMeta(Change):
    """A meta attribute of a resource (primitive, group, clone), e.g. ``target-role``."""

    kind: ClassVar[str] = "resource-meta"
    scope: ClassVar[Scope] = "configuration"
    rsc: str
    name: str
    value: str | None

    def apply(self, root: etree._Element) -> None:
        resources = _section(root, "resources")
        target = None
        for el in resources.iter("primitive", "group", "clone", "master", "bundle"):
            if el.get("id") == self.rsc:
                target = el
                break
        if target is None:
            raise PatchError(f"resource {self.rsc!r} does not exist", self.rsc)
        meta = _nvset(
            target,
            "meta_attributes",
            _sanitize_id(f"{self.rsc}-meta_attributes"),
            create=self.value is not None,
            first=True,
        )
        _set_pair(meta, self.name, self.value)


@dataclass(frozen=True)
class SetConstraint(Change):
    """Add a constraint, or replace the one with the same id."""

    kind: ClassVar[str] = "constraint"
    scope: ClassVar[Scope] = "configuration"
    xml: str

    def apply(self, root: etree._Element) -> None:
        new = _xml(
            self.xml, "constraint", ("rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket")
        )
        ident = new.get("id")
        if not ident:
            raise PatchError("constraint has no id")
        constraints = _section(root, "constraints")
        old = None
        for el in constraints:
            if el.get("id") == ident:
                old = el
                break
        if old is None:
            constraints.append(new)
        else:
            constraints.replace(old, new)


@dataclass(frozen=True)
class DeleteConstraint(Change):
    kind: ClassVar[str] = "constraint-delete"
    scope: ClassVar[Scope] = "configuration"
    id: str

    def apply(self, root: etree._Element) -> None:
        constraints = root.find("configuration/constraints")
        if constraints is None:
            return
        for el in list(constraints):
            if el.get("id") == self.id:
                constraints.remove(el)


@dataclass(frozen=True)
class ReplaceConfiguration(Change):
    """A whole new ``<configuration>`` (an administrator's load)."""

    kind: ClassVar[str] = "configuration"
    scope: ClassVar[Scope] = "configuration"
    xml: str

    def apply(self, root: etree._Element) -> None:
        new = _xml(self.xml, "configuration", "configuration")
        old = root.find("configuration")
        if old is None:
            root.insert(0, new)
        else:
            root.replace(old, new)


CHANGES: dict[str, type[Change]] = {
    cls.kind: cls
    for cls in (
        SetNodeState,
        SetLrmResource,
        DeleteLrmResource,
        ReplaceLrm,
        SetTransientAttr,
        ReplaceTransientAttrs,
        ClearNodeState,
        SetRootAttrs,
        EnsureNode,
        SetNodeAttr,
        SetClusterOption,
        SetResourceMeta,
        SetConstraint,
        DeleteConstraint,
        ReplaceConfiguration,
    )
}


def scope_of(changes: Sequence[Change]) -> Scope:
    return "configuration" if any(c.scope == "configuration" for c in changes) else "status"


# ----------------------------------------------------------------------------- wire form
def to_dict(change: Change) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": change.kind}
    for name, value in change.fields().items():
        out[name] = dict(value) if isinstance(value, Mapping) else value
    return out


def _text(raw: Mapping[str, Any], name: str, limit: int, *, optional: bool = False) -> Any:
    value = raw.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise PatchError(f"change field {name!r} must be a string of at most {limit} characters")
    return value


def _mapping(raw: Mapping[str, Any], name: str) -> dict[str, str]:
    value = raw.get(name)
    if not isinstance(value, dict) or len(value) > 4096:
        raise PatchError(f"change field {name!r} must be a mapping")
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise PatchError(f"change field {name!r} must map strings to strings")
        if len(key) > MAX_NAME or len(item) > MAX_VALUE:
            raise PatchError(f"change field {name!r} has an oversize entry")
        out[key] = item
    return out


def from_dict(raw: object) -> Change:
    """Rebuild a change from :func:`to_dict` output; PatchError if it is not one."""
    if not isinstance(raw, dict):
        raise PatchError("a change must be a mapping")
    cls = CHANGES.get(str(raw.get("kind")))
    if cls is None:
        raise PatchError(f"unknown change kind {raw.get('kind')!r}")
    kwargs: dict[str, Any] = {}
    for spec in dataclasses.fields(cls):
        name, hint = spec.name, str(spec.type)
        if "Mapping" in hint:
            kwargs[name] = _mapping(raw, name)
        elif name == "xml":
            kwargs[name] = _text(raw, name, MAX_XML)
        elif name == "value":
            kwargs[name] = _text(raw, name, MAX_VALUE, optional=True)
        else:
            kwargs[name] = _text(raw, name, MAX_NAME)
    return cls(**kwargs)


@dataclass(frozen=True)
class Batch:
    """Changes applied together under one version bump."""

    changes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def scope(self) -> Scope:
        return scope_of(self.changes)
