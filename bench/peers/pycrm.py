"""pycrm itself: `pycrm run` on every node (TOML config, the lab's CIB), as the demo runs it.

Detection (node crash): the survivor's ``node node1: is dead`` line.  Detection (apache
killed): the first failed monitor of web-site.  Both from the daemon's own log, which has
millisecond timestamps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from peers.base import GROUP, VIP, System, cmdline, dated, first_after
from pycrm.demo.lab import ClusterLab

HEAD = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) ")
FMT = "%Y-%m-%d %H:%M:%S.%f"
DEAD = re.compile(r"node node1: is dead")
MONITOR_FAILED = re.compile(r"web-site_monitor_\d+ on node1: rc=[1-9]")
DC_LOST = re.compile(r"DC node1 left the partition")
APACHE_STARTED = re.compile(r"web-site_start_0 on \S+: rc=0 ")
APACHE_START_MS = re.compile(r"web-site_start_0 on \S+: rc=0 \(complete\) (\d+)ms")
# a false failover during an idle soak: a node declared dead, a DC change, a resource moved
FALSE_FAILOVER = re.compile(
    r"is dead|left the partition|standing for election|won the election|is DC|_start_0|_stop_0"
    r"|recovered|monitoring now"
)


@dataclass
class Pycrm(System):
    profile_name: str = "default"

    def profile(self) -> str:
        return self.profile_name

    def start(self, lab: ClusterLab) -> None:
        cib = lab.group_cib()
        for member in lab.members:
            lab.write_config(member, cib)
        for member in lab.members:
            lab.start(member.name)

    def ready(self, lab: ClusterLab) -> bool:
        return lab.http(timeout=1) == 200 and settled(lab)

    def log(self, lab: ClusterLab, node: str) -> list[tuple[float, str]]:
        return dated(lab.node(node).log, HEAD, FMT)

    def detected(self, lab: ClusterLab, scenario: str, fault: float) -> float | None:
        if scenario == "crash":
            return first_after(self.log(lab, "node2"), DEAD, fault)
        return first_after(self.log(lab, "node1"), MONITOR_FAILED, fault)

    def recovered(self, lab: ClusterLab, scenario: str, fault: float) -> bool:
        if not settled(lab):
            return False
        if scenario == "crash":
            return bool(lab.vip_holders())
        logs = [line for m in lab.members for line in self.log(lab, m.name)]
        return first_after(sorted(logs), APACHE_STARTED, fault) is not None

    def dc_crashed(self, lab: ClusterLab, fault: float) -> bool | None:
        return first_after(self.log(lab, "node2"), DC_LOST, fault) is not None

    def apache_start(self, lab: ClusterLab, fault: float) -> float | None:
        """How long the recovering start of apache took (the daemon's own figure)."""
        for m in lab.members:
            for when, line in self.log(lab, m.name):
                hit = APACHE_START_MS.search(line)
                if hit and when > fault:
                    return int(hit.group(1)) / 1000
        return None

    def is_stack(self, pid: int) -> bool:
        argv = cmdline(pid)
        return "pycrm.cli.main" in argv and "run" in argv

    def false_failovers(self, lab: ClusterLab, since: float) -> list[str]:
        """Lines of every node's log after ``since`` that mean something moved or died."""
        out = []
        for m in lab.members:
            for when, line in self.log(lab, m.name):
                if when > since and FALSE_FAILOVER.search(line):
                    out.append(line)
        return out


def settled(lab: ClusterLab) -> bool:
    """Every running daemon answers, and one (the DC) says the cluster has settled."""
    from pycrm.control.client import ControlError, call

    answers = []
    for member in lab.members:
        if member.proc is None or member.proc.poll() is not None:
            continue
        try:
            answers.append(call(member.run_dir, "settled", timeout=5))
        except ControlError:
            return False
    return bool(answers) and any(a.get("settled") is True for a in answers)


SYSTEMS = [
    Pycrm(
        "pycrm-default",
        moves=GROUP,
        period=0.5,
        bound=30.0,
        scenarios=("crash", "apache"),
        note="profile default: keepalive 500 ms, deadtime 2 s",
    ),
    Pycrm(
        "pycrm-fast",
        moves=GROUP,
        period=0.1,
        bound=30.0,
        scenarios=("crash", "apache"),
        profile_name="fast",
        note="profile fast: keepalive 100 ms, deadtime 400 ms",
    ),
    Pycrm(
        "pycrm-default-vip",
        moves=VIP,
        period=0.5,
        bound=30.0,
        note="profile default; only the IP moves, apache on every node",
    ),
    Pycrm(
        "pycrm-fast-vip",
        moves=VIP,
        period=0.1,
        bound=30.0,
        profile_name="fast",
        note="profile fast; only the IP moves, apache on every node",
    ),
]
