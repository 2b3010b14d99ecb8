"""DRBD resource state and LINBIT's promotion-score rules, as pure functions.

State comes from `drbdsetup events2 --now <res>` (DRBD 9), or for older
kernels from `drbdadm role|cstate|dstate`. The score rules follow
ocf:linbit:drbd's adjust_master_score: four values for "only consistent",
"only a peer is UpToDate", "local UpToDate but a peer is unknown" and "as
good as it gets".
"""

from __future__ import annotations

_INCONSISTENT = frozenset({"Diskless", "Failed", "Inconsistent", "Outdated", "Detaching"})
_TRANSITIONAL = frozenset({"Attaching", "Negotiating"})


class Peer:
    __slots__ = ("connection", "disks", "node_id", "role")

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        self.connection = "Unknown"
        self.role = "Unknown"
        self.disks: list[str] = []


class DrbdStatus:
    """What one node knows about one DRBD resource."""

    __slots__ = ("client", "disks", "peers", "quorum", "role")

    def __init__(self) -> None:
        self.role = "Unconfigured"
        self.disks: list[str] = []
        self.client = False
        self.quorum = True
        self.peers: dict[str, Peer] = {}

    @property
    def configured(self) -> bool:
        return self.role != "Unconfigured"

    @property
    def primary(self) -> bool:
        return self.role == "Primary"

    @property
    def some_peer_primary(self) -> bool:
        return any(p.role == "Primary" for p in self.peers.values())

    @property
    def disk_all_up_to_date(self) -> bool:
        return bool(self.disks) and all(d == "UpToDate" for d in self.disks)

    @property
    def disk_all_consistent(self) -> bool:
        return not any(d in _INCONSISTENT for d in self.disks)

    @property
    def disk_transitional(self) -> bool:
        return any(d in _TRANSITIONAL for d in self.disks)

    @property
    def disk_failed(self) -> bool:
        return not self.client and any(d in ("Diskless", "Failed") for d in self.disks)

    def some_peer_all_up_to_date(self) -> bool:
        return any(p.disks and all(d == "UpToDate" for d in p.disks) for p in self.peers.values())

    def peer_disk_any_unknown(self) -> bool:
        return any(not p.disks or "DUnknown" in p.disks for p in self.peers.values())

    def summary(self) -> str:
        peers = ", ".join(
            f"{p.node_id}:{p.connection}/{p.role}/{'/'.join(p.disks) or '-'}"
            for p in self.peers.values()
        )
        return f"role {self.role}, disk {'/'.join(self.disks) or '-'}, peers [{peers}]"


def parse_events2(text: str, resource: str) -> DrbdStatus:
    """Parse `drbdsetup events2 --now` output for one resource."""
    status = DrbdStatus()
    for line in text.splitlines():
        words = line.split()
        if len(words) < 2 or words[0] != "exists":
            continue
        if words[1] == "-":
            break
        if len(words) < 3 or words[2] != f"name:{resource}":
            continue
        obj = words[1]
        kv = dict(w.split(":", 1) for w in words[3:] if ":" in w)
        if obj == "resource":
            status.role = kv.get("role", "Unconfigured")
        elif obj == "connection":
            peer = status.peers.setdefault(
                kv.get("peer-node-id", "-"), Peer(kv.get("peer-node-id", "-"))
            )
            peer.connection = kv.get("connection", "Unknown")
            peer.role = kv.get("role", "Unknown")
        elif obj == "device":
            if kv.get("disk") == "Diskless" and kv.get("client") == "yes":
                status.client = True
                status.disks.append("Diskless")
            else:
                status.disks.append(kv.get("disk", "DUnknown"))
            if kv.get("quorum") == "no":
                status.quorum = False
        elif obj == "peer-device":
            peer = status.peers.setdefault(
                kv.get("peer-node-id", "-"), Peer(kv.get("peer-node-id", "-"))
            )
            peer.disks.append(kv.get("peer-disk", "DUnknown"))
    return status


def parse_legacy(role: str, cstate: str, dstate: str) -> DrbdStatus:
    """State from DRBD 8 style `drbdadm role/cstate/dstate` output (one peer)."""
    status = DrbdStatus()
    local_role, _, peer_role = role.strip().partition("/")
    if not local_role or local_role == "Unconfigured":
        return status
    status.role = local_role
    local_disk, _, peer_disk = dstate.strip().partition("/")
    status.disks = [local_disk] if local_disk else []
    if peer_role or peer_disk:
        peer = Peer("0")
        peer.role = peer_role or "Unknown"
        peer.connection = cstate.strip() or "Unknown"
        peer.disks = [peer_disk] if peer_disk else []
        status.peers["0"] = peer
    return status


def parse_scores(text: str) -> tuple[int, int, int, int]:
    """adjust_master_score: 'only-consistent only-remote local-ok as-good-as-it-gets'."""
    parts = text.split()
    if len(parts) != 4 or not all(p.lstrip("-").isdigit() for p in parts):
        raise ValueError(f"adjust_master_score {text!r} must be four integers")
    a, b, c, d = (int(p) for p in parts)
    return a, b, c, d


def promotion_score(
    status: DrbdStatus, scores: tuple[int, int, int, int], *, remove_if_peer_primary: bool = False
) -> int | None:
    """The promotion score to publish; None means remove it; -1 means leave it as is."""
    only_consistent, only_remote, local_ok, best = scores
    if not status.quorum:
        return None
    peer_is_good_primary = status.some_peer_primary and status.some_peer_all_up_to_date()
    if remove_if_peer_primary and not status.primary and peer_is_good_primary:
        return None
    if status.client:
        if status.primary and status.some_peer_all_up_to_date():
            return best - 1
        if status.some_peer_all_up_to_date():
            return local_ok - 1
        return None
    if status.disk_all_up_to_date:
        if status.primary:
            return best
        return local_ok if status.peer_disk_any_unknown() else best
    if status.some_peer_all_up_to_date():
        return only_remote
    if status.disk_transitional:
        return -1
    if status.disk_all_consistent:
        return only_consistent
    return None
