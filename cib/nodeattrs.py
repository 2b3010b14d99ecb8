"""Node attributes as rules see them (Pacemaker's ``add_node_attrs``).

Built-ins first (``#uname``, ``#id``, ``#kind``, ``#is_dc``, ``#cluster-name``), then the
permanent ``<node><instance_attributes>`` (sets resolved with rules), then the transient
attributes from the status section, which override permanent ones.  ``#site-name`` comes from
a ``site-name`` attribute, else the cluster name.
"""

from __future__ import annotations

from datetime import datetime

from cib.model import Cib, Node
from cib.nvsets import cluster_options, resolve
from cib.rules import RuleContext

_KINDS = {"member": "cluster", "remote": "remote", "ping": "ping"}


def builtin_attributes(cib: Cib, node: Node, cluster_name: str | None = None) -> dict[str, str]:
    attrs = {
        "#uname": node.uname,
        "#id": node.id,
        "#kind": _KINDS.get(node.type, node.type),
        "#is_dc": "true" if cib.attrs.get("dc-uuid") == node.id else "false",
    }
    if cluster_name:
        attrs["#cluster-name"] = cluster_name
    return attrs


def node_attributes(
    cib: Cib,
    uname: str,
    *,
    now: datetime | None = None,
    options: dict[str, str] | None = None,
) -> dict[str, str]:
    """All attributes of node ``uname`` (a node only present in the status section gets the
    built-ins derived from its node_state).  ``options``: already resolved crm_config."""
    node = cib.node_by_uname(uname)
    state = cib.status.get(uname)
    if node is None:
        node = Node(id=state.id if state is not None else uname, uname=uname)
    opts = options if options is not None else cluster_options(cib.crm_config)
    cluster_name = opts.get("cluster-name")
    attrs = builtin_attributes(cib, node, cluster_name)
    # Permanent attributes: rules inside them see the built-ins.
    permanent = resolve(node.attr_sets, RuleContext(node_attrs=dict(attrs), now=now))
    for name, value in permanent.items():
        attrs.setdefault(name, value)
    if state is not None:
        attrs.update(state.transient)
    if "#site-name" not in attrs:
        site = attrs.get("site-name") or cluster_name
        if site:
            attrs["#site-name"] = site
    return attrs
