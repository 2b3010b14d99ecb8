"""Normalized cluster state, to compare pycrm's scheduler with crm_simulate.

The normalized form is ``{"nodes": {name: state}, "rsc": [(rsc, role, node, flags), ...]}``:
node state is ``online|standby|maintenance|OFFLINE|UNCLEAN``; ``rsc`` is the sorted multiset
of active resource placements with clone instance suffixes (``:N``) stripped, role
``Started|Promoted|Unpromoted`` and flags a tuple drawn from ``failed``, ``blocked``,
``unmanaged`` (in that order).  Stopped resources are left out.

Three sources: the "Revised Cluster Status" text of ``crm_simulate -S``
(:func:`from_summary`), its ``--output-as=xml`` (:func:`from_crm_simulate_xml`) and a
:class:`pycrm.scheduler.Transition` (:func:`from_transition`).
"""

from __future__ import annotations

import re
from typing import TypedDict

from lxml import etree

from cib._xml import parse_root
from pycrm.scheduler.types import NodeInfo, ResourceState, Transition

Placement = tuple[str, str, str, tuple[str, ...]]


class Normalized(TypedDict):
    nodes: dict[str, str]
    rsc: list[Placement]


_SUFFIX = re.compile(r":\d+$")
# a bundle replica's line names its address: "* web-bundle-0 (192.168.1.1) (ocf:...): ..."
_LINE = re.compile(
    r"^\s*\* (?P<id>\S+)(?:\s+\([0-9A-Fa-f.:]+\))?\s+\((?P<agent>[^)]*)\):\s+(?P<rest>.*)$"
)
_LIST = re.compile(
    r"^\s*\* (?P<role>Started|Promoted|Unpromoted|Stopped|Slaves|Masters)(?: \([^)]*\))?:"
    r"\s+\[ (?P<nodes>[^\]]*) \]"
)
_NODE_LIST = re.compile(r"^\* (?:Remote|Guest)?(Online|OFFLINE): \[ (.*) \]$")
_NODE_ONE = re.compile(r"^\* (?:Remote|Guest)?Node (\S+): (.*)$")
_CLONE = re.compile(r"^\* Clone Set: (\S+) \[(\S+)\]")
_PAREN = re.compile(r"\(([^()]*)\)")
_ROLE_ALIASES = {"Masters": "Promoted", "Slaves": "Unpromoted", "Master": "Promoted"}


def base_id(rsc_id: str) -> str:
    return _SUFFIX.sub("", rsc_id)


def group_members(cib_xml: str | bytes) -> dict[str, list[str]]:
    """Group id -> member primitive ids, from CIB XML text (expands "Clone Set: C [G]")."""
    root = parse_root(cib_xml.encode() if isinstance(cib_xml, str) else cib_xml, "<cib>")
    return {
        str(g.get("id")): [str(p.get("id")) for p in g.findall("primitive")]
        for g in root.iter("group")
    }


def _node_state_from_text(text: str) -> str:
    for word in ("UNCLEAN", "OFFLINE", "maintenance", "standby"):
        if word in text:
            return word
    return text


def _flags_from_paren(rest: str) -> tuple[str, ...]:
    paren = " ".join(_PAREN.findall(rest))
    if "blocked" in paren:
        return ("blocked",)
    if "unmanaged" in paren:
        return ("unmanaged",)
    return ()


def from_summary(text: str, groups: dict[str, list[str]] | None = None) -> Normalized:
    """Parse the "Revised Cluster Status:" section of ``crm_simulate -S`` text output."""
    members = groups or {}
    if "Revised Cluster Status:" not in text:
        raise ValueError("no 'Revised Cluster Status:' section")
    section = text.split("Revised Cluster Status:", 1)[1]
    nodes: dict[str, str] = {}
    out: list[Placement] = []
    clone_child: str | None = None
    for line in section.splitlines():
        stripped = line.strip()
        match = _NODE_LIST.match(stripped)
        if match:
            state = "online" if match.group(1) == "Online" else "OFFLINE"
            for name in match.group(2).split():
                nodes[name] = state
            continue
        match = _NODE_ONE.match(stripped)
        if match:
            nodes[match.group(1)] = _node_state_from_text(match.group(2))
            continue
        match = _CLONE.match(stripped)
        if match:
            clone_child = match.group(2)
            continue
        listed = _LIST.match(line)
        if listed and clone_child is not None:
            role = _ROLE_ALIASES.get(listed.group("role"), listed.group("role"))
            if not role.startswith("Stopped"):
                for node in listed.group("nodes").split():
                    for member in members.get(clone_child, [clone_child]):
                        out.append((member, role, node, ()))
            continue
        one = _LINE.match(line)
        if one is None:
            continue
        out.extend(_parse_resource_line(one.group("id"), one.group("rest")))
    return {"nodes": nodes, "rsc": sorted(out)}


