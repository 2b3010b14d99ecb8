#!/usr/bin/env python3
"""Benchmark: client-visible failover of a floating IP + HTTP, pycrm against its peers.

One lab per run (pycrm.demo.lab, the lab the demo and the scenario tests use): two nodes on
a bridge, a client namespace running a bounded HTTP loop against the floating IP
(pycrm.demo.client: a new TCP connection per request, 50 ms timeout, or 10 s with
``--client plain``), and, for systems that move the whole service, the shared loop-mounted
ext4 disk with the apache site.  Every system runs in that same lab with that same client
and gets the same fault, at a random phase of its heartbeat interval (of the 10 s monitor
interval, for the apache kill):

* ``crash``: node1 (which holds the service) loses power: its cables are pulled and every
  process in its namespaces is killed (`ClusterLab.crash`);
* ``apache``: apache's main process on node1 is killed with SIGKILL (systems that monitor
  the service: pycrm and Pacemaker).

The runs go in rounds, every system and scenario once per round, so that other work on
the machine weighs on every system alike; the 1-minute load average as each run begins is
recorded with it.  Per system and scenario, over ``--runs`` rounds (min / median / max):

* detection: from the fault to the line where the stack itself declares the peer (or the
  service) failed -- each system's module in bench/peers/ names that line;
* downtime: the client's longest gap between two successful answers around the fault.

The systems (bench/peers/): pycrm's default and fast profiles; keepalived VRRPv2 at its
defaults and VRRPv3 at 100 ms; heartbeat 3.0.6 with the sample ha.cf's timings and with
keepalive 200 ms / deadtime 1 s; Pacemaker 2.1.5 + corosync 3.1.7 with corosync's default
token and with token 1000 / consensus 600.  pycrm, heartbeat and Pacemaker move the IP, the
disk and apache; keepalived moves only the IP, with apache running on every node; the
``-vip`` lines run pycrm and Pacemaker that way too, for a like-for-like comparison.

``--footprint SECONDS``: each system idle on 3 nodes; the resident memory (RSS, and PSS,
which splits shared pages among the processes) of the stack's own processes per node, and
their CPU over the window, including the agents they run for monitors.

``--soak MINUTES [--hog]``: pycrm's fast profile idle on 3 nodes (with one busy process per
core), counting false failovers: a node declared dead, a DC change or a resource moved.

    sudo /opt/pycrm/venv/bin/python bench/failover.py [--runs 5] [--systems a,b]
        [--scenarios crash,apache] [--client bounded|plain] [--footprint 60]
        [--soak 10 --hog] [--json FILE] [--keep-logs DIR]
    python bench/failover.py --report FILE      # the tables again, from saved JSON lines
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

import machine
from peers import heartbeat, keepalived, pacemaker, pycrm
from peers.base import System, apache_main, wait

from pycrm.demo.client import outage, read_records
from pycrm.demo.lab import ClusterLab

SYSTEMS: dict[str, System] = {
    s.name: s for s in (*pycrm.SYSTEMS, *keepalived.SYSTEMS, *heartbeat.SYSTEMS, *pacemaker.SYSTEMS)
}
# the pycrm line each peer's ratio is taken against: the same class of timers; and, for a
# peer that moves only the IP, the pycrm line that does the same
REFERENCE = {
    "keepalived-v2": ("pycrm-default", "pycrm-default-vip"),
    "keepalived-v3": ("pycrm-fast", "pycrm-fast-vip"),
    "heartbeat-sample": ("pycrm-default",),
    "heartbeat-tight": ("pycrm-fast",),
    "pacemaker-default": ("pycrm-default",),
    "pacemaker-tuned": ("pycrm-fast",),
    "pacemaker-default-vip": ("pycrm-default-vip",),
}
CLIENT_TIMEOUT = {"bounded": 0.05, "plain": 10.0}
PACKAGES = ("keepalived", "heartbeat", "pacemaker", "corosync", "resource-agents", "apache2")
MONITOR_S = 10.0  # the monitor interval of the lab's CIB (ClusterLab.group_cib), on every stack
READY_S = 180.0  # heartbeat's first resource acquisition and Pacemaker's dc-deadtime (20 s)


@dataclass
class Run:
    system: str
    scenario: str
    detection: float | None
    downtime: float | None
    failed: int
    startup: float
    extra: dict[str, float] = field(default_factory=dict)
    error: str = ""


class Client:
    """The bounded HTTP loop, in the lab's client namespace."""

    def __init__(self, lab: ClusterLab, timeout: float, duration: float) -> None:
        fd, name = tempfile.mkstemp(prefix="client-", suffix=".jsonl", dir=lab.root)
        os.close(fd)
        self.out = Path(name)
        self.stop_file = self.out.with_suffix(".stop")
        argv = [
            "ip", "netns", "exec", lab.client_ns, sys.executable, "-m", "pycrm.demo.client",
            lab.vip, "--timeout", str(timeout), "--duration", str(duration),
            "--out", str(self.out), "--stop-file", str(self.stop_file),
        ]  # fmt: skip
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ok_since(self, since: float) -> bool:
        return any(ok and start > since for start, _, ok, _ in read_records(self.out))

    def stop(self) -> list[tuple[float, float, bool, str]]:
        self.stop_file.touch()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return read_records(self.out)


