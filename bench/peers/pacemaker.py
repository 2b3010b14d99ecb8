"""Pacemaker 2.1.5 + corosync 3.1.7 (knet) in the lab's node namespaces.

The recipe of pacemaker-ocf.md §3c: each node is the lab's network namespace plus private
mount, UTS and PID namespaces; /run and /dev/shm are fresh tmpfs (libqb's rings), and
/etc/corosync, /var/lib/corosync, /var/lib/pacemaker and the log directories are bind
mounts of per-node directories.  A small init (PID 1) starts ``corosync -f``, waits for it,
then ``pacemakerd``.

corosync.conf: ``transport: knet`` on the lab bridge (ring0 = the node's lab address),
no crypto (pycrm's lab signs with sha1, not encrypted either), ``two_node: 1`` for two
nodes, ``token``/``consensus`` per variant (corosync's defaults: token 3000 ms, consensus
1.2 x token).  The CIB is the lab's own CIB, the one pycrm runs, with the stock
resource-agents shell agents (``provider="heartbeat"``) in place of pycrm's; it sets
``stonith-enabled=false`` like the lab's (no fence device in a lab), so no fencing time is
included.  Cluster options are otherwise Pacemaker's defaults.

Detection (node crash): the survivor's pacemaker-controld ``Node node1 state is now lost``
(after corosync's new membership).  Detection (apache killed): the first failed monitor of
web-site, ``Result of monitor operation for web-site on node1: ...``.  Pacemaker's and
corosync's logs carry millisecond timestamps.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from peers.base import GROUP, VIP, System, children, comm, dated, first_after
from pycrm.demo.lab import ClusterLab, LabNode

HEAD = re.compile(r"^(\w{3} \d\d \d\d:\d\d:\d\d\.\d{3}) ")
FMT = "%b %d %H:%M:%S.%f"
LOST = re.compile(r"pacemaker-controld.*Node node1 state is now lost")
MONITOR_FAILED = re.compile(r"Result of monitor operation for web-site on node1: (?!ok)")
DC_LOST = re.compile(r"Unset DC \(was node1\)")
APACHE_STARTED = re.compile(r"Result of start operation for web-site on \S+: ok")
IP_STARTED = re.compile(r"Result of start operation for web-ip on \S+: ok")

DIRS = (
    "etc-corosync",
    "var-lib-corosync",
    "var-log-corosync",
    "var-log-pacemaker",
    "var-lib-pacemaker/cib",
    "var-lib-pacemaker/pengine",
    "var-lib-pacemaker/blackbox",
    "var-lib-pacemaker/cores",
)

INIT = """set -u
R=$1
hostname "$2"
mount --make-rprivate /
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/crm /run/resource-agents /run/lock /run/corosync
chown hacluster:haclient /run/crm
chmod 750 /run/crm
chmod 1755 /run/resource-agents
chmod 1777 /run/lock
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount --bind "$R/etc-corosync" /etc/corosync
mount --bind "$R/var-lib-corosync" /var/lib/corosync
mount --bind "$R/var-log-corosync" /var/log/corosync
mount --bind "$R/var-lib-pacemaker" /var/lib/pacemaker
mount --bind "$R/var-log-pacemaker" /var/log/pacemaker
corosync -f > "$R/corosync.stdout" 2>&1 &
COROSYNC=$!
for _ in $(seq 1 100); do corosync-cfgtool -s > /dev/null 2>&1 && break; sleep 0.1; done
PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none \\
    pacemakerd > "$R/pacemakerd.stdout" 2>&1 &
