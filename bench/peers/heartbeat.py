"""heartbeat 3.0.6 (haresources, ``crm off``) in the lab's node namespaces.

The same service as pycrm's: haresources moves the floating IP, the shared disk and apache
with heartbeat's own resource scripts (resource.d/IPaddr2, Filesystem and apache, which call
the resource-agents shell agents)::

    node1 IPaddr2::<vip>/24/eth0 Filesystem::<device>::<mount point>::ext4 apache::<conf>

Each daemon runs like the reference scripts run it (heartbeat-v1.md §16): PID 1 of its own
PID namespace, with private mount and UTS namespaces (hostname = node name), a tmpfs over
/run and bind mounts of a per-node copy of /etc/ha.d and /var/lib/heartbeat.
ResourceManager is bind-mounted by a copy whose RecoverFromFailedStop (host-wide
``pkill -9 heartbeat`` and ``reboot -nf``) only logs.  heartbeat's default ``realtime on``
(SCHED_RR) is kept.  No STONITH (heartbeat warns about it on every takeover).

Detection: the survivor's ``node node1: is dead``.  heartbeat logs whole seconds, so the
bench stamps the lines as they appear (`LogTail`).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from peers.base import GROUP, System, comm
from pycrm.demo.lab import ClusterLab, LabNode

DAEMON = "/usr/libexec/heartbeat/heartbeat"
RESOURCE_MANAGER = Path("/usr/share/heartbeat/ResourceManager")
DEAD = re.compile(r"node node1: is dead")
ACTIVE = re.compile(r"Status update for node node1: status active")

INIT = """set -e
hostname "$1"
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/heartbeat/ccm /run/heartbeat/crm /run/heartbeat/dopd /run/heartbeat/rsctmp \\
    /run/resource-agents /run/lock
chown hacluster:haclient /run/heartbeat /run/heartbeat/ccm /run/heartbeat/crm \\
    /run/heartbeat/dopd
chmod 750 /run/heartbeat
mount --bind "$2/ha.d" /etc/ha.d
mount --bind "$2/lib" /var/lib/heartbeat
mount --bind "$3" /usr/share/heartbeat/ResourceManager
exec /usr/libexec/heartbeat/heartbeat -f
"""


@dataclass
class Heartbeat(System):
    keepalive: str = "2"
    deadtime: str = "30"
    warntime: str = "10"
    initdead: str = "120"

    def hacf(self, lab: ClusterLab, root: Path) -> str:
        lines = [
            f"logfile {root}/ha-log",
            "logfacility none",
            "use_logd no",
            f"keepalive {self.keepalive}",
            f"deadtime {self.deadtime}",
            f"warntime {self.warntime}",
            f"initdead {self.initdead}",
            "udpport 694",
            *(f"ucast eth0 {m.addrs[0]}" for m in lab.members),
            "auto_failback on",
            *(f"node {m.name}" for m in lab.members),
            "crm off",
        ]
        return "\n".join(lines) + "\n"

    def haresources(self, lab: ClusterLab) -> str:
        disk = lab.disk
        assert disk is not None
        return (
            f"node1 IPaddr2::{lab.vip}/24/eth0"
            f" Filesystem::{disk.device}::{disk.mountpoint}::ext4"
            f" apache::{disk.site}/httpd.conf\n"
        )

    def prepare(self, lab: ClusterLab, member: LabNode) -> Path:
        root = member.home / "hb"
        root.mkdir(mode=0o755)
        shutil.copytree("/etc/ha.d", root / "ha.d", symlinks=True)
        shutil.copytree("/var/lib/heartbeat", root / "lib", symlinks=True)
        for stale in ("hb_uuid", "hb_generation", "hostcache", "delhostcache"):
            (root / "lib" / stale).unlink(missing_ok=True)
        (root / "ha.d" / "ha.cf").write_text(self.hacf(lab, root))
        (root / "ha.d" / "haresources").write_text(self.haresources(lab))
        keys = root / "ha.d" / "authkeys"
        keys.write_bytes(lab.authkeys.read_bytes())
        keys.chmod(0o600)
        return root

    def start(self, lab: ClusterLab) -> None:
        safe = defused_resource_manager(lab.root)
        init = lab.root / "hb-init.sh"
        init.write_text(INIT)
        for member in lab.members:
            root = self.prepare(lab, member)
            argv = [
                "unshare", "--mount", "--uts", "--pid", "--fork", "--mount-proc",
                "--propagation", "private",
                "sh", str(init), member.name, str(root), str(safe),
            ]  # fmt: skip
            self.spawn(member.ns, argv, root / "stdout")
            self.tail(member.name, root / "ha-log")

    def ready(self, lab: ClusterLab) -> bool:
        self.poll()
        survivor = self.tails["node2"]
        return (
            lab.vip_holders() == ["node1"]
            and any(ACTIVE.search(line) for _, line in survivor.lines)
            and lab.http(timeout=1) == 200
        )

    def detected(self, lab: ClusterLab, scenario: str, fault: float) -> float | None:
        for when, line in self.tails["node2"].lines:
            if when >= fault and DEAD.search(line):
                return when
        return None

    def recovered(self, lab: ClusterLab, scenario: str, fault: float) -> bool:
        return bool(lab.vip_holders()) and lab.disk_holders() != [] and lab.http(timeout=1) == 200

    def is_stack(self, pid: int) -> bool:
        return comm(pid) == "heartbeat"


def defused_resource_manager(root: Path) -> Path:
    """A copy of ResourceManager whose failed-stop recovery only logs (no pkill, no reboot)."""
    safe = root / "ResourceManager"
    if not safe.exists():
        text = RESOURCE_MANAGER.read_text()
        begin = text.index("RecoverFromFailedStop() {")
        end = text.index("\n}\n", begin) + 3
        stub = 'RecoverFromFailedStop() {\n  ha_log "CRIT: stop failed (bench: no reboot)"\n}\n'
        safe.write_text(text[:begin] + stub + text[end:])
        safe.chmod(0o755)
    return safe


SYSTEMS = [
    Heartbeat(
        "heartbeat-sample",
        moves=GROUP,
        period=2.0,
        bound=60.0,
        note="the timings of the shipped sample ha.cf: keepalive 2, deadtime 30,"
        " warntime 10, initdead 120",
    ),
    Heartbeat(
        "heartbeat-tight",
        moves=GROUP,
        period=0.2,
        bound=20.0,
        keepalive="200ms",
        deadtime="1",
        warntime="600ms",
        initdead="12",
        note="keepalive 200ms, deadtime 1, warntime 600ms, initdead 12",
    ),
]