KEEP: list[Path] = []  # --keep-logs DIR


@contextlib.contextmanager
def running(system: System, nodes: int) -> Iterator[tuple[ClusterLab, float]]:
    """A fresh lab with ``system`` started and serving; the seconds it took to be ready."""
    lab = system.lab(nodes)
    try:
        t0 = time.monotonic()
        system.start(lab)
        if not wait(lambda: system.ready(lab), READY_S, every=0.2):
            raise RuntimeError(f"{system.name} did not start the service in {READY_S:.0f} s")
        yield lab, time.monotonic() - t0
    finally:
        if KEEP:
            keep(lab, KEEP[0] / f"{system.name}-{lab.prefix}")
        lab.close()
        system.close()


def keep(lab: ClusterLab, dest: Path) -> None:
    """Copy the lab's logs and configs (not the disk, sockets or the apache sites)."""
    skip = shutil.ignore_patterns("disk.img", "srv", "www", "lib", "run", "*.sock")
    with contextlib.suppress(OSError):
        shutil.copytree(lab.root, dest, ignore=skip, symlinks=True, ignore_dangling_symlinks=True)


def one_run(system: System, scenario: str, client_timeout: float) -> Run:
    with running(system, 2) as (lab, startup):
        client = Client(lab, client_timeout, system.bound + 60)
        try:
            if not wait(lambda: client.ok_since(time.time() - 0.5), 15):
                raise RuntimeError("the client gets no answer before the fault")
            # a random phase of the heartbeat (crash) or of the monitor (apache)
            cycle = system.period if scenario == "crash" else MONITOR_S
            time.sleep(0.5 + random.random() * cycle)
            if scenario == "crash":
                fault = time.time()
                lab.crash("node1")
            else:
                pid = apache_main(lab, lab.node("node1"))
                if pid is None:
                    raise RuntimeError("no apache main process on node1")
                fault = time.time()
                os.kill(pid, signal.SIGKILL)
            recovered = observe(system, lab, scenario, fault, client)
        finally:
            records = client.stop()
        result = outage(records, fault)
        detection = system.detected(lab, scenario, fault)
        extra: dict[str, float] = {}
        dc = system.dc_crashed(lab, fault) if scenario == "crash" else None
        if dc is not None:
            extra["dc_crashed"] = float(dc)
        if isinstance(system, pycrm.Pycrm) and scenario == "apache":
            took = system.apache_start(lab, fault)
            if took is not None:
                extra["apache_start"] = took
        return Run(
            system.name,
            scenario,
            None if detection is None else detection - fault,
            result.downtime if recovered else None,
            result.failed,
            startup,
            extra,
            "" if recovered else f"not recovered within {system.bound:.0f} s",
        )


