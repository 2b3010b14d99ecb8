"""Reading the daemons' logs for detection times (pycrm.demo.logscan)."""

from __future__ import annotations

import re
from pathlib import Path

from pycrm.demo import logscan

LINES = [
    "2026-12-07 17:00:12.584 node1 pycrm[28644]: INFO: Link node3:eth0 dead.",
    "2026-12-07 17:00:12.600 node2 pycrm[27595]: WARNING: node node1: is dead",
    "2026-12-07 17:00:12.602 node2 pycrm[27595]: INFO: verdict: node2 active, comm up, 1/2 peers",
    "2026-12-07 17:00:12.610 node2 pycrm[27595]: INFO: verdict: fence node1 (reboot: peer is"
    " no longer part of the cluster), moved web to node2: node1 left",
    "2026-12-07 17:00:13.001 node2 pycrm[27595]: INFO: web-site: main process 12 exited: "
    "monitoring now",
    "2026-12-07 17:00:13.100 node2 pycrm[27595]: INFO: call 9: web-site_monitor_10000 on node2:"
    " rc=7 (complete) 35ms",
    "2026-12-07 17:00:13.200 node2 pycrm[27595]: INFO: call 3: web-site_monitor_0 on node2:"
    " rc=7 (complete) 35ms",
    "2026-12-07 17:00:14.624 node2 pycrm[27595]: CRITICAL: Cluster node node1 returning after"
    " partition.",
    "2026-12-07 17:00:15.000 node2 pycrm[27595]: INFO: join round 5 complete: node1, node2"
    " joined; no answer from node3",
    "2026-12-07 17:00:15.500 node2 pycrm[27595]: INFO: join round 6 complete: node3 joined",
    "a line that is not a log line",
]


def test_lines_are_parsed_with_their_wall_time() -> None:
    parsed = logscan.parse(LINES)
    assert len(parsed) == len(LINES) - 1
    first = parsed[0]
    assert (first.node, first.level, first.text) == ("node1", "INFO", "Link node3:eth0 dead.")
    assert round(parsed[1].wall - first.wall, 3) == 0.016


def test_patterns_match_what_they_name() -> None:
    texts = [line.text for line in logscan.parse(LINES)]

    def matching(pattern: re.Pattern[str]) -> list[int]:
        return [i for i, t in enumerate(texts) if pattern.search(t)]

    assert matching(logscan.dead("node1")) == [1]
    assert matching(logscan.dead("node")) == []
    assert matching(logscan.link_dead("node3")) == [0]
    assert matching(logscan.DECISION) == [3]  # not the membership verdict
    assert matching(logscan.service_failed("web-site")) == [4, 5]  # not the probe
    assert matching(logscan.returned()) == [7]
    assert matching(logscan.joined("node1")) == [8]
    assert matching(logscan.joined("node2")) == [8]
    assert matching(logscan.joined("node3")) == [9]  # not "no answer from node3"
    assert matching(logscan.joined("node")) == []


def test_a_watch_sees_only_lines_written_after_it(tmp_path: Path) -> None:
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text(LINES[1] + "\n")
    watch = logscan.LogWatch([a, b])
    assert watch.first(logscan.dead("node1")) is None
    with open(a, "a") as fh:
        fh.write(LINES[7] + "\n" + LINES[1].replace("12.600", "15.000") + "\n")
    b.write_text(LINES[1].replace("12.600", "14.000").replace("node2 ", "node3 ") + "\n")
    seen = watch.first(logscan.dead("node1"))
    assert seen is not None and seen.node == "node3"  # the earliest of both files
    only_a = watch.first(logscan.dead("node1"), [a])
    assert only_a is not None and only_a.node == "node2"
