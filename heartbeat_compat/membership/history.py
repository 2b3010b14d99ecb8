"""The last MAXMSGHIST messages we sent, for answering NS_rexmit."""

from __future__ import annotations

from collections import OrderedDict

from heartbeat_compat.membership.fields import Fields

MAXMSGHIST = 500
MAX_REXMIT_BATCH = 50


class SendHistory:
    def __init__(self, size: int = MAXMSGHIST) -> None:
        self.size = size
        self._msgs: OrderedDict[int, Fields] = OrderedDict()
        self._last_rexmit: dict[int, float] = {}

    def add(self, seq: int, fields: Fields) -> None:
        self._msgs[seq] = list(fields)
        while len(self._msgs) > self.size:
            old, _ = self._msgs.popitem(last=False)
            self._last_rexmit.pop(old, None)

    @property
    def lowest(self) -> int | None:
        return next(iter(self._msgs), None)

    def get(self, seq: int) -> Fields | None:
        return self._msgs.get(seq)

    def rexmit(
        self, first: int, last: int, now: float, min_interval: float
    ) -> tuple[list[Fields], list[tuple[int, str]]]:
        """Messages to resend for [first, last] and (seq, reason) pairs we cannot resend.

        At most MAX_REXMIT_BATCH per request; a seq resent less than
        `min_interval` seconds ago is skipped (several peers may ask at once).
        """
        resend: list[Fields] = []
        naks: list[tuple[int, str]] = []
        if last < first:
            return resend, naks
        lowest = self.lowest
        for seq in range(first, min(last, first + MAX_REXMIT_BATCH - 1) + 1):
            msg = self._msgs.get(seq)
            if msg is None:
                reason = (
                    "seqno too low" if lowest is not None and seq < lowest else "seqno not found"
                )
                naks.append((seq, reason))
                continue
            sent = self._last_rexmit.get(seq)
            if sent is not None and now - sent < min_interval:
                continue
            self._last_rexmit[seq] = now
            resend.append(msg)
        return resend, naks
