"""Reading the lab daemons' logs: when did a node notice something.

A `pycrm run` log line is ``2026-01-02 12:00:01.234 node2 pycrm[123]: WARNING: text``
(local wall-clock time, milliseconds).  The demo, the soak and bench/failover.py measure
detection as the time from a fault to the first line that shows it, on the nodes that
could see it:

* a node lost: ``node node1: is dead`` (the membership layer, on its peers);
* a service failure: ``web-site: main process 123 exited: monitoring now`` (the pidfd
  watch) or a recurring monitor with a non-zero rc;
* a decision: the DC's transition verdict (``verdict: moved web to node2: ...``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) (\S+) [^:]+: ([A-Z]+): (.*)$")
# the scheduler's verbs in a transition verdict (pycrm/daemon/verdict.py)
DECISION = re.compile(
    r"^verdict: (started|stopped|moved|recovered|restarted|promoted|demoted|migrated"
    r"|reloaded|re-promoted|cannot|fence) "
)


def dead(node: str) -> re.Pattern[str]:
    """A peer's membership layer declared ``node`` dead."""
    return re.compile(rf"^node {re.escape(node)}: is dead$")


def returned() -> re.Pattern[str]:
    """A node sees a peer again after a partition."""
    return re.compile(r"^Cluster node \S+ returning after partition")


def joined(node: str) -> re.Pattern[str]:
    """The DC's join round that ``node`` answered (it follows the DC, its CIB synced)."""
    name = re.escape(node)
    return re.compile(rf"^join round \d+ complete: (\S+, )*{name}(, \S+)* joined")


def lost_quorum() -> re.Pattern[str]:
    return re.compile(r"^partition \S+: no quorum ")


def service_failed(rsc: str) -> re.Pattern[str]:
    """``rsc``'s failure seen by its node: the watch of its main process, or a recurring
    monitor that did not return 0."""
    name = re.escape(rsc)
    return re.compile(
        rf"^({name}: .* monitoring now|call \d+: {name}_monitor_[1-9]\d* on \S+: rc=[1-9])"
    )


@dataclass(frozen=True)
class LogLine:
    wall: float  # epoch seconds
    node: str
    level: str
    text: str


def wall_of(stamp: str) -> float:
    """Epoch seconds of a log time stamp (local time)."""
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp()


def parse(lines: Iterable[str]) -> list[LogLine]:
    out = []
    for line in lines:
        m = LINE.match(line)
        if m:
            out.append(LogLine(wall_of(m.group(1)), m.group(2), m.group(3), m.group(4)))
    return out


def link_dead(node: str) -> re.Pattern[str]:
    """A peer stopped hearing ``node`` on one link."""
    return re.compile(rf"^Link {re.escape(node)}:\S+ dead\.$")


class LogWatch:
    """The lines logs get from now on: remembers each file's size when made."""

    def __init__(self, logs: Iterable[Path]) -> None:
        self.start: dict[Path, int] = {}
        for path in logs:
            try:
                self.start[path] = path.stat().st_size
            except OSError:
                self.start[path] = 0

    def lines(self, path: Path) -> list[LogLine]:
        try:
            with open(path, "rb") as fh:
                fh.seek(self.start.get(path, 0))
                data = fh.read()
        except OSError:
            return []
        return parse(data.decode(errors="replace").splitlines())

    def first(
        self, pattern: re.Pattern[str], nodes: Iterable[Path] | None = None
    ) -> LogLine | None:
        """The earliest new line matching ``pattern`` in ``nodes``' logs (default: all)."""
        best: LogLine | None = None
        for path in self.start if nodes is None else nodes:
            for line in self.lines(path):
                if pattern.search(line.text):
                    if best is None or line.wall < best.wall:
                        best = line
                    break  # a file is in time order: its first match is its earliest
        return best
