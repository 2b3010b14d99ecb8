"""The fault menu of `pycrm demo` and the soak: each fault injected into a running lab,
measured and audited.

A :class:`FaultRunner` owns a started :class:`~pycrm.demo.lab.ClusterLab` with the web
group (floating IP, Filesystem on the shared disk, apache or the built-in server), the
audit sampler and a client loop in the client namespace.  Each fault method injects one
fault, waits for the cluster to notice it (a log line, with a deadline), audits the
result and returns a :class:`StepResult`: what was done, when it was detected (the first
log line that shows it), the DC's first decision, the client-visible downtime, where the
group ended, and the audit.

Faults: :meth:`crash` (power cut of a node, then power on and start), :meth:`kill_daemon`
(SIGKILL of `pycrm run`, then a restart as systemd would), :meth:`kill_service` (SIGKILL of
the web server's main process), :meth:`standby` (``pycrm node standby``, then ``online``),
:meth:`partition` (a node alone on its side of every link) and :meth:`heal`,
:meth:`link_loss` (one link of a node, then back).

The lab fences by default (``stonith-enabled=true`` with the lab's ``fence_netns`` device):
a node its peers declare dead is switched off (its links cut, its processes killed) before
its resources start elsewhere, and any double holding fails the audit.  A step that lost a
node reports its fencing as crm_mon's fencing history shows it.

Without fencing (``Setup(fencing=False)``, heartbeat's behaviour), a node its peers
declared dead while it still ran the group (a partition, or a daemon restart slower than
the dead time) holds the floating IP and the disk together with the node that took over,
until it stops them itself (it lost quorum) or the cluster recovers: the audit after such a
step reports that double holding as tolerated, with its duration, instead of failing.  Any
other double holding fails the audit.
"""

from __future__ import annotations

import contextlib
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pycrm.daemon.config_model import PROFILES
from pycrm.demo import logscan
from pycrm.demo.audit import AuditFailure, Auditor, AuditReport, Violation, overlap
from pycrm.demo.client import ClientLoop, Outage, outage
from pycrm.demo.lab import ClusterLab
from pycrm.fencing.history import FenceEvent
from pycrm.status.fencing import describe

GROUP = "web"
SERVICE = "web-site"
RECOVERY_TIMEOUT = 60.0  # seconds for the cluster to settle after a fault
CLIENT_PAUSE = 0.02  # between the client's requests
CLIENT_TIMEOUT = 0.2  # per request


@dataclass(frozen=True)
class Setup:
    """The lab the faults run in.  ``web``: "apache" or "builtin" (Python's http.server)."""

    profile: str = "default"
    web: str = "apache"
    nodes: int = 3
    links: int = 1
    stickiness: int = 0
    fencing: bool = True

    @property
    def monitor(self) -> str:
        """The group's monitor interval: the daemon watches apache's main process, but
        not the built-in server's, which only its monitor catches."""
        return "10s" if self.web == "apache" else "2s"

    @property
    def keepalive(self) -> float:
        return PROFILES[self.profile].keepalive_ms / 1000

    @property
    def deadtime(self) -> float:
        return PROFILES[self.profile].deadtime_ms / 1000


@dataclass
class StepResult:
    """One fault (and what brought the cluster back to normal, in ``restore``)."""

    title: str
    fault_at: float  # epoch seconds
    detected: logscan.LogLine | None = None
    decided: logscan.LogLine | None = None
    downtime: Outage | None = None
    group: tuple[str, ...] = ()
    report: AuditReport | None = None
    failure: str = ""
    notes: list[str] = field(default_factory=list)
    restore: StepResult | None = None
    lost: tuple[str, ...] = ()  # the nodes the step may fence or leave down
    fence_seen: frozenset[FenceEvent] = field(default_factory=frozenset, repr=False)

    @property
    def ok(self) -> bool:
        return not self.failure and (self.restore is None or self.restore.ok)

    @property
    def tolerated(self) -> float:
        """Seconds of double holding tolerated (no fencing), restore included."""
        mine = overlap(self.report.tolerated) if self.report and self.report.tolerated else 0
        return mine + (self.restore.tolerated if self.restore else 0)

    def detection(self) -> float | None:
        return None if self.detected is None else max(0.0, self.detected.wall - self.fault_at)

    def decision(self) -> float | None:
        return None if self.decided is None else max(0.0, self.decided.wall - self.fault_at)

    def reason(self) -> str:
        """The first failure, restore included."""
        if self.failure:
            return self.failure
        return self.restore.reason() if self.restore else ""


