"""Read a CIB document into the :mod:`cib.model` objects.

The XML parser is hardened: no network, no DTD loading, no entity expansion, no huge trees,
and any ``<!DOCTYPE>`` is refused.  Every problem is a :class:`cib.errors.CibError` naming
file, line and element id.
"""

from __future__ import annotations

import os

from lxml import etree

from cib import errors
from cib._parse_config import ConfigParser
from cib._parse_status import StatusParser
from cib._xml import parse_root
from cib.errors import CibError
from cib.model import Cib, NodeStatus, NvSet

_CONFIG_SECTIONS = frozenset(
    {
        "crm_config",
        "rsc_defaults",
        "op_defaults",
        "nodes",
        "resources",
        "constraints",
        "fencing-topology",
        "acls",
        "tags",
        "alerts",
    }
)
# elements whose "id" is a reference or a user/group name, not a unique ID; a <node>'s id is
# plain text in Pacemaker's schema (a remote node's id is its connection resource's id)
_IDREF_NAMED_ID = frozenset({"resource_ref", "obj_ref", "acl_target", "acl_group", "role", "node"})


def load(path: str | os.PathLike[str]) -> Cib:
    """Read and parse a CIB file."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise CibError(errors.IO, exc.strerror or str(exc), file=name, line=0) from None
    return loads(data, source=name)


def loads(text: str | bytes, source: str = "<string>") -> Cib:
    """Parse CIB XML text (str or bytes)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    root = parse_root(data, source)
    return from_element(root, source)


def _collect_ids(config: etree._Element, parser: ConfigParser) -> dict[str, etree._Element]:
    ids: dict[str, etree._Element] = {}
    for el in config.iter(tag=etree.Element):
        ident = el.get("id")
        if ident is None:
            continue
        if el.tag in _IDREF_NAMED_ID:  # their "id" attribute is a reference
            continue
        prev = ids.get(ident)
        if prev is not None:
            raise parser.error(
                errors.DUPLICATE_ID,
                f"id {ident!r} of <{el.tag}> is already used by <{prev.tag}> on line "
                f"{prev.sourceline}",
                el,
            )
        ids[ident] = el
    return ids


def from_element(root: etree._Element, source: str = "<string>") -> Cib:
    """Build the model from an already parsed ``<cib>`` element."""
    parser = ConfigParser(source, {})
    if root.tag != "cib":
        raise parser.error(errors.UNKNOWN_ELEMENT, f"root element is <{root.tag}>, not <cib>", root)
    config = None
    status_el = None
    for child in root.iterchildren(tag=etree.Element):
        if child.tag == "configuration" and config is None:
            config = child
        elif child.tag == "status" and status_el is None:
            status_el = child
        else:
            raise parser.error(errors.UNKNOWN_ELEMENT, f"unexpected <{child.tag}> in <cib>", child)
    if config is None:
        raise parser.error(errors.INVALID, "<cib> has no <configuration>", root)
    parser.ids.update(_collect_ids(config, parser))

    sections: dict[str, etree._Element] = {}
    for sec in config.iterchildren(tag=etree.Element):
        if sec.tag not in _CONFIG_SECTIONS:
            raise parser.error(
                errors.UNKNOWN_ELEMENT, f"unexpected <{sec.tag}> in <configuration>", sec
            )
        if sec.tag in sections:
            raise parser.error(errors.INVALID, f"<{sec.tag}> appears twice", sec)
        sections[str(sec.tag)] = sec

    crm_config = _sets(parser, sections.get("crm_config"), "cluster_property_set")
    rsc_defaults = _sets(parser, sections.get("rsc_defaults"), "meta_attributes")
    op_defaults = _sets(parser, sections.get("op_defaults"), "meta_attributes")
    nodes = parser.nodes(sections["nodes"]) if "nodes" in sections else []
    resources = parser.resources(sections["resources"]) if "resources" in sections else []
    if "tags" in sections:
        _tags(parser, sections["tags"])

    locations = []
    colocations = []
    orders = []
    tickets = []
    cons = sections.get("constraints")
    if cons is not None:
        for el in cons.iterchildren(tag=etree.Element):
            if el.tag == "rsc_location":
                locations.append(parser.location(el))
            elif el.tag == "rsc_colocation":
                colocations.append(parser.colocation(el))
            elif el.tag == "rsc_order":
                orders.append(parser.order(el))
            elif el.tag == "rsc_ticket":
                tickets.append(parser.ticket(el))
            else:
                raise parser.error(
                    errors.UNKNOWN_ELEMENT, f"unexpected <{el.tag}> in <constraints>", el
                )

    status: dict[str, NodeStatus] = {}
    ticket_state: dict[str, dict[str, str]] = {}
    if status_el is not None:
        status = StatusParser(source).status(status_el)
        ticket_state = StatusParser(source).tickets(status_el)

    return Cib(
        validate_with=root.get("validate-with"),
        admin_epoch=parser.integer(root, "admin_epoch") or 0,
        epoch=parser.integer(root, "epoch") or 0,
        num_updates=parser.integer(root, "num_updates") or 0,
        crm_config=crm_config,
        rsc_defaults=rsc_defaults,
        op_defaults=op_defaults,
        nodes=nodes,
        resources=resources,
        locations=locations,
        colocations=colocations,
        orders=orders,
        tickets=tickets,
        ticket_state=ticket_state,
        tags=parser.tag_ids,
        status=status,
        source=source,
        attrs={str(k): str(v) for k, v in root.items()},
        _index=parser.index,
        _parent=parser.parent,
    )


def _sets(parser: ConfigParser, section: etree._Element | None, tag: str) -> list[NvSet]:
    if section is None:
        return []
    out: list[NvSet] = []
    kind = "cluster_property" if tag == "cluster_property_set" else "meta"
    for el in section.iterchildren(tag=etree.Element):
        if el.tag != tag:
            raise parser.error(
                errors.UNKNOWN_ELEMENT, f"unexpected <{el.tag}> in <{section.tag}>", el
            )
        out.append(parser.nvset(el, "cluster_property" if kind == "cluster_property" else "meta"))
    return out


def _tags(parser: ConfigParser, section: etree._Element) -> None:
    for tag in section.iterchildren(tag=etree.Element):
        if tag.tag != "tag":
            raise parser.error(errors.UNKNOWN_ELEMENT, f"unexpected <{tag.tag}> in <tags>", tag)
        refs = [parser.req(r, "id") for r in tag.iterchildren("obj_ref")]
        parser.tag_ids[parser.req(tag, "id")] = refs
