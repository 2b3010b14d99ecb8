"""keepalive / warntime / deadtime / initdead, with heartbeat's defaults and checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from heartbeat_compat.config.hacf_model import HaCf

POLL_INTERVAL_MS = 250  # heartbeat checks node liveness every 250 ms
MAX_REXMIT_DELAY_MS = 250


class TimingError(ValueError):
    """A timing combination heartbeat refuses to start with."""


@dataclass(frozen=True)
class Timing:
    keepalive_ms: int = 1000
    deadtime_ms: int = 30000
    warntime_ms: int | None = None
    initdead_ms: int | None = None
    deadping_ms: int | None = None
    max_rexmit_delay_ms: int = MAX_REXMIT_DELAY_MS

    @classmethod
    def from_hacf(cls, hacf: HaCf) -> Timing:
        """The times ha.cf gives (its defaults and derived values already applied)."""
        return cls(
            keepalive_ms=hacf.keepalive_ms,
            deadtime_ms=hacf.deadtime_ms,
            warntime_ms=hacf.warntime_ms,
            initdead_ms=hacf.initdead_ms,
            deadping_ms=hacf.deadping_ms,
            max_rexmit_delay_ms=hacf.max_rexmit_delay_ms,
        )

    @property
    def warn_ms(self) -> int:
        return self.warntime_ms if self.warntime_ms is not None else self.deadtime_ms // 2

    @property
    def init_ms(self) -> int:
        if self.initdead_ms is not None:
            return self.initdead_ms
        if self.deadtime_ms > 10000:
            return self.deadtime_ms
        if self.deadtime_ms < 6000:
            return 12000
        return 2 * self.deadtime_ms

    @property
    def ping_ms(self) -> int:
        return self.deadping_ms if self.deadping_ms is not None else self.deadtime_ms

    def validate(self) -> list[str]:
        """Raise TimingError for fatal combinations; return warnings heartbeat would log."""
        if self.keepalive_ms <= 0:
            raise TimingError(f"keepalive [{self.keepalive_ms} ms] must be positive")
        if self.deadtime_ms <= 2 * self.keepalive_ms:
            raise TimingError(
                f"Dead time [{self.deadtime_ms}] is too small compared to keeplive"
                f" [{self.keepalive_ms}]"
            )
        if self.ping_ms <= 2 * self.keepalive_ms:
            raise TimingError(
                f"Ping dead time [{self.ping_ms}] is too small compared to keeplive"
                f" [{self.keepalive_ms}]"
            )
        if self.init_ms < self.deadtime_ms:
            raise TimingError(
                f"Initial dead time [{self.init_ms}] is smaller than deadtime [{self.deadtime_ms}]"
            )
        if self.max_rexmit_delay_ms <= 50:
            raise TimingError(f"max_rexmit_delay [{self.max_rexmit_delay_ms}] must exceed 50 ms")
        warnings = []
        if self.warn_ms >= self.deadtime_ms:
            warnings.append("warntime should be smaller than deadtime")
        if self.init_ms < 10000:
            warnings.append(f"Initial dead time [{self.init_ms} ms] may be too small!")
        return warnings