def observe(system: System, lab: ClusterLab, scenario: str, fault: float, client: Client) -> bool:
    """Wait for the stack to notice and recover, then for the client to be answered again.

    Until the stack's detection line appears, only its logs are read (every 10 ms, so that
    the lines the bench stamps itself are stamped within 10 ms); then recovery is checked."""
    end = time.monotonic() + system.bound
    checked = 0.0
    while time.monotonic() < end:
        system.poll()
        now = time.monotonic()
        if now - checked >= 0.1:
            checked = now
            if system.detected(lab, scenario, fault) is not None:
                break
        time.sleep(0.01)
    while time.monotonic() < end:
        system.poll()
        if system.recovered(lab, scenario, fault):
            back = time.time()
            if wait(partial(client.ok_since, back), max(1.0, end - time.monotonic())):
                time.sleep(1.0)  # a moment more: a flap would show in the record
                return True
            return False
        time.sleep(0.1)
    return False


# ------------------------------------------------------------------- footprint
def cpu_seconds(proc: Any) -> float:
    t = proc.cpu_times()
    return float(t.user + t.system + t.children_user + t.children_system)


def footprint(system: System, seconds: float, nodes: int) -> dict[str, Any]:
    """The stack's own processes on each node, idle: RSS, PSS and CPU over ``seconds``."""
    import psutil

    with running(system, nodes) as (lab, _):
        time.sleep(5.0)  # first monitors and initial transitions done
        procs = {
            m.name: [psutil.Process(p) for p in system.stack_pids(lab, m)] for m in lab.members
        }
        before = {n: sum(cpu_seconds(p) for p in ps) for n, ps in procs.items()}
        time.sleep(seconds)
        after, rss, pss = {}, {}, {}
        for name, ps in procs.items():
            live = [p for p in ps if p.is_running()]
            after[name] = sum(cpu_seconds(p) for p in live)
            mem = [p.memory_full_info() for p in live]
            rss[name] = sum(m.rss for m in mem) / 2**20
            pss[name] = sum(m.pss for m in mem) / 2**20
        cpu = {n: 100 * (after[n] - before[n]) / seconds for n in procs}
        return {
            "kind": "footprint",
            "system": system.name,
            "nodes": nodes,
            "seconds": seconds,
            "processes_per_node": statistics.mean(len(ps) for ps in procs.values()),
            "rss_mb": statistics.mean(rss.values()),
            "pss_mb": statistics.mean(pss.values()),
            "cpu_pct": statistics.mean(cpu.values()),
            "cpu_pct_max": max(cpu.values()),
        }


# ------------------------------------------------------------------------ soak
def soak(minutes: float, hog: bool, nodes: int) -> dict[str, Any]:
    """pycrm's fast profile idle for ``minutes``; every false failover it logged."""
    system = SYSTEMS["pycrm-fast"]
    assert isinstance(system, pycrm.Pycrm)
    hogs: list[subprocess.Popen[bytes]] = []
    with running(system, nodes) as (lab, _):
        time.sleep(2.0)
        since = time.time()
        holders = [(since, lab.vip_holders())]
        try:
            if hog:
                for _ in range(os.cpu_count() or 1):
                    hogs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
            end = time.monotonic() + minutes * 60
            while time.monotonic() < end:
                time.sleep(1.0)
                now = lab.vip_holders()
                if now != holders[-1][1]:
                    holders.append((time.time(), now))
        finally:
            for proc in hogs:  # only the hogs this function started
                proc.kill()
                proc.wait()
        events = system.false_failovers(lab, since)
        return {
            "kind": "soak",
            "system": system.name,
            "nodes": nodes,
            "minutes": minutes,
            "hog_processes": len(hogs),
            "false_failovers": events,
            "vip_holder_changes": [f"{t:.3f} {h}" for t, h in holders[1:]],
        }


# ---------------------------------------------------------------------- report
def _stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def _median(runs: list[Run], system: str, scenario: str, what: str) -> float | None:
    got = [getattr(r, what) for r in runs if r.system == system and r.scenario == scenario]
    values = [v for v in got if v is not None]
    return statistics.median(values) if values else None


def _ratio(runs: list[Run], mine: str, peer: str, scenario: str, what: str) -> str:
    a, b = _median(runs, mine, scenario, what), _median(runs, peer, scenario, what)
    return "n/a" if a is None or not b else f"{a / b:.2f}"


