"""What only the daemon knows, next to the CIB, to render a status: `DaemonSnapshot`.

Everything else (nodes' online/standby/unclean/pending states, resources, failures, fail
counts) is read from the CIB, exactly as crm_mon reads it. The daemon fills a snapshot in
its loop (cheap: a few fields) and `status_payload` ships it with the CIB to the client.

`offline_snapshot(cib)` builds one from a CIB file alone, the way crm_mon sees a CIB_file
(DC from ``dc-uuid``, quorum from ``have-quorum``, stack and DC version from the
``cluster-infrastructure`` / ``dc-version`` properties, last change from the ``cib``
element's attributes): the golden tests compare our rendering of it with crm_mon's.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from cib.model import Cib
from cib.nvsets import cluster_options
from pycrm.fencing.history import FenceEvent, FenceHistory

# A configured node as the daemon's membership layer sees it right now.
MEMBERSHIP_STATES = ("member", "lost", "unknown")


@dataclass(frozen=True)
class LastChange:
    """The last CIB change: when (epoch seconds), by whom, with what, from which node."""

    time: float | None = None
    user: str | None = None
    client: str | None = None
    origin: str | None = None


@dataclass(frozen=True)
class DaemonSnapshot:
    cluster_name: str
    stack: str  # e.g. "pycrm" (crm_mon: the cluster-infrastructure property)
    local_node: str | None  # the node that answered (None: rendered from a file)
    dc: str | None  # DC node name, None when there is no DC
    dc_version: str | None  # the DC's software version (None: "unknown")
    have_quorum: bool
    last_updated: float  # epoch seconds when the snapshot was taken
    # configured node -> MEMBERSHIP_STATES: what this node's membership layer sees now
    membership: Mapping[str, str] = field(default_factory=dict)
    # None: read cib-last-written / update-user / update-client / update-origin from the CIB
    last_change: LastChange | None = None
    cib_version: tuple[int, int, int] | None = None  # (admin_epoch, epoch, num_updates)
    # the fencing history the daemon keeps (Pacemaker's fencer history, shown by crm_mon)
    fence_history: tuple[FenceEvent, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        change = self.last_change
        return {
            "cluster_name": self.cluster_name,
            "stack": self.stack,
            "local_node": self.local_node,
            "dc": self.dc,
            "dc_version": self.dc_version,
            "have_quorum": self.have_quorum,
            "last_updated": self.last_updated,
            "membership": dict(self.membership),
            "last_change": None
            if change is None
            else {
                "time": change.time,
                "user": change.user,
                "client": change.client,
                "origin": change.origin,
            },
            "cib_version": None if self.cib_version is None else list(self.cib_version),
            "fence_history": [e.to_dict() for e in self.fence_history],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DaemonSnapshot:
        """Inverse of to_dict; raises ValueError naming the bad field."""
        change = data.get("last_change")
        version = data.get("cib_version")
        membership = _mapping(data, "membership")
        for name, state in membership.items():
            if state not in MEMBERSHIP_STATES:
                raise ValueError(f"snapshot: membership of {name}: unknown state {state!r}")
        return cls(
            cluster_name=_text(data, "cluster_name"),
            stack=_text(data, "stack"),
            local_node=_opt_text(data, "local_node"),
            dc=_opt_text(data, "dc"),
            dc_version=_opt_text(data, "dc_version"),
            have_quorum=_flag(data, "have_quorum"),
            last_updated=_number(data, "last_updated"),
            membership=membership,
            last_change=None
            if change is None
            else LastChange(
                time=None if change.get("time") is None else _number(change, "time"),
                user=_opt_text(change, "user"),
                client=_opt_text(change, "client"),
                origin=_opt_text(change, "origin"),
            )
            if isinstance(change, dict)
            else _bad("last_change"),
            cib_version=None if version is None else _version(version),
            fence_history=tuple(FenceHistory.from_list(data.get("fence_history", []))),
        )


def offline_snapshot(cib: Cib, now: float | None = None) -> DaemonSnapshot:
    """What crm_mon knows when it reads a CIB file (see the module docstring)."""
    options = cluster_options(cib.crm_config)
    dc_uuid = cib.attrs.get("dc-uuid")
    dc = next((n.uname for n in cib.nodes if dc_uuid is not None and n.id == dc_uuid), None)
    quorum = cib.attrs.get("have-quorum", "false").strip().lower()
    return DaemonSnapshot(
        cluster_name=options.get("cluster-name", ""),
        stack=options.get("cluster-infrastructure", "unknown"),
        local_node=None,
        dc=dc,
        dc_version=options.get("dc-version"),
        have_quorum=quorum in ("1", "true", "yes", "on", "y"),
        last_updated=time.time() if now is None else now,
        cib_version=cib.version,
    )


def _bad(name: str) -> NoReturn:
    raise ValueError(f"snapshot: {name}: wrong type")


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else _bad(name)


def _opt_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if value is None or isinstance(value, str) else _bad(name)


def _flag(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name)
    return value if isinstance(value, bool) else _bad(name)


def _number(data: Mapping[str, Any], name: str) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _bad(name)
    return float(value)


def _mapping(data: Mapping[str, Any], name: str) -> dict[str, str]:
    value = data.get(name, {})
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return _bad(name)
    return dict(value)


def _version(value: Any) -> tuple[int, int, int]:
    if (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return (value[0], value[1], value[2])
    return _bad("cib_version")