class FaultRunner:
    def __init__(self, lab: ClusterLab, setup: Setup) -> None:
        self.lab = lab
        self.setup = setup
        self.auditor = Auditor(lab)
        self.client: ClientLoop | None = None

    # ---------------------------------------------------------------- set-up
    def cib(self) -> bytes:
        options = {"no-quorum-policy": "stop"}
        extra = ""
        if self.setup.fencing:  # the lab's fence device: fence_netns on each namespace
            options["stonith-enabled"] = "true"
            extra = self.lab.stonith_xml()
        return self.lab.group_cib(
            stickiness=self.setup.stickiness,
            monitor=self.setup.monitor,
            options=options,
            extra_resources=extra,
            web=self.setup.web,
        )

    def start(self, timeout: float = 90.0) -> AuditReport:
        """Build the lab, start every daemon and wait for the group; then the sampler and
        the client loop."""
        lab = self.lab
        lab.build()
        lab.make_disk()
        if self.setup.web == "builtin":
            lab.install_httpd()
        started = StepResult("start", time.time())
        lab.start_all(self.cib())
        self.auditor.start_sampling()
        report = self.auditor.audit(vip_holder=True, service=True, timeout=timeout)
        try:  # every node up, none fenced while the cluster formed
            self._check_lost(started)
        except AuditFailure as exc:
            raise AuditFailure(f"as the cluster formed: {exc}") from None
        self.client = ClientLoop(
            lab.client_ns,
            lab.vip,
            lab.root,
            timeout=CLIENT_TIMEOUT,
            pause=CLIENT_PAUSE,
            duration=24 * 3600,
            python=lab.python,
        )
        client = self.client
        since = time.time()
        self.auditor.wait_for(lambda: client.ok_since(since), 30, "the client's first answer")
        return report

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(OSError):
                self.client.stop()
            self.client = None
        self.auditor.stop_sampling()
        self.lab.close()

    # ----------------------------------------------------------------- roles
    def holder(self) -> str:
        holders = self.lab.vip_holders()
        if len(holders) != 1:
            raise AuditFailure(f"floating IP held by {holders or 'no node'}, not by one node")
        return holders[0]

    def dc(self) -> str | None:
        dcs = {d for d in self.auditor.dcs() if d is not None}
        return dcs.pop() if len(dcs) == 1 else None

    def others(self, *nodes: str) -> list[str]:
        return [m.name for m in self.lab.members if m.name not in nodes]

    def _logs(self, nodes: list[str] | None = None) -> list[Path]:
        members = self.lab.members if nodes is None else [self.lab.node(n) for n in nodes]
        return [m.log for m in members]

    # ---------------------------------------------------------------- a step
    @contextlib.contextmanager
    def _step(
        self, title: str, lost: tuple[str, ...] = ()
    ) -> Iterator[tuple[StepResult, logscan.LogWatch]]:
        """One step; ``lost``: the nodes it may fence or leave down.  Any other node
        fenced, or whose daemon is gone, at its end fails it."""
        watch = logscan.LogWatch(self._logs())
        step = StepResult(title, time.time(), lost=lost, fence_seen=self._fence_history())
        try:
            yield step, watch
            self._check_lost(step)
        except (AuditFailure, RuntimeError, OSError) as exc:
            step.failure = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        step.decided = step.decided or watch.first(logscan.DECISION)
        until = time.time()
        if self.client is not None:
            step.downtime = outage(self.client.records(), step.fault_at, until)
        step.group = tuple(self.lab.vip_holders())

    def _wait_line(
        self,
        watch: logscan.LogWatch,
        pattern: re.Pattern[str],
        nodes: list[str] | None,
        what: str,
        timeout: float | None = None,
    ) -> logscan.LogLine:
        limit = timeout if timeout is not None else 5 * self.setup.deadtime + 20
        found: logscan.LogLine = self.auditor.wait_for(
            lambda: watch.first(pattern, self._logs(nodes)), limit, what
        )
        return found

    def _audit(
        self,
        step: StepResult,
        *,
        suspect: str | None = None,
        watch: logscan.LogWatch | None = None,
        partitions: list[list[str]] | None = None,
        vip_holder: str | bool | None = True,
    ) -> None:
        allow = None
        if suspect is not None and watch is not None and not self.setup.fencing:
            allow = self._declared_dead(suspect, watch)
        step.report = self.auditor.audit(
            vip_holder=vip_holder,
            service=True,
            timeout=RECOVERY_TIMEOUT,
            partitions=partitions,
            allow=allow,
        )
        if step.report.tolerated:
            step.notes.append(
                f"held twice for {overlap(step.report.tolerated):.2f} s without fencing"
                f" ({step.report.tolerated[0].text()}): {suspect} still ran the group when"
                " its peers declared it dead"
            )

    def _declared_dead(self, suspect: str, watch: logscan.LogWatch) -> Callable[[Violation], bool]:
        """Without fencing: a double holding that involves ``suspect`` is tolerated from the
        moment a peer declared it dead (the holding that only fencing prevents)."""
        peers = self.others(suspect)
        seen: list[logscan.LogLine | None] = []

        def allow(v: Violation) -> bool:
            if not seen:
                seen.append(watch.first(logscan.dead(suspect), self._logs(peers)))
            dead = seen[0]
            # log times have millisecond precision
            return suspect in v.holders and dead is not None and v.wall >= dead.wall - 0.002

        return allow

    # ---------------------------------------------------------------- faults
    def crash(self, node: str, *, restore: bool = True) -> StepResult:
        """Power cut of ``node``; then it is powered on and its daemon started again."""
        held = node in self.lab.vip_holders()
        title = f"crash {node}" + (" (runs the group)" if held else "")
        with self._step(title, lost=(node,)) as (step, watch):
            step.fault_at = time.time()
            self.lab.crash(node)
            step.detected = self._wait_line(
                watch, logscan.dead(node), self.others(node), f"a peer to declare {node} dead"
            )
            self._expect_fenced(step, node)
            self._audit(step)
            # the survivors' decision (the node's own log may have one from just before)
            step.decided = watch.first(logscan.DECISION, self._logs(self.others(node)))
        if restore and step.ok:
            step.restore = self.restart(node)
        return step

    def restart(self, node: str) -> StepResult:
        """Power ``node`` on and start its daemon; it rejoins."""
        with self._step(f"power on {node}, start pycrm run") as (step, _watch):
            self.lab.power_on(node)
            self.lab.start(node)
            self._audit(step)
        return step

    def kill_daemon(self, node: str, delay: float = 0.1) -> StepResult:
        """SIGKILL ``node``'s daemon (what it started keeps running), restart it after
        ``delay`` seconds (systemd's RestartSec)."""
        title = f"kill -9 pycrm run on {node}, restart after {delay:.2f} s"
        with self._step(title, lost=(node,)) as (step, watch):
            step.fault_at = time.time()
            self.lab.kill_daemon(node)
            time.sleep(delay)
            self.lab.start(node)
            self._audit(step, suspect=node, watch=watch)
            step.detected = watch.first(logscan.dead(node), self._logs(self.others(node)))
            if step.detected is None:
                step.notes.append(f"back within the dead time: no peer declared {node} dead")
            step.notes += self._fencing(step, node)
        if step.ok and not self.running(node):  # fenced as it came back
            step.restore = self.restart(node)
        return step

    def running(self, node: str) -> bool:
        return node in self.auditor.running()

    def kill_service(self) -> StepResult:
        """SIGKILL the web server's main process where the group runs."""
        holder = self.holder()
        server = "apache" if self.setup.web == "apache" else "the web server"
        with self._step(f"kill -9 {server} on {holder}") as (step, watch):
            step.fault_at = time.time()
            pid = self.lab.kill_service(holder)
            step.title += f" (pid {pid})"
            step.detected = self._wait_line(
                watch, logscan.service_failed(SERVICE), [holder], f"{holder} to notice"
            )
            self._audit(step)
        return step

    def standby(self, node: str, *, restore: bool = True) -> StepResult:
        """``pycrm node standby NODE`` (run on another node), then ``online``."""
        admin = self.others(node)[0]
        with self._step(f"pycrm node standby {node}") as (step, watch):
            step.fault_at = time.time()
            self._cli(admin, "node", "standby", node)
            if node in self.lab.vip_holders():
                step.decided = self._wait_line(
                    watch, logscan.DECISION, None, "the DC to move the group"
                )
            self._audit(step)
            if node in self.lab.vip_holders():
                raise AuditFailure(f"the group still runs on {node}, in standby")
        if restore and step.ok:
            with self._step(f"pycrm node online {node}") as (back, _watch):
                self._cli(admin, "node", "online", node)
                self._audit(back)
            step.restore = back
        return step

    def _cli(self, node: str, *args: str) -> None:
        done = self.lab.cli(node, *args)
        if done.returncode != 0:
            why = (done.stderr.strip() or done.stdout.strip()).splitlines()
            raise AuditFailure(
                f"pycrm {' '.join(args)}: exit {done.returncode}: {why[-1] if why else ''}"
            )

    def partition(self, node: str) -> StepResult:
        """Every link of ``node`` cut: it is alone (no quorum), the others are a majority.
        The minority stops what it ran (no-quorum-policy=stop) or is fenced; the majority
        runs the group.  :meth:`heal` ends it."""
        held = node in self.lab.vip_holders()
        majority = self.others(node)
        title = f"partition: {node} alone | {' '.join(majority)}"
        with self._step(title, lost=(node,)) as (step, watch):
            step.fault_at = time.time()
            if held:
                step.notes.append(f"{node} ran the group")
            self.lab.cut(node)
            step.detected = self._wait_line(
                watch, logscan.dead(node), majority, f"the majority to declare {node} dead"
            )
            self._expect_fenced(step, node)
            self._audit(step, suspect=node, watch=watch, partitions=[[node], majority])
            step.decided = watch.first(logscan.DECISION, self._logs(majority))
            if node in self.lab.vip_holders() or node in self.lab.disk_holders():
                raise AuditFailure(f"{node}, without quorum, still holds the group")
            if not self.setup.fencing:
                lost = watch.first(logscan.lost_quorum(), self._logs([node]))
                if lost is not None:
                    step.notes.append(
                        f"{node} lost quorum at +{lost.wall - step.fault_at:.2f} s and stopped"
                        " what it ran (no-quorum-policy=stop; no fencing)"
                    )
        return step

    def _expect_fenced(self, step: StepResult, node: str) -> None:
        """With fencing: wait until a running peer's fencing history shows ``node``
        fenced since the step began (a failed attempt may come before a success), and note
        it as crm_mon shows it; a fencing that never succeeds fails the step.  Without
        fencing: nothing."""
        if not self.setup.fencing:
            return
        limit = 5 * self.setup.deadtime + RECOVERY_TIMEOUT

        def done() -> bool:
            return any(ev.state == "done" for ev in self._new_fencings(step, node))

        try:
            self.auditor.wait_for(done, limit, f"{node} to be fenced")
        finally:
            step.notes += self._fencing(step, node)

    def _fence_history(self) -> frozenset[FenceEvent]:
        """Every fencing event the running daemons report (they keep the history the DC
        announces; a node that just started may know less)."""
        events: set[FenceEvent] = set()
        for name in self.auditor.running():
            snap = self.auditor.snapshot(name)
            if snap is not None:
                events.update(snap[1].fence_history)
        return frozenset(events)

    def _new_fencings(self, step: StepResult, target: str | None = None) -> list[FenceEvent]:
        """The fencing events (of ``target``, default any node) new since the step began,
        oldest first; an event seen pending then finished counts again, finished."""
        new = [
            ev
            for ev in self._fence_history() - step.fence_seen
            if target is None or ev.target == target
        ]
        return sorted(new, key=lambda ev: (ev.completed is None, ev.completed or 0.0))

    def _fencing(self, step: StepResult, target: str | None = None) -> list[str]:
        """The new fencings of ``target`` (default any node), as crm_mon's fencing history
        shows them, each with its time from the fault."""
        return [
            f"fencing: {describe(ev, full=True, later=None)}"
            + ("" if ev.completed is None else f" (+{ev.completed - step.fault_at:.2f} s)")
            for ev in self._new_fencings(step, target)
        ]

    def _check_lost(self, step: StepResult) -> None:
        """No node outside ``step.lost`` fenced since the step began, or down at its end."""
        others = [ev for ev in self._new_fencings(step) if ev.target not in step.lost]
        if others:
            lines = [f"fencing: {describe(ev, full=True, later=None)}" for ev in others]
            step.notes += lines
            raise AuditFailure(f"unexpected {lines[0]}")
        down = [m.name for m in self.lab.members if m.name not in step.lost]
        down = [n for n in down if not self.running(n)]
        if down:
            raise AuditFailure("; ".join(self._why_down(n) for n in down))

    def _why_down(self, name: str) -> str:
        """``name``'s daemon is not running: its exit status and its log's last line (a
        daemon that refused to start says why there)."""
        member = self.lab.node(name)
        text = f"{name}: the daemon is not running"
        if member.proc is not None and member.proc.returncode is not None:
            text += f" (exit {member.proc.returncode})"
        try:
            lines = member.log.read_text(errors="replace").splitlines()
        except OSError:
            lines = []
        last = next((line for line in reversed(lines) if line.strip()), "")
        return text + (f": {last.strip()[:300]}" if last else "")

    def heal(self, node: str) -> StepResult:
        """Reconnect ``node``; if it was fenced (its daemon is gone), power it on and start
        its daemon, as an admin would after the reboot."""
        with self._step(f"heal: {node} reconnected") as (step, watch):
            step.fault_at = time.time()
            self.lab.heal(node)
            if not self.running(node):
                self.lab.power_on(node)
                self.lab.start(node)
                step.notes.append(f"{node} was fenced: powered on and started")
                step.detected = self._wait_rejoined(watch, node)
            else:
                step.detected = self._wait_line(
                    watch, logscan.returned(), None, f"the nodes to see {node} again"
                )
            self._audit(step)
        return step

    def _wait_rejoined(self, watch: logscan.LogWatch, node: str) -> logscan.LogLine:
        """The DC's join round that names ``node`` (in a peer's log, or its own when it came
        back as DC); a daemon that exits meanwhile fails at once, saying why."""

        def rejoined() -> logscan.LogLine | None:
            if not self.running(node):
                raise AuditFailure(self._why_down(node))
            return watch.first(logscan.joined(node), self._logs())

        found: logscan.LogLine = self.auditor.wait_for(
            rejoined, 5 * self.setup.deadtime + 20, f"{node} to rejoin"
        )
        return found

    def link_loss(self, node: str, link: int, extra: float = 0.0) -> StepResult:
        """Cut link ``link`` of ``node`` until a peer noticed (plus ``extra`` seconds), then
        reconnect it.  With another link up, nothing may fail over: no node declared dead,
        the group where it was."""
        before = self.holder()
        with self._step(f"link {link} of {node} down") as (step, watch):
            step.fault_at = time.time()
            self.lab.cut(node, links=[link])
            step.detected = self._wait_line(
                watch, logscan.link_dead(node), self.others(node), f"a peer to lose {node}"
            )
            time.sleep(extra)
            self.lab.heal(node, links=[link])
            self._audit(step, vip_holder=before)
            dead = watch.first(logscan.dead(node))
            if dead is not None:
                raise AuditFailure(f"{dead.node} declared {node} dead with a link still up")
        return step


def pick(rng: random.Random, choices: list[str]) -> str:
    """One of ``choices`` for exactly one draw of ``rng`` (replays stay aligned)."""
    return choices[min(int(rng.random() * len(choices)), len(choices) - 1)]