def table(runs: list[Run], scenario: str) -> list[str]:
    lines = [
        f"scenario {scenario}: seconds, min / median / max over the runs; ratio = pycrm's"
        " median / the peer's median (below 1: pycrm is faster), detection and downtime",
        "",
        "| system | moves | detection s | downtime s | pycrm / peer: detection, downtime | runs |",
        "|---|---|---|---|---|---|",
    ]
    for name, system in SYSTEMS.items():
        mine = [r for r in runs if r.system == name and r.scenario == scenario]
        if not mine:
            continue
        det = [r.detection for r in mine if r.detection is not None]
        down = [r.downtime for r in mine if r.downtime is not None]
        ratios = [
            f"{ref}: {_ratio(runs, ref, name, scenario, 'detection')},"
            f" {_ratio(runs, ref, name, scenario, 'downtime')}"
            for ref in REFERENCE.get(name, ())
            if any(r.system == ref and r.scenario == scenario for r in runs)
        ]
        bad = len(mine) - len(down)
        count = f"{len(mine)}" + (f" ({bad} not recovered)" if bad else "")
        lines.append(
            f"| {name} | {system.moves} | {_stats(det)} | {_stats(down)} |"
            f" {'; '.join(ratios) or '-'} | {count} |"
        )
    return lines


def footprint_table(fps: list[dict[str, Any]]) -> list[str]:
    if not fps:
        return []
    head = fps[0]
    return [
        f"footprint: idle {head['seconds']:g} s, {head['nodes']} nodes, per node (mean over"
        " the nodes); the stack's own processes; CPU includes the agents they ran (children's"
        " time)",
        "",
        "| system | processes | RSS MB | PSS MB | CPU % of a core (max node) |",
        "|---|---|---|---|---|",
        *(
            f"| {fp['system']} | {fp['processes_per_node']:.0f} | {fp['rss_mb']:.1f} |"
            f" {fp['pss_mb']:.1f} | {fp['cpu_pct']:.2f} ({fp['cpu_pct_max']:.2f}) |"
            for fp in fps
        ),
    ]


def targets(runs: list[Run], soaked: dict[str, Any] | None) -> list[str]:
    out = []
    for mine, peer, limit in (
        ("pycrm-default", "pacemaker-default", 0.5),
        ("pycrm-fast", "keepalived-v3", 1.0),
        ("pycrm-fast-vip", "keepalived-v3", 1.0),
    ):
        a = _median(runs, mine, "crash", "downtime")
        b = _median(runs, peer, "crash", "downtime")
        if a is None or b is None:
            continue
        verdict = "met" if a / b <= limit else "NOT MET"
        out.append(
            f"- {mine} / {peer} crash downtime (medians): {a:.2f} / {b:.2f} s ="
            f" {a / b:.2f} (target <= {limit}): {verdict}"
        )
    if soaked is not None:
        n = len(soaked["false_failovers"])
        out.append(
            f"- soak, {soaked['minutes']:g} min idle, pycrm-fast, {soaked['nodes']} nodes,"
            f" {soaked['hog_processes']} CPU hogs: {n} false failovers"
            f" (target 0): {'met' if n == 0 else 'NOT MET'}"
        )
        out += [f"    {line}" for line in soaked["false_failovers"]]
    return out


def report(runs: list[Run], fps: list[dict[str, Any]], soaked: dict[str, Any] | None) -> None:
    """The tables: per scenario, the footprint, the targets."""
    if runs:
        loads = [r.extra["load1"] for r in runs if "load1" in r.extra]
        if loads:
            print(f"load average (1 min) as each run began: {_stats(loads)} (min / median / max)")
        print()
    for scenario in dict.fromkeys(r.scenario for r in runs):
        print("\n".join(table(runs, scenario)) + "\n")
    starts = [r.extra["apache_start"] for r in runs if "apache_start" in r.extra]
    if starts:
        print(f"pycrm's apache start (daemon log), median {statistics.median(starts):.3f} s\n")
    if fps:
        print("\n".join(footprint_table(fps)) + "\n")
    goals = targets(runs, soaked)
    if goals:
        print("targets:")
        print("\n".join(goals))


