"""Per-peer generation and sequence tracking (heartbeat's `should_drop_message`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

FLOWCONTROL_LIMIT = 250  # a bigger gap is not recoverable by retransmission


class Verdict(enum.Enum):
    ACCEPT = "accept"  # in order (or first packet)
    GAP = "gap"  # accepted, earlier seqs now missing
    FILLED = "filled"  # accepted a missing seq
    DUPLICATE = "duplicate"  # same as the last one
    OLD = "old"  # older and not missing: drop
    REPLAY = "replay"  # older generation: drop
    RESET = "reset"  # huge gap: tracking restarted, accepted


@dataclass
class CheckResult:
    verdict: Verdict
    restarted: bool = False  # a new generation was seen
    old_generation: int = 0
    gap_from: int = 0  # GAP: last seq before the gap
    gap_count: int = 0
    missing_now_empty: bool = False  # FILLED: no gaps remain

    @property
    def accepted(self) -> bool:
        return self.verdict in (Verdict.ACCEPT, Verdict.GAP, Verdict.FILLED, Verdict.RESET)


@dataclass
class SeqTracker:
    generation: int = 0
    last_seq: int = 0  # 0 = nothing received yet (heartbeat seqs start at 1)
    missing: set[int] = field(default_factory=set)

    def reset(self) -> None:
        self.last_seq = 0
        self.missing.clear()

    def check(self, seq: int, gen: int) -> CheckResult:
        restarted = False
        old_gen = self.generation
        if gen < self.generation:
            return CheckResult(Verdict.REPLAY, old_generation=old_gen)
        if gen > self.generation:
            restarted = self.generation > 0
            self.generation = gen
            self.reset()
        if self.last_seq == 0 or seq == self.last_seq + 1:
            self.last_seq = seq
            return CheckResult(Verdict.ACCEPT, restarted, old_gen)
        if seq == self.last_seq:
            return CheckResult(Verdict.DUPLICATE, restarted, old_gen)
        if seq > self.last_seq:
            gap = seq - self.last_seq - 1
            if gap > FLOWCONTROL_LIMIT or len(self.missing) + gap > FLOWCONTROL_LIMIT:
                self.reset()
                self.last_seq = seq
                return CheckResult(Verdict.RESET, restarted, old_gen)
            before = self.last_seq
            self.missing.update(range(self.last_seq + 1, seq))
            self.last_seq = seq
            return CheckResult(Verdict.GAP, restarted, old_gen, gap_from=before, gap_count=gap)
        if seq in self.missing:
            self.missing.discard(seq)
            return CheckResult(
                Verdict.FILLED, restarted, old_gen, missing_now_empty=not self.missing
            )
        return CheckResult(Verdict.OLD, restarted, old_gen)
