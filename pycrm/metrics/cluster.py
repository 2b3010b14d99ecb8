"""The cluster's metrics under ha_cluster_exporter's names, from a `ClusterStatus` (pure).

ha_cluster_exporter (ClusterLabs) reads ``crm_mon --output-as=xml`` and the CIB; here the same
facts come from `pycrm.status.collect` -- the view ``pycrm status`` renders -- so a dashboard
built for the exporter reads a pycrm node unchanged, and the numbers agree with the status.
Names and labels are the exporter's (doc/metrics.md); what heartbeat's membership has instead
of corosync's is mapped as follows:

* ``ha_cluster_corosync_quorate``, ``..._quorum_votes{type}``, ``..._member_votes{node_id,node,
  local}``: pycrm's quorum (one vote per configured node, `pycrm.cluster.quorum`);
* ``ha_cluster_corosync_rings{ring_id,node_id,number,address}`` and ``..._ring_errors``: one
  ring per heartbeat link (``number`` its position, ``address`` its name); a ring is faulty
  when a peer that is alive is not heard on it.

Two extensions: a resource active on several nodes has its lines for each of them (the
exporter keeps one node), and the members of cloned groups are listed with both their group
instance and their clone (the exporter skips them).
``ha_cluster_pacemaker_config_last_change`` is a gauge here (a timestamp); the exporter
declares a counter, which its Go client prints under the same name.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from cib.model import Cib
from cib.scores import SCORE_INF
from pycrm.metrics.model import Membership
from pycrm.simulate.view import CloneItem, GroupItem, Item, PrimitiveItem
from pycrm.status.collect import ClusterStatus

RESOURCE_STATUSES = ("active", "orphaned", "blocked", "failed", "failure_ignored")
FAIL_COUNT_INFINITY = 1_000_000  # Pacemaker's INFINITY fail count: exported as +Inf


def pacemaker_families(status: ClusterStatus, cib: Cib) -> list[Metric]:
    """``ha_cluster_pacemaker_*`` from the status view (and the CIB's location constraints)."""
    return [
        _nodes(status),
        _node_attributes(status),
        _resources(status.resources),
        *_history(status),
        _gauge(
            "stonith_enabled", "Whether or not stonith is enabled", status.options.stonith_enabled
        ),
        _gauge(
            "maintenance_mode_enabled",
            "Whether or not cluster wide maintenance-mode is enabled",
            status.options.maintenance_mode,
        ),
        *_last_change(status),
        _locations(cib),
    ]


def corosync_families(cib: Cib, view: Membership) -> list[Metric]:
    """``ha_cluster_corosync_*`` from pycrm's quorum and heartbeat's links."""
    quorum = view.quorum
    quorate = GaugeMetricFamily(
        "ha_cluster_corosync_quorate", "Whether or not the cluster is quorate", quorum.quorate
    )
    votes = GaugeMetricFamily(
        "ha_cluster_corosync_quorum_votes",
        "Cluster quorum votes; one line per type",
        labels=["type"],
    )
    votes.add_metric(["expected_votes"], quorum.expected)
    votes.add_metric(["highest_expected"], quorum.expected)
    votes.add_metric(["total_votes"], quorum.votes)
    votes.add_metric(["quorum"], quorum.needed)
    ids = {n.uname: n.id for n in cib.nodes}
    members = GaugeMetricFamily(
        "ha_cluster_corosync_member_votes",
        "How many votes each member node has contributed with to the current quorum",
        labels=["node_id", "node", "local"],
    )
    for name in view.members:
        local = "true" if name == view.local_node else "false"
        members.add_metric([ids.get(name, ""), name, local], 1)
    rings = GaugeMetricFamily(
        "ha_cluster_corosync_rings",
        "The status of each ring (heartbeat link); 1 means healthy, 0 means faulty.",
        labels=["ring_id", "node_id", "number", "address"],
    )
    local_id = ids.get(view.local_node, "")
    errors = 0
    for ring in view.rings:
        healthy = ring.peers_heard >= ring.peers_alive
        errors += not healthy
        rings.add_metric([ring.name, local_id, str(ring.number), ring.name], healthy)
    ring_errors = GaugeMetricFamily(
        "ha_cluster_corosync_ring_errors", "The total number of faulty rings", errors
    )
    return [quorate, votes, members, rings, ring_errors]


def scrape_success(collector: str, ok: bool) -> Metric:
    family = GaugeMetricFamily(
        "ha_cluster_scrape_success", "Whether a collector succeeded", labels=["collector"]
    )
    family.add_metric([collector], ok)
    return family


# --------------------------------------------------------------------------- pacemaker
def _gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"ha_cluster_pacemaker_{name}", text, value)