def replay(path: Path) -> None:
    """``--report FILE``: the report of earlier runs, from their JSON lines."""
    runs: list[Run] = []
    fps: list[dict[str, Any]] = []
    soaked = None
    for line in path.read_text().splitlines():
        obj = json.loads(line)
        kind = obj.pop("kind")
        if kind == "machine":
            print("\n".join(obj["lines"]))
        elif kind == "run":
            obj.pop("client", None)
            obj.pop("round", None)
            runs.append(Run(**obj))
        elif kind == "footprint":
            fps.append(obj)
        elif kind == "soak":
            soaked = obj
        elif kind == "end":
            print(obj["uptime"])
    print()
    report(runs, fps, soaked)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through every lab's cleanup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--scenarios", default="crash,apache")
    parser.add_argument("--client", choices=sorted(CLIENT_TIMEOUT), default="bounded")
    parser.add_argument("--footprint", type=float, default=0.0, help="idle seconds (0: skip)")
    parser.add_argument("--footprint-nodes", type=int, default=3)
    parser.add_argument("--soak", type=float, default=0.0, help="idle minutes (0: skip)")
    parser.add_argument("--hog", action="store_true", help="one busy process per core in --soak")
    parser.add_argument("--soak-nodes", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write JSON lines here")
    parser.add_argument("--keep-logs", type=Path, default=None, help="copy each lab's logs here")
    parser.add_argument("--report", type=Path, default=None, help="only print the report of FILE")
    args = parser.parse_args()
    if args.report is not None:
        replay(args.report)
        return 0
    names = [n for n in args.systems.split(",") if n]
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        parser.error(f"unknown systems {unknown}; known: {', '.join(SYSTEMS)}")
    if os.geteuid() != 0:
        print("bench/failover.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    if args.keep_logs is not None:
        KEEP.append(args.keep_logs)
    head = machine.describe(PACKAGES)
    head.append(f"uptime:   {uptime()} (start)")
    head.append(f"client:   {args.client} ({CLIENT_TIMEOUT[args.client]} s per request)")
    for line in head:
        print(line, flush=True)
    sink = open(args.json, "w") if args.json else None  # noqa: SIM115 - closed below

    def record(obj: dict[str, Any]) -> None:
        if sink is not None:
            sink.write(json.dumps(obj) + "\n")
            sink.flush()

    try:
        record({"kind": "machine", "lines": head})
        runs: list[Run] = []
        scenarios = [s for s in args.scenarios.split(",") if s]
        plan = [(n, s) for n in names for s in scenarios if s in SYSTEMS[n].scenarios]
        for name in names:
            print(f"{name}: {SYSTEMS[name].moves}; {SYSTEMS[name].note}", flush=True)
        # round after round, every system once per round: a change in the machine's load
        # (other work on it) falls on every system alike rather than on whichever ran then
        for i in range(args.runs):
            for name, scenario in plan:
                load = os.getloadavg()[0]
                try:
                    run = one_run(SYSTEMS[name], scenario, CLIENT_TIMEOUT[args.client])
                except RuntimeError as exc:
                    run = Run(name, scenario, None, None, 0, 0.0, error=str(exc))
                run.extra["load1"] = load
                runs.append(run)
                record({"kind": "run", "client": args.client, "round": i + 1, **asdict(run)})
                det = "n/a" if run.detection is None else f"{run.detection:.3f}"
                down = "n/a" if run.downtime is None else f"{run.downtime:.3f}"
                print(
                    f"  round {i + 1} {name} {scenario}: detection {det} s, downtime {down} s,"
                    f" {run.failed} failed requests, ready after {run.startup:.1f} s"
                    f" {run.extra}{' ERROR ' + run.error if run.error else ''}",
                    flush=True,
                )
        fps: list[dict[str, Any]] = []
        if args.footprint:
            for name in names:
                fp = footprint(SYSTEMS[name], args.footprint, args.footprint_nodes)
                record(fp)
                fps.append(fp)
                print(f"  footprint {name}: {fp}", flush=True)
        soaked = soak(args.soak, args.hog, args.soak_nodes) if args.soak else None
        if soaked is not None:
            record(soaked)
        print()
        report(runs, fps, soaked)
        end = f"uptime:   {uptime()} (end)"
        print(end)
        record({"kind": "end", "uptime": end})
    finally:
        if sink is not None:
            sink.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
