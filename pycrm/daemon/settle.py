"""When heartbeat's membership is handed to the controller (sans I/O).

Heartbeat declares each peer dead on its own: ``deadtime`` after the last packet heard
from it.  When a node is cut off from the others, the last packets of its peers left them
up to a keepalive apart, so it loses them one by one.  Acting on the first loss alone is
wrong: the cut-off node (a DC, say) still counts the other peer and quorum, and would fence
the node it lost first -- a member of the majority, which fences it in turn.  Corosync
avoids this by agreeing on the whole new membership before reporting it.

The gate does the same with what heartbeat knows: when the membership loses a node while
another peer that still counts as alive has not been heard for a while (``quiet``: half the
dead time, at least one and a half keepalives -- a healthy peer is heard every keepalive),
the change waits until that peer is heard again or declared dead as well, for at most one
dead time.  A lone crash is handed on at once: the other peers were heard moments ago.
"""

from __future__ import annotations

from collections.abc import Collection


class MembershipGate:
    def __init__(self, keepalive_s: float, deadtime_s: float) -> None:
        self.keepalive = keepalive_s
        self.quiet = max(deadtime_s / 2, 1.5 * keepalive_s)
        self.cap = deadtime_s
        self.current: tuple[str, ...] | None = None
        self.log: list[str] = []
        self._hold_until: float | None = None
        self._recheck_at: float | None = None

    def offer(
        self, members: tuple[str, ...], silent: Collection[str], now: float
    ) -> tuple[str, ...] | None:
        """Heartbeat's view now; ``silent``: peers not heard for ``quiet`` seconds.  Returns
        the membership to hand on, or None (unchanged, or waiting)."""
        if members == self.current:
            self._release()
            return None
        lost = sorted(set(self.current or ()) - set(members))
        waiting = sorted(n for n in silent if n in members)
        if lost and waiting:
            if self._hold_until is None:
                self._hold_until = now + self.cap
                self.log.append(
                    f"membership: {', '.join(lost)} lost; waiting up to {self.cap:g} s for"
                    f" {', '.join(waiting)} (silent for {self.quiet:g} s) before acting"
                )
            if now < self._hold_until:
                self._recheck_at = now + self.keepalive / 2
                return None
        self._release()
        self.current = members
        return members

    def _release(self) -> None:
        self._hold_until = None
        self._recheck_at = None

    def next_wakeup(self) -> float | None:
        return self._recheck_at
