"""What every system in the failover benchmark has in common.

A :class:`System` is one HA stack with one configuration (pycrm's fast profile, keepalived
VRRPv3 at 100 ms, ...).  The benchmark gives each run a fresh `ClusterLab` (the namespaces,
the bridge, the client namespace and, for systems that move the whole service, the shared
loop-mounted disk with the apache site), calls :meth:`System.start` to launch the stack in
the node namespaces, injects the same fault for every system (`ClusterLab.crash`: cables
pulled, every process of the node killed) and asks the system when its own log says it
noticed, and when it is back.

Two shapes of service, said in every table:

* ``GROUP``: the floating IP, the shared ext4 disk and apache move together (pycrm,
  Pacemaker, heartbeat's haresources);
* ``VIP``: only the floating IP moves; apache runs on every node all the time, listening on
  every address (keepalived manages addresses only; pycrm and Pacemaker can be measured
  the same way for a like-for-like line).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pycrm.demo.apache_site import HTTPD, write_apache_config
from pycrm.demo.lab import ClusterLab, LabNode
from pycrm.demo.netlab import run

GROUP = "ip+fs+apache"
VIP = "ip only (apache on every node)"


def wait(cond: Callable[[], bool], timeout: float, every: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(every)
    return False


def stamp(text: str, fmt: str) -> float:
    """A log timestamp as wall-clock seconds; formats without a year get this year."""
    if "%Y" not in fmt:
        text, fmt = f"{datetime.now().year} {text}", f"%Y {fmt}"
    return datetime.strptime(text, fmt).timestamp()


def first_after(
    lines: Iterable[tuple[float, str]], pattern: re.Pattern[str], after: float
) -> float | None:
    """The time of the first line matching ``pattern`` at or after ``after``."""
    for when, line in lines:
        if when >= after and pattern.search(line):
            return when
    return None


def dated(path: Path, head: re.Pattern[str], fmt: str) -> list[tuple[float, str]]:
    """The lines of a log that carries its own timestamps (``head`` captures it)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        m = head.match(line)
        if m:
            out.append((stamp(m.group(1), fmt), line))
    return out


class LogTail:
    """A log without sub-second timestamps, stamped by the bench as its lines appear.

    heartbeat 3.0.6 logs whole seconds and keepalived's console lines carry no time at all,
    so the benchmark polls these files (every 10 ms while it waits for a failover, see
    :func:`System.poll`) and records the wall-clock time it first saw each line.  The error
    is the polling period plus the write latency, a few milliseconds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = b""
        self.lines: list[tuple[float, str]] = []

    def poll(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except OSError:
            return
        if not data:
            return
        now = time.time()
        self.offset += len(data)
        chunks = (self.partial + data).split(b"\n")
        self.partial = chunks.pop()
        self.lines += [(now, c.decode(errors="replace")) for c in chunks]


@dataclass
class System:
    """One stack in one configuration; subclasses start it and read its logs."""

    name: str
    moves: str  # GROUP or VIP
    period: float  # heartbeat/advert interval: the fault comes at a random phase of it
    bound: float  # seconds after a fault by which the service must be back
    scenarios: tuple[str, ...] = ("crash",)
    note: str = ""
    tails: dict[str, LogTail] = field(default_factory=dict)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    # ------------------------------------------------------------------ lab
    def lab(self, nodes: int) -> ClusterLab:
        lab = ClusterLab(nodes=nodes, profile=self.profile())
        try:
            lab.build()
            if self.moves == GROUP:
                lab.make_disk()
            else:
                for member in lab.members:
                    self.apache_everywhere(lab, member)
        except BaseException:
            lab.close()
            raise
        return lab

    def profile(self) -> str:
        return "default"

    def apache_everywhere(self, lab: ClusterLab, member: LabNode) -> None:
        """A node's own apache on every address, started outside any cluster manager."""
        conf = write_apache_config(
            member.home / "www",
            listen="80",
            status_require="local",
            server_name="lab.invalid",
        )
        run(["ip", "netns", "exec", member.ns, HTTPD, "-f", str(conf), "-k", "start"])

    def spawn(self, ns: str, argv: Sequence[str], log: Path) -> subprocess.Popen[bytes]:
        """A process in a node's network namespace; the lab's crash and close end it."""
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                ["ip", "netns", "exec", ns, *argv],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs.append(proc)
        return proc

    def tail(self, key: str, path: Path) -> LogTail:
        self.tails[key] = LogTail(path)
        return self.tails[key]

    def poll(self) -> None:
        for t in self.tails.values():
            t.poll()

    def close(self) -> None:
        """After `ClusterLab.close` (which killed everything in the namespaces): reap."""
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
        self.procs.clear()
        self.tails.clear()

    # ------------------------------------------------------------ subclasses
    def start(self, lab: ClusterLab) -> None:
        raise NotImplementedError

    def ready(self, lab: ClusterLab) -> bool:
        """The service answers on the VIP from node1 and the stack has settled."""
        raise NotImplementedError

    def detected(self, lab: ClusterLab, scenario: str, fault: float) -> float | None:
        """Wall time of the line where the stack declares node1 (or its apache) failed."""
        raise NotImplementedError

    def recovered(self, lab: ClusterLab, scenario: str, fault: float) -> bool:
        """After a fault: the stack says the service runs again."""
        if scenario == "crash":
            return bool(lab.vip_holders())
        raise NotImplementedError

    def dc_crashed(self, lab: ClusterLab, fault: float) -> bool | None:
        """Whether the crashed node was the DC (None: the stack has no DC)."""
        return None

    def is_stack(self, pid: int) -> bool:
        """Whether ``pid`` (in a node's namespace) is one of the stack's own processes."""
        raise NotImplementedError

    def stack_pids(self, lab: ClusterLab, member: LabNode) -> list[int]:
        return [pid for pid in lab.ns_pids(member.ns) if self.is_stack(pid)]


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [p.decode(errors="replace") for p in raw.split(b"\0") if p]


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def apache_main(lab: ClusterLab, member: LabNode) -> int | None:
    """The apache main process on a node: the apache2 process whose parent is not one."""
    for pid in lab.ns_pids(member.ns):
        if comm(pid) != "apache2":
            continue
        try:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if comm(ppid) != "apache2":
            return pid
    return None
