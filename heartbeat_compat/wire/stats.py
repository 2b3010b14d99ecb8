"""Per-reason counters of accepted and dropped packets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .errors import DropReason


@dataclass(slots=True)
class DecodeStats:
    """What `decode` did: packets accepted, and packets dropped by reason."""

    accepted: int = 0
    dropped: Counter[str] = field(default_factory=Counter)  # keys: DropReason values
    last_drop: DropReason | None = None

    def record_drop(self, reason: DropReason) -> None:
        self.dropped[reason] += 1
        self.last_drop = reason

    @property
    def total_dropped(self) -> int:
        return sum(self.dropped.values())

    @property
    def total(self) -> int:
        return self.accepted + self.total_dropped

    def as_dict(self) -> dict[str, int]:
        """`{"accepted": n, "<reason>": n, ...}` for logs, status output and tests."""
        out = {"accepted": self.accepted}
        out.update({str(reason): n for reason, n in sorted(self.dropped.items())})
        return out