PACEMAKERD=$!
trap 'kill -TERM $PACEMAKERD; wait $PACEMAKERD; kill -TERM $COROSYNC; wait $COROSYNC; exit 0' TERM
wait $PACEMAKERD
"""


@dataclass
class Pacemaker(System):
    token: int | None = None  # None: corosync's default (3000 ms)
    consensus: int | None = None  # None: corosync's default (1.2 x token)
    inits: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def corosync_conf(self, lab: ClusterLab) -> str:
        totem = [
            "version: 2",
            "cluster_name: lab",
            "transport: knet",
            "crypto_cipher: none",
            "crypto_hash: none",
            *([f"token: {self.token}"] if self.token else []),
            *([f"consensus: {self.consensus}"] if self.consensus else []),
        ]
        nodes = "".join(
            f"  node {{\n    name: {m.name}\n    nodeid: {m.index}\n"
            f"    ring0_addr: {m.addrs[0]}\n  }}\n"
            for m in lab.members
        )
        quorum = ["provider: corosync_votequorum", *(["two_node: 1"] if lab.nodes == 2 else [])]
        logging = [
            "to_logfile: yes",
            "logfile: /var/log/corosync/corosync.log",
            "to_syslog: no",
            "to_stderr: no",
            "timestamp: hires",
        ]
        return (
            _section("totem", totem)
            + f"nodelist {{\n{nodes}}}\n"
            + _section("quorum", quorum)
            + _section("logging", logging)
        )

    def cib(self, lab: ClusterLab) -> bytes:
        """The lab's CIB with the resource-agents shell agents in place of pycrm's."""
        return lab.group_cib().replace(b'provider="pycrm"', b'provider="heartbeat"')

    def prepare(self, lab: ClusterLab, member: LabNode) -> Path:
        root = member.home / "pcmk"
        for sub in DIRS:
            (root / sub).mkdir(parents=True)
        (root / "etc-corosync" / "corosync.conf").write_text(self.corosync_conf(lab))
        cib = root / "var-lib-pacemaker" / "cib" / "cib.xml"
        cib.write_bytes(self.cib(lab))
        cib.chmod(0o600)
        uid, gid = pwd.getpwnam("hacluster").pw_uid, grp.getgrnam("haclient").gr_gid
        for top in ("var-lib-pacemaker", "var-log-pacemaker"):
            for path in [root / top, *(root / top).rglob("*")]:
                os.chown(path, uid, gid)
        return root

    def start(self, lab: ClusterLab) -> None:
        init = lab.root / "pcmk-init.sh"
        init.write_text(INIT)
        for member in lab.members:
            root = self.prepare(lab, member)
            argv = [
                "unshare", "--mount", "--uts", "--pid", "--fork", "--mount-proc",
                "bash", str(init), str(root), member.name,
            ]  # fmt: skip
            self.inits[member.name] = self.spawn(member.ns, argv, root / "init.out")

    def close(self) -> None:
        super().close()
        self.inits.clear()

    def init_pid(self, member: LabNode) -> int | None:
        """The node's PID 1 (host PID): the child of unshare."""
        proc = self.inits.get(member.name)
        kids = children(proc.pid) if proc is not None else []
        return kids[0] if kids else None

    def tool(self, member: LabNode, argv: list[str], timeout: float = 60) -> str:
        """Run a Pacemaker CLI tool inside a node."""
        pid = self.init_pid(member)
        if pid is None:
            return ""
        res = subprocess.run(
            ["nsenter", "-t", str(pid), "-m", "-u", "-n", "-p", *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return res.stdout

    def ready(self, lab: ClusterLab) -> bool:
        if lab.vip_holders() != ["node1"] or lab.http(timeout=1) != 200:
            return False
        member = lab.node("node1")
        self.tool(member, ["crm_resource", "--wait", "--timeout=60s"], timeout=90)
        mon = self.tool(member, ["crm_mon", "-1"])
        return "partition with quorum" in mon and "Stopped" not in mon

    def log(self, member: LabNode) -> list[tuple[float, str]]:
        return dated(member.home / "pcmk" / "var-log-pacemaker" / "pacemaker.log", HEAD, FMT)

    def detected(self, lab: ClusterLab, scenario: str, fault: float) -> float | None:
        if scenario == "crash":
            return first_after(self.log(lab.node("node2")), LOST, fault)
        return first_after(self.log(lab.node("node1")), MONITOR_FAILED, fault)

    def recovered(self, lab: ClusterLab, scenario: str, fault: float) -> bool:
        lines = sorted(line for m in lab.members if m.powered for line in self.log(m))
        started = APACHE_STARTED if self.moves == GROUP else IP_STARTED
        return first_after(lines, started, fault) is not None

    def dc_crashed(self, lab: ClusterLab, fault: float) -> bool | None:
        return first_after(self.log(lab.node("node2")), DC_LOST, fault) is not None

    def is_stack(self, pid: int) -> bool:
        name = comm(pid)
        return name.startswith("pacemaker") or name == "corosync"


def _section(name: str, lines: list[str]) -> str:
    return f"{name} {{\n" + "".join(f"  {line}\n" for line in lines) + "}\n"


SYSTEMS = [
    Pacemaker(
        "pacemaker-default",
        moves=GROUP,
        period=1.0,
        bound=40.0,
        scenarios=("crash", "apache"),
        note="corosync defaults: token 3000 ms, consensus 3600 ms",
    ),
    Pacemaker(
        "pacemaker-tuned",
        moves=GROUP,
        period=0.5,
        bound=30.0,
        scenarios=("crash", "apache"),
        token=1000,
        consensus=600,
        note="token 1000 ms, consensus 600 ms (the two-node rule: join < consensus < token)",
    ),
    Pacemaker(
        "pacemaker-default-vip",
        moves=VIP,
        period=1.0,
        bound=40.0,
        note="corosync defaults; only the IP moves, apache on every node",
    ),
]
