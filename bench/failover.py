#!/usr/bin/env python3
"""Benchmark: client-visible failover of a floating IP + HTTP, and each stack's footprint.

One netns lab per run (pycrm.demo.lab, the same lab the demo and the scenario tests use):
nodes on a bridge, a client namespace running a bounded HTTP loop (pycrm.demo.client: a new
TCP connection per request, 50 ms timeout), the shared loop-mounted ext4 disk with the apache
site.  Per run the fault is injected at a random phase of the heartbeat interval.

Measured, per system and scenario (min / median / max over --runs):

* detection: from the fault to the survivor's "node X: is dead" log line (node crash);
* downtime: from the client's last success before the fault to its first success after;
* for an apache kill -9 (service crash): downtime, and apache's own start time (from the
  daemon's log) for the target "downtime <= apache start + 0.5 s".

Footprint (--footprint SECONDS): 3 nodes in the fast profile, idle; RSS of each daemon and
its CPU share over the window.

    sudo /opt/pycrm/venv/bin/python bench/failover.py [--runs 5]
        [--systems pycrm-default,pycrm-fast] [--scenarios crash,apache] [--footprint 60]

The peer stacks (keepalived, heartbeat, Pacemaker) are measured by the same script with
--systems (see PEERS); every system runs in the same lab with the same client.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pycrm.demo.client import outage, read_records
from pycrm.demo.lab import ClusterLab

OBSERVE_S = 5.0  # after a fault: > the default dead time plus a restart of apache
DEAD_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) .*node (\S+): is dead")
START_LINE = re.compile(r"web-site_start_0 on \S+: rc=0 \(complete\) (\d+)ms")


@dataclass
class Run:
    system: str
    scenario: str
    detection: float | None
    downtime: float | None
    failed: int
    extra: dict[str, float] = field(default_factory=dict)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    debian = Path("/etc/debian_version")
    dist = f"Debian {debian.read_text().strip()}" if debian.exists() else platform.platform()
    return (
        f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, {dist},"
        f" Python {platform.python_version()}, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )


def _wall_of(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp()


class Client:
    """The bounded HTTP loop, in the lab's client namespace."""

    def __init__(self, lab: ClusterLab) -> None:
        self.lab = lab
        fd, name = tempfile.mkstemp(prefix="client-", suffix=".jsonl", dir=lab.root)
        os.close(fd)
        self.out = Path(name)
        self.stop_file = self.out.with_suffix(".stop")
        argv = [
            "ip", "netns", "exec", lab.client_ns, sys.executable, "-m", "pycrm.demo.client",
            lab.vip, "--timeout", "0.05", "--duration", "120", "--out", str(self.out),
            "--stop-file", str(self.stop_file),
        ]  # fmt: skip
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ok_since(self, since: float) -> bool:
        return any(ok and start > since for start, _, ok, _ in read_records(self.out))

    def stop(self) -> list[tuple[float, float, bool, str]]:
        self.stop_file.touch()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return read_records(self.out)


