"""keepalived (VRRP) in the lab's node namespaces: the floating IP only.

keepalived manages addresses, not services, so apache runs on every node all the time and
only the IP moves (``VIP`` in the tables).  Per node, as in the reference lab:

    ip netns exec <node> keepalived -n -l -D -G -P -f <conf> -p <pid> -r <vrrp pid>

node1 is MASTER at priority 150, the others BACKUP at 100, 99, ...  ``v2`` leaves everything
at keepalived's defaults (VRRPv2, ``advert_int 1``); ``v3`` sets ``vrrp_version 3`` and
``advert_int 0.1``.

Detection: a backup's ``(VI_1) Receive advertisement timeout`` line, or its ``Entering
MASTER STATE`` when the first is missing.  keepalived's console lines carry no time, so the
bench stamps them as they appear (`LogTail`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from peers.base import VIP, LogTail, System, comm
from pycrm.demo.lab import ClusterLab, LabNode

TIMEOUT = re.compile(r"\(VI_1\) Receive advertisement timeout")
MASTER = re.compile(r"\(VI_1\) Entering MASTER STATE")
BACKUP = re.compile(r"\(VI_1\) Entering BACKUP STATE")


@dataclass
class Keepalived(System):
    version: int = 2
    advert: str = ""  # "" = keepalived's default (1 s)

    def conf(self, lab: ClusterLab, member: LabNode) -> str:
        prio = 150 if member.index == 1 else 101 - member.index
        glob = [f"router_id {member.name}"]
        if self.version != 2:
            glob.append(f"vrrp_version {self.version}")
        inst = [
            f"state {'MASTER' if member.index == 1 else 'BACKUP'}",
            "interface eth0",
            "virtual_router_id 51",
            f"priority {prio}",
            *([f"advert_int {self.advert}"] if self.advert else []),
            f"virtual_ipaddress {{\n    {lab.vip}/24\n  }}",
        ]
        return (
            "global_defs {\n"
            + "".join(f"  {g}\n" for g in glob)
            + "}\nvrrp_instance VI_1 {\n"
            + "".join(f"  {i}\n" for i in inst)
            + "}\n"
        )

    def start(self, lab: ClusterLab) -> None:
        for member in lab.members:
            home = member.home
            (home / "keepalived.conf").write_text(self.conf(lab, member))
            argv = [
                "keepalived", "-n", "-l", "-D", "-G", "-P",
                "-f", str(home / "keepalived.conf"),
                "-p", str(home / "keepalived.pid"), "-r", str(home / "vrrp.pid"),
            ]  # fmt: skip
            log = home / "keepalived.log"
            self.spawn(member.ns, argv, log)
            self.tail(member.name, log)

    def ready(self, lab: ClusterLab) -> bool:
        self.poll()
        backups = [self.tails[m.name] for m in lab.members if m.index != 1]
        return (
            lab.vip_holders() == ["node1"]
            and all(any(BACKUP.search(line) for _, line in t.lines) for t in backups)
            and lab.http(timeout=1) == 200
        )

    def _lines(self, lab: ClusterLab) -> list[tuple[float, str]]:
        tails: list[LogTail] = [self.tails[m.name] for m in lab.members if m.index != 1]
        return sorted(line for t in tails for line in t.lines)

    def detected(self, lab: ClusterLab, scenario: str, fault: float) -> float | None:
        lines = [(w, line) for w, line in self._lines(lab) if w >= fault]
        for pattern in (TIMEOUT, MASTER):
            for when, line in lines:
                if pattern.search(line):
                    return when
        return None

    def is_stack(self, pid: int) -> bool:
        return comm(pid) == "keepalived"


SYSTEMS = [
    Keepalived(
        "keepalived-v2",
        moves=VIP,
        period=1.0,
        bound=15.0,
        version=2,
        note="VRRPv2, keepalived defaults (advert_int 1 s), backup priority 100",
    ),
    Keepalived(
        "keepalived-v3",
        moves=VIP,
        period=0.1,
        bound=10.0,
        version=3,
        advert="0.1",
        note="VRRPv3, advert_int 0.1 s, backup priority 100",
    ),
]
