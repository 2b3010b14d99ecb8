"""`pycrm status --output-as=json`: the XML document's content as typed JSON.

Stable keys (schema ``pycrm-status/1``); times are epoch seconds (``null`` when unknown),
durations milliseconds, flags booleans::

    {
      "schema": "pycrm-status/1",
      "request": "pycrm status --output-as=json",
      "cluster": {"name": "web", "local_node": "node1", "cib_version": [0, 12, 3],
                  "membership": {"node1": "member", "node2": "lost"}},
      "summary": {
        "stack": "pycrm",
        "current_dc": {"present": true, "name": "node1", "id": "1", "version": "...",
                       "with_quorum": true, "mixed_version": false},
        "last_update": 1700000000.5,
        "last_change": {"time": "Mon Dec  7 10:00:00 2026", "epoch": 1700000000.0,
                        "user": "root", "client": "cibadmin", "origin": "node1"},
        "nodes_configured": 3,
        "resources_configured": {"number": 5, "disabled": 0, "blocked": 0},
        "cluster_options": {"stonith-enabled": false, "symmetric-cluster": true,
                            "no-quorum-policy": "stop", "maintenance-mode": false,
                            "stop-all-resources": false, "stonith-timeout-ms": 60000,
                            "priority-fencing-delay-ms": 0}
      },
      "nodes": [{"name", "id", "state" (the Node List word: "online", "standby",
                 "OFFLINE", "UNCLEAN (offline)", ...), "online", "standby",
                 "standby_onfail", "maintenance", "pending", "unclean", "health",
                 "feature_set", "shutdown", "expected_up", "is_dc", "resources_running",
                 "membership"}],
      "resources": [RESOURCE],             # as pycrm-simulate/1 (pycrm.simulate.jsonout)
      "node_attributes": {"node1": {"pingd": {"value": "1000", "expected": 1000}}},
      "node_history": [{"node": "node1", "resources": [
          {"id", "migration_threshold", "fail_count", "last_failure",
           "operations": [{"call", "task", "interval_ms", "rc", "rc_text",
                           "last_rc_change", "exec_time_ms", "queue_time_ms"}]}]}],
      "failures": [{"op_key", "node", "resource", "task", "interval_ms", "exitstatus",
                    "exitreason", "exitcode", "call", "status", "last_rc_change",
                    "queued_ms", "exec_ms"}],
      "fence_history": [{"action", "target", "client", "origin",
                         "status" ("success", "failed", "pending"), "delegate",
                         "completed" (epoch seconds or null), "exit_reason", "device"}],
      "bans": [{"id", "resource", "node", "weight", "promoted_only"}],
      "status": {"code": 0, "message": "OK"}
    }
"""

from __future__ import annotations

import json
from typing import Any

from pycrm.simulate.jsonout import item_dict
from pycrm.status import fencing
from pycrm.status.collect import ClusterStatus, Failure, NodeRow, ResourceHistory
from pycrm.status.words import exec_text, rc_text

SCHEMA = "pycrm-status/1"


def _node(node: NodeRow) -> dict[str, Any]:
    return {
        "name": node.name,
        "id": node.id,
        "state": node.text_state,
        "online": node.online,
        "standby": node.standby,
        "standby_onfail": node.standby_onfail,
        "maintenance": node.maintenance,
        "pending": node.pending,
        "unclean": node.unclean,
        "health": node.health,
        "feature_set": node.feature_set,
        "shutdown": node.shutdown,
        "expected_up": node.expected_up,
        "is_dc": node.is_dc,
        "resources_running": node.resources_running,
        "membership": node.membership,
    }


def _history(rsc: ResourceHistory) -> dict[str, Any]:
    return {
        "id": rsc.id,
        "migration_threshold": rsc.migration_threshold,
        "fail_count": rsc.fail_count,
        "last_failure": rsc.last_failure,
        "operations": [
            {
                "call": op.call,
                "task": op.task,
                "interval_ms": op.interval_ms,
                "rc": op.rc,
                "rc_text": rc_text(op.rc),
                "last_rc_change": op.last_rc_change or None,
                "exec_time_ms": op.exec_time,
                "queue_time_ms": op.queue_time,
            }
            for op in rsc.ops
        ],
    }


def _failure(f: Failure) -> dict[str, Any]:
    return {
        "op_key": f.op_key,
        "node": f.node,
        "resource": f.rsc,
        "task": f.task,
        "interval_ms": f.interval_ms,
        "exitstatus": rc_text(f.rc),
        "exitreason": f.exit_reason,
        "exitcode": f.rc,
        "call": f.call,
        "status": exec_text(f.exec_status),
        "last_rc_change": f.last_rc_change or None,
        "queued_ms": f.queue_time,
        "exec_ms": f.exec_time,
    }


def document(
    st: ClusterStatus, request: str, fence_history: int = fencing.DEFAULT_LEVEL
) -> dict[str, Any]:
    snap = st.snapshot
    opts = st.options
    change = st.last_change
    return {
        "schema": SCHEMA,
        "request": request,
        "cluster": {
            "name": snap.cluster_name,
            "local_node": snap.local_node,
            "cib_version": None if snap.cib_version is None else list(snap.cib_version),
            "membership": dict(snap.membership),
        },
        "summary": {
            "stack": snap.stack,
            "current_dc": {
                "present": snap.dc is not None,
                "name": snap.dc,
                "id": st.dc_id,
                "version": snap.dc_version,
                "with_quorum": snap.have_quorum,
                "mixed_version": st.mixed_version,
            },
            "last_update": snap.last_updated,
            "last_change": {
                "time": change.time,
                "epoch": change.epoch,
                "user": change.user,
                "client": change.client,
                "origin": change.origin,
            },
            "nodes_configured": len(st.nodes),
            "resources_configured": {
                "number": st.instances,
                "disabled": st.disabled,
                "blocked": st.blocked,
            },
            "cluster_options": {
                "stonith-enabled": opts.stonith_enabled,
                "symmetric-cluster": opts.symmetric_cluster,
                "no-quorum-policy": opts.no_quorum_policy,
                "maintenance-mode": opts.maintenance_mode,
                "stop-all-resources": opts.stop_all_resources,
                "stonith-timeout-ms": opts.stonith_timeout_ms,
                "priority-fencing-delay-ms": opts.priority_fencing_delay_ms,
            },
        },
        "nodes": [_node(n) for n in st.nodes],
        "resources": [item_dict(i) for i in st.resources],
        "node_attributes": {
            n.node: {a.name: {"value": a.value, "expected": a.expected} for a in n.attributes}
            for n in st.attributes
        },
        "node_history": [
            {"node": h.node, "resources": [_history(r) for r in h.resources]}
            for h in st.history
            if h.resources
        ],
        "failures": [_failure(f) for f in st.failures],
        "fence_history": fencing.json_events(snap.fence_history, fence_history),
        "bans": [
            {
                "id": b.id,
                "resource": b.resource,
                "node": b.node,
                "weight": b.weight,
                "promoted_only": b.promoted_only,
            }
            for b in st.bans
        ],
        "status": {"code": 0, "message": "OK"},
    }


def render(st: ClusterStatus, request: str, fence_history: int = fencing.DEFAULT_LEVEL) -> str:
    return json.dumps(document(st, request, fence_history), indent=2) + "\n"