def _parse_resource_line(rsc_id: str, rest: str) -> list[Placement]:
    rid = base_id(rsc_id)
    flags = _flags_from_paren(rest)
    plain = re.sub(r"\s*\([^()]*\)", "", rest).strip()
    plain = re.sub(r"^ORPHANED\s+", "", plain)
    parts = plain.split()
    if not parts or parts[0] == "Stopped":
        return []
    role, where = parts[0], parts[1:]
    if role == "FAILED":
        flags = ("failed", *flags)
        if len(parts) < 3 or parts[1].startswith("["):
            role, where = "Started", parts[1:]
        else:
            role, where = parts[1], parts[2:]
    role = _ROLE_ALIASES.get(role, role)
    names = " ".join(where).replace("[", " ").replace("]", " ").split()
    return [(rid, role, node, flags) for node in names]


def from_crm_simulate_xml(text: str | bytes) -> Normalized:
    """Parse ``crm_simulate -S --output-as=xml``: its ``<revised_cluster_status>``."""
    root = parse_root(text.encode() if isinstance(text, str) else text, "<crm_simulate output>")
    revised = root.find("revised_cluster_status")
    if revised is None:
        raise ValueError("no <revised_cluster_status> element")
    nodes: dict[str, str] = {}
    nodes_el = revised.find("nodes")
    for node in nodes_el if nodes_el is not None else []:
        nodes[str(node.get("name"))] = _xml_node_state(node)
    out: list[Placement] = []
    resources = revised.find("resources")
    for res in resources.iter("resource") if resources is not None else []:
        flags: tuple[str, ...] = tuple(f for f in ("failed", "blocked") if res.get(f) == "true")
        if res.get("managed") == "false" and res.get("blocked") != "true":
            flags = (*flags, "unmanaged")
        where = [str(n.get("name")) for n in res.findall("node")]
        role = str(res.get("role"))
        if role == "Stopped" or not where:
            continue
        out.extend((base_id(str(res.get("id"))), role, node, flags) for node in where)
    return {"nodes": nodes, "rsc": sorted(out)}


def _xml_node_state(node: etree._Element) -> str:
    if node.get("online") != "true":
        return "UNCLEAN" if node.get("unclean") == "true" else "OFFLINE"
    if node.get("maintenance") == "true":
        return "maintenance"
    if node.get("standby") == "true":
        return "standby"
    return "online"


def _flags(state: ResourceState) -> tuple[str, ...]:
    flags: tuple[str, ...] = ()
    if state.failed:
        flags = ("failed",)
    if state.blocked:
        return (*flags, "blocked")
    if state.unmanaged:
        return (*flags, "unmanaged")
    return flags


def _node_state(node: NodeInfo, revised: bool) -> str:
    state = node.revised_state if revised else node.state
    if state == "online" and node.health:
        return f"online (health is {node.health})"  # crm_mon's wording
    return state


def from_transition(transition: Transition, *, revised: bool = True) -> Normalized:
    """Normalize pycrm's result (the target state, or the current one with revised=False)."""
    nodes = {
        n.name: _node_state(n, revised)
        for n in transition.nodes
        if not (n.kind == "guest" and (n.revised_state if revised else n.state) == "OFFLINE")
    }  # crm_mon does not list guest nodes that are down
    states = transition.target if revised else transition.current
    out: list[Placement] = []
    for state in states:
        if not state.active:
            continue
        for node in state.nodes:
            out.append((base_id(state.id), state.role, node, _flags(state)))
    return {"nodes": nodes, "rsc": sorted(out)}


def summary_verbs(text: str) -> list[tuple[str, str]]:
    """(verb, resource without :N) of each "Transition Summary" line of crm_simulate text."""
    if "Transition Summary:" not in text:
        return []
    section = text.split("Transition Summary:", 1)[1].split("Executing Cluster Transition", 1)[0]
    out: list[tuple[str, str]] = []
    for line in section.splitlines():
        match = re.match(r"^\s*\* ([\w-]+)\s+(\S+)", line)
        if match:
            out.append((match.group(1), base_id(match.group(2))))
    return sorted(out)


def transition_verbs(transition: Transition) -> list[tuple[str, str]]:
    return sorted((line.verb, base_id(line.rsc)) for line in transition.summary)