def _wait(cond: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def _settled(lab: ClusterLab) -> bool:
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


def pycrm_lab(profile: str, nodes: int = 2) -> ClusterLab:
    lab = ClusterLab(nodes=nodes, profile=profile)
    lab.build()
    lab.make_disk()
    cib = lab.group_cib()
    for member in lab.members:
        lab.write_config(member, cib)
    for member in lab.members:
        lab.start(member.name)
    if not _wait(lambda: lab.http(timeout=1) == 200 and _settled(lab), 90):
        lab.close()
        raise RuntimeError(f"pycrm ({profile}) did not start the group")
    return lab


def run_pycrm(profile: str, scenario: str, keepalive: float) -> Run:
    lab = pycrm_lab(profile)
    try:
        client = Client(lab)
        if not _wait(lambda: client.ok_since(time.time() - 0.5), 10):
            raise RuntimeError("the client gets no answer before the fault")
        time.sleep(0.5 + random.random() * keepalive)  # a random phase of the heartbeat
        survivor = lab.node("node2")
        if scenario == "crash":
            fault = time.time()
            lab.crash("node1")
        else:
            holder = lab.node("node1")
            pid = lab.daemon_pids("node1")[0]
            site = lab.disk.site if lab.disk is not None else Path("/nonexistent")
            main_pid = int(Path(f"/proc/{pid}/root{site}/run/httpd.pid").read_text())
            fault = time.time()
            os.kill(main_pid, signal.SIGKILL)
            survivor = holder
        # observe long enough for detection and recovery, then until the cluster settled
        # and the client has been answered again
        time.sleep(OBSERVE_S)
        recovered = _wait(lambda: _settled(lab) and client.ok_since(time.time() - 0.5), 60)
        records = client.stop()
        result = outage(records, fault)
        detection = None
        extra: dict[str, float] = {}
        log = survivor.log.read_text(errors="replace")
        if scenario == "crash":
            for line in log.splitlines():
                m = DEAD_LINE.match(line)
                if m and m.group(2) == "node1" and _wall_of(m.group(1)) > fault:
                    detection = _wall_of(m.group(1)) - fault
                    break
        else:
            starts = [int(m.group(1)) for m in START_LINE.finditer(log)]
            if starts:
                extra["apache_start"] = starts[-1] / 1000
        if not recovered:
            return Run(f"pycrm-{profile}", scenario, detection, None, result.failed, extra)
        return Run(f"pycrm-{profile}", scenario, detection, result.downtime, result.failed, extra)
    finally:
        lab.close()


def footprint(seconds: float) -> dict[str, float]:
    import psutil

    lab = pycrm_lab("fast", nodes=3)
    try:
        procs = [psutil.Process(lab.daemon_pids(m.name)[0]) for m in lab.members]
        before = [p.cpu_times() for p in procs]
        time.sleep(seconds)
        after = [p.cpu_times() for p in procs]
        rss = [p.memory_info().rss / 2**20 for p in procs]
        cpu = [
            100 * ((a.user + a.system) - (b.user + b.system)) / seconds
            for a, b in zip(after, before, strict=True)
        ]
        return {
            "rss_mb_max": max(rss),
            "rss_mb_mean": statistics.mean(rss),
            "cpu_pct_max": max(cpu),
        }
    finally:
        lab.close()


SYSTEMS: dict[str, Callable[[str], Run]] = {
    "pycrm-default": lambda scenario: run_pycrm("default", scenario, 0.5),
    "pycrm-fast": lambda scenario: run_pycrm("fast", scenario, 0.1),
}


def _stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--systems", default="pycrm-default,pycrm-fast")
    parser.add_argument("--scenarios", default="crash,apache")
    parser.add_argument("--footprint", type=float, default=0.0, help="idle seconds (0: skip)")
    parser.add_argument("--json", type=Path, default=None, help="also write every run here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench/failover.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    print(f"machine: {machine()}")
    runs: list[Run] = []
    for system in args.systems.split(","):
        for scenario in args.scenarios.split(","):
            for i in range(args.runs):
                run = SYSTEMS[system](scenario)
                runs.append(run)
                print(
                    f"  {system:14} {scenario:7} run {i + 1}: detection"
                    f" {run.detection if run.detection is None else round(run.detection, 3)} s,"
                    f" downtime {run.downtime if run.downtime is None else round(run.downtime, 3)}"
                    f" s, {run.failed} failed requests {run.extra or ''}",
                    flush=True,
                )
    print()
    print("| system | scenario | detection s (min / median / max) | downtime s | runs |")
    print("|---|---|---|---|---|")
    for system in args.systems.split(","):
        for scenario in args.scenarios.split(","):
            mine = [r for r in runs if r.system == system and r.scenario == scenario]
            det = [r.detection for r in mine if r.detection is not None]
            down = [r.downtime for r in mine if r.downtime is not None]
            print(f"| {system} | {scenario} | {_stats(det)} | {_stats(down)} | {len(mine)} |")
    apache = [r for r in runs if r.scenario == "apache" and r.extra.get("apache_start")]
    if apache:
        starts = [r.extra["apache_start"] for r in apache]
        print(f"\napache start time (daemon log) median {statistics.median(starts):.3f} s")
    if args.footprint:
        fp = footprint(args.footprint)
        print(
            f"\nfootprint, 3 nodes, fast profile, {args.footprint:.0f} s idle: RSS max"
            f" {fp['rss_mb_max']:.1f} MB (mean {fp['rss_mb_mean']:.1f}), CPU max"
            f" {fp['cpu_pct_max']:.2f}% of one core"
        )
    if args.json is not None:
        args.json.write_text(json.dumps([r.__dict__ for r in runs], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