def _nodes(status: ClusterStatus) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "ha_cluster_pacemaker_nodes",
        "The status of each node in the cluster; 1 means the node is in that status, 0 otherwise",
        labels=["node", "type", "status"],
    )
    for row in status.nodes:
        flags = {
            "online": row.online,
            "standby": row.standby,
            "standby_onfail": row.standby_onfail,
            "maintenance": row.maintenance,
            "pending": row.pending,
            "unclean": row.unclean,
            "shutdown": row.shutdown,
            "expected_up": row.expected_up,
            "dc": row.is_dc,
        }
        for name, flag in flags.items():  # ha_cluster_exporter's statuses, in its order
            family.add_metric([row.name, "member", name], flag)
    return family


def _node_attributes(status: ClusterStatus) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "ha_cluster_pacemaker_node_attributes",
        "Metadata attributes of each node; value is always 1",
        labels=["node", "name", "value"],
    )
    for node in status.attributes:
        for attr in node.attributes:
            family.add_metric([node.node, attr.name, attr.value], 1)
    return family


def _primitives(items: Sequence[Item]) -> Iterator[tuple[PrimitiveItem, str, str]]:
    """Every primitive instance with the group and clone it is listed under."""
    for item in items:
        if isinstance(item, PrimitiveItem):
            yield item, "", ""
        elif isinstance(item, GroupItem):
            for member in item.members:
                yield member, item.id, ""
        elif isinstance(item, CloneItem):
            for inst in item.instances:
                if isinstance(inst, PrimitiveItem):
                    yield inst, "", item.id
                else:
                    for member in inst.members:
                        yield member, inst.id, item.id


def _resources(items: Sequence[Item]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "ha_cluster_pacemaker_resources",
        "The status of each resource in the cluster; 1 means the resource is in that status,"
        " 0 otherwise",
        labels=["node", "resource", "role", "managed", "status", "agent", "group", "clone"],
    )
    seen: set[tuple[str, ...]] = set()
    for item, group, clone in _primitives(items):
        state = item.state
        flags = {
            "active": bool(state.nodes),
            "orphaned": state.orphaned,
            "blocked": state.blocked,
            "failed": state.failed,
            "failure_ignored": state.failure_ignored,
        }
        managed = "false" if state.unmanaged else "true"
        for node in state.nodes or ("",):
            labels = (node, item.display_id, state.role.lower(), managed)
            if labels in seen:  # stopped instances of an anonymous clone: listed once
                continue
            seen.add(labels)
            for name in RESOURCE_STATUSES:
                family.add_metric([*labels, name, state.agent, group, clone], flags[name])
    return family


def _history(status: ClusterStatus) -> list[GaugeMetricFamily]:
    fails = GaugeMetricFamily(
        "ha_cluster_pacemaker_fail_count",
        "The Fail count number per node and resource id",
        labels=["node", "resource"],
    )
    thresholds = GaugeMetricFamily(
        "ha_cluster_pacemaker_migration_threshold",
        "The migration_threshold number per node and resource id",
        labels=["node", "resource"],
    )
    for node in status.history:
        for rsc in node.resources:
            count = float("inf") if rsc.fail_count >= FAIL_COUNT_INFINITY else rsc.fail_count
            fails.add_metric([node.node, rsc.id], count)
            thresholds.add_metric([node.node, rsc.id], rsc.migration_threshold)
    return [fails, thresholds]


def _last_change(status: ClusterStatus) -> list[GaugeMetricFamily]:
    change = status.last_change
    epoch = change.epoch
    if epoch is None and change.time:
        try:  # cib-last-written, ctime(3)'s format in local time, as crm_mon shows it
            epoch = time.mktime(
                time.strptime(" ".join(change.time.split()), "%a %b %d %H:%M:%S %Y")
            )
        except (ValueError, OverflowError):
            epoch = None
    if epoch is None:
        return []
    return [
        _gauge(
            "config_last_change",
            "The timestamp of the last change of the cluster configuration",
            epoch,
        )
    ]


def _locations(cib: Cib) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "ha_cluster_pacemaker_location_constraints",
        "Resource location constraints. The value indicates the score.",
        labels=["constraint", "node", "resource", "role"],
    )
    for loc in cib.locations:
        if loc.node is None or loc.score is None or loc.rsc is None:
            continue  # rules, patterns and sets have no single node and score
        score = float(loc.score)
        if abs(loc.score) >= SCORE_INF:
            score = float("inf") if loc.score > 0 else float("-inf")
        family.add_metric([loc.id, loc.node, loc.rsc, (loc.role or "").lower()], score)
    return family
