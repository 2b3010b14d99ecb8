"""``--output-as=json``: the same information as the XML document, as JSON.

Stable keys (schema ``pycrm-simulate/1``)::

    {
      "schema": "pycrm-simulate/1",
      "request": "pycrm simulate ...",
      "cluster_status": STATUS,            # before the injections
      "modifications": ["Bringing node node3 online", ...],
      "actions": [{"action": "move", "resource": "rsc1", "from": "node1", "to": "node2",
                   "from_role": "Started", "to_role": "Started", "reason": "", "blocked": false}],
      "transition": [{"resource": "rsc1", "op": "stop", "node": "node1",
                      "interval_ms": 0, "pseudo": false}],
      "revised_cluster_status": STATUS,
      "scores": [{"resource": "rsc1", "node": "node1", "score": 100,
                  "contributions": [{"kind": "location", "source": "loc1", "value": 100}],
                  "explanation": "rsc1 on node1: 100 = location loc1 100"}],  # --show-scores
      "status": {"code": 0, "message": "OK"}
    }

    STATUS = {"nodes": [{"name", "id", "state", "online", "standby", "maintenance",
                         "unclean", "resources_running"}],
              "resources": [RESOURCE]}
    RESOURCE = {"type": "primitive", "id", "agent", "role", "target_role", "active",
                "orphaned", "blocked", "managed", "failed", "failure_ignored", "nodes": [...]}
             | {"type": "group", "id", "managed", "disabled", "resources": [RESOURCE]}
             | {"type": "clone", "id", "child", "promotable", "unique", "managed",
                "disabled", "instances": [RESOURCE]}
"""

from __future__ import annotations

import json
from typing import Any

from pycrm.scheduler.types import NodeInfo
from pycrm.simulate.run import Simulation
from pycrm.simulate.view import (
    CloneItem,
    GroupItem,
    Item,
    PrimitiveItem,
    iter_states,
    node_flags,
    node_sort_key,
    running_count,
)

SCHEMA = "pycrm-simulate/1"


def _primitive(item: PrimitiveItem) -> dict[str, Any]:
    st = item.state
    return {
        "type": "primitive",
        "id": item.display_id,
        "agent": st.agent,
        "role": st.role if st.active else "Stopped",
        "target_role": item.target_role,
        "active": st.active,
        "orphaned": st.orphaned,
        "blocked": st.blocked,
        "managed": not st.unmanaged,
        "failed": st.failed,
        "failure_ignored": st.failure_ignored,
        "nodes": list(st.nodes) if st.active else [],
    }


def _group(item: GroupItem) -> dict[str, Any]:
    return {
        "type": "group",
        "id": item.id,
        "managed": item.managed,
        "disabled": item.disabled,
        "resources": [_primitive(m) for m in item.members],
    }


def item_dict(item: Item) -> dict[str, Any]:
    """One resource tree entry as JSON (the RESOURCE shape above)."""
    if isinstance(item, PrimitiveItem):
        return _primitive(item)
    if isinstance(item, GroupItem):
        return _group(item)
    return _clone(item)


def _clone(item: CloneItem) -> dict[str, Any]:
    return {
        "type": "clone",
        "id": item.id,
        "child": item.child_id,
        "promotable": item.promotable,
        "unique": item.unique,
        "managed": item.managed,
        "disabled": item.disabled,
        "target_role": item.target_role,
        "instances": [
            _primitive(i) if isinstance(i, PrimitiveItem) else _group(i) for i in item.instances
        ],
    }


def _status(nodes: tuple[NodeInfo, ...], items: list[Item], revised: bool) -> dict[str, Any]:
    running = running_count(iter_states(items))
    out_nodes = []
    for node in sorted(nodes, key=lambda n: node_sort_key(n.name)):
        flags = node_flags(node, revised)
        out_nodes.append(
            {
                "name": node.name,
                "id": node.id or node.name,
                "state": node.revised_state if revised else node.state,
                **flags,
                "resources_running": running.get(node.name, 0),
            }
        )
    return {"nodes": out_nodes, "resources": [item_dict(i) for i in items]}


def render(sim: Simulation, request: str, show_scores: bool = False) -> str:
    tr = sim.transition
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "request": request,
        "cluster_status": _status(sim.current_nodes, sim.current, revised=False),
        "modifications": list(sim.modifications),
        "actions": [
            {
                "action": line.verb.lower(),
                "resource": line.rsc,
                "from": line.from_node,
                "to": line.to_node,
                "from_role": line.from_role,
                "to_role": line.to_role,
                "reason": line.reason,
                "blocked": line.blocked,
            }
            for line in tr.summary
            if line.verb != "Leave"
        ],
        "transition": [
            {
                "resource": a.rsc,
                "op": a.task,
                "node": a.node,
                "interval_ms": a.interval_ms,
                "pseudo": a.pseudo,
            }
            for a in tr.actions
        ],
        "revised_cluster_status": _status(tr.nodes, sim.revised, revised=True),
    }
    if show_scores:
        doc["scores"] = [
            {
                "resource": d.rsc,
                "node": d.node,
                "score": d.score,
                "contributions": [
                    {"kind": c.kind, "source": c.source, "value": c.value} for c in d.contributions
                ],
                "explanation": d.explain(),
            }
            for d in tr.scores
        ]
        doc["promotion_scores"] = dict(tr.promotion_scores)
    doc["status"] = {"code": 0, "message": "OK"}
    # compact: the indenting encoder is pure Python and 5x slower on big clusters
    return json.dumps(doc, separators=(",", ":")) + "\n"
