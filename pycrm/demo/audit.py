"""CTS-style audits of a `ClusterLab`: what the demo, the soak and the scenario tests check.

* :class:`Sampler` looks at every node every few milliseconds while a scenario runs and
  records any moment where the floating IP, or the shared disk, is held by two nodes (a
  :class:`Violation`), and every change of who holds them (a :class:`Change`);
* :meth:`Auditor.audit` after a step: the cluster settled (every running daemon answers,
  one DC per partition that says nothing is planned or running, idle executors, equal CIB
  versions), one VIP holder (or the given one, or none), CIB versions converged, no process
  left on a node whose daemon is gone, and no double holding since the previous audit;
* ``wait_for`` helpers with deadlines (no fixed sleeps).

A failed check raises :class:`AuditFailure` (one line; with ``details=True`` the end of
every node's log follows, for test reports).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from heartbeat_compat.membership.statusd import SOCKET_NAME, StatusSocketError, query
from pycrm.control.client import ControlError, call
from pycrm.demo.lab import ClusterLab
from pycrm.status.payload import STATUS_COMMAND, parse_status_payload
from pycrm.status.snapshot import DaemonSnapshot

POLL = 0.05


class AuditFailure(Exception):
    """A check after a step failed; str() says which, in one line (plus logs if asked)."""


@dataclass(frozen=True)
class Violation:
    """Two or more nodes held ``kind`` ("vip" or "disk") at ``at`` (monotonic seconds;
    ``wall``: the same moment in epoch seconds)."""

    at: float
    kind: str
    holders: tuple[str, ...]
    wall: float = 0.0

    def text(self) -> str:
        return f"{self.kind} held by {' and '.join(self.holders)}"


@dataclass(frozen=True)
class Change:
    """From ``at`` (monotonic seconds; ``wall``: epoch seconds) on, ``kind`` is held by
    ``holders``."""

    at: float
    kind: str
    holders: tuple[str, ...]
    wall: float = 0.0


class Sampler(threading.Thread):
    """Samples VIP and disk holders until stopped; remembers every double holding and every
    change of holders.  (A thread: the steps it watches block in subprocesses.)"""

    def __init__(self, lab: ClusterLab, interval: float = 0.02) -> None:
        super().__init__(daemon=True, name="lab-sampler")
        self.lab = lab
        self.interval = interval
        self.violations: list[Violation] = []
        self.changes: list[Change] = []
        self.samples = 0
        self._last: dict[str, tuple[str, ...]] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            now, wall = time.monotonic(), time.time()
            self._note(now, wall, "vip", self.lab.vip_holders())
            if self.lab.disk is not None:
                self._note(now, wall, "disk", self.lab.disk_holders())
            self.samples += 1
            self._stop_event.wait(self.interval)

    def _note(self, now: float, wall: float, kind: str, holders: list[str]) -> None:
        held = tuple(holders)
        if len(held) > 1:
            self.violations.append(Violation(now, kind, held, wall))
        if self._last.get(kind) != held:
            self._last[kind] = held
            self.changes.append(Change(now, kind, held, wall))

    def stop(self) -> None:
        self._stop_event.set()
        self.join(10)


@dataclass(frozen=True)
class AuditReport:
    """What an audit found (all checks passed); ``tolerated``: double holdings the caller
    allowed (see :meth:`Auditor.audit`)."""

    holders: tuple[str, ...]
    dcs: tuple[str, ...]
    version: tuple[int, int, int] | None
    nodes: tuple[str, ...]
    samples: int
    tolerated: tuple[Violation, ...] = field(default=())

    def text(self) -> str:
        where = ", ".join(self.holders) or "nobody"
        version = "?" if self.version is None else ".".join(map(str, self.version))
        parts = [
            f"settled (DC {', '.join(self.dcs) or '?'})",
            f"floating IP on {where}",
            f"CIB {version} on {len(self.nodes)} node{'s' if len(self.nodes) != 1 else ''}",
            "no orphans",
        ]
        if self.samples:
            parts.append(f"never held twice ({self.samples} samples)")
        if self.tolerated:
            parts[-1] = f"held twice for {overlap(self.tolerated):.2f} s (tolerated)"
        return ", ".join(parts)


def overlap(violations: Sequence[Violation], interval: float = 0.02) -> float:
    """An estimate of how long something was held twice: a run of samples (at most three
    ``interval`` apart) counts as continuous, a sample alone as one interval."""
    if not violations:
        return 0.0
    stamps = sorted({v.at for v in violations})
    total = interval
    for a, b in itertools.pairwise(stamps):
        total += b - a if b - a <= 3 * interval else interval
    return total


class Auditor:
    """Audits and waits over a lab.  ``details``: failure messages carry every node's log
    tail (tests); otherwise they are one line (the demo and the soak print their own)."""

    def __init__(self, lab: ClusterLab, *, details: bool = False) -> None:
        self.lab = lab
        self.details = details
        self.sampler: Sampler | None = None
        self._checked = 0  # violations already judged by an audit

    # ------------------------------------------------------------- sampling
    def start_sampling(self) -> None:
        self.sampler = Sampler(self.lab)
        self.sampler.start()

    def stop_sampling(self) -> list[Violation]:
        if self.sampler is None:
            return []
        self.sampler.stop()
        found = self.sampler.violations
        self.sampler = None
        return found

    def new_violations(self) -> list[Violation]:
        """Double holdings seen since the last audit."""
        return [] if self.sampler is None else self.sampler.violations[self._checked :]

    def assert_never_doubled(
        self, allow: Callable[[Violation], bool] | None = None
    ) -> list[Violation]:
        """Fails on a double holding seen since the last audit that ``allow`` does not
        accept; returns the accepted ones."""
        sampler = self.sampler
        if sampler is None:
            return []
        found = sampler.violations[self._checked :]
        self._checked += len(found)
        tolerated = [v for v in found if allow is not None and allow(v)]
        bad = [v for v in found if v not in tolerated]
        if bad:
            first = bad[0]
            raise AuditFailure(
                f"held twice: {first.text()} ({len(bad)} samples over"
                f" {overlap(bad):.2f} s){self._tails()}"
            )
        return tolerated

    # ------------------------------------------------------------- waiting
    def wait_for(self, cond: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = cond()
            if value:
                return value
            if time.monotonic() >= deadline:
                last = f" (last: {value!r})" if self.details else ""
                raise AuditFailure(
                    f"timed out after {timeout:g} s waiting for {what}{last}{self._tails()}"
                )
            time.sleep(POLL)

    def wait_http(self, timeout: float = 30.0) -> float:
        """Seconds until the client gets HTTP 200 through the floating IP."""
        start = time.monotonic()
        self.wait_for(lambda: self.lab.http(timeout=1.0) == 200, timeout, "HTTP 200 on the VIP")
        return time.monotonic() - start

    def wait_holder(self, node: str | None, timeout: float = 30.0) -> None:
        want = [] if node is None else [node]
        self.wait_for(lambda: self.lab.vip_holders() == want, timeout, f"VIP held by {want}")

    # ------------------------------------------------------------- daemons
    def running(self) -> list[str]:
        return [m.name for m in self.lab.members if m.proc is not None and m.proc.poll() is None]

    def snapshot(self, name: str) -> tuple[bytes, DaemonSnapshot] | None:
        """The CIB and the snapshot node ``name``'s daemon answers with (None: no answer)."""
        try:
            payload = call(self.lab.node(name).run_dir, STATUS_COMMAND, timeout=5)
            return parse_status_payload(payload)
        except (ControlError, ValueError):
            return None

    def versions(self) -> dict[str, tuple[int, int, int] | None]:
        out = {}
        for name in self.running():
            snap = self.snapshot(name)
            if snap is not None:
                out[name] = snap[1].cib_version
        return out

    def _groups(self, partitions: Sequence[Collection[str]] | None) -> list[list[str]]:
        running = self.running()
        if partitions is None:
            return [running] if running else []
        groups = [[n for n in running if n in part] for part in partitions]
        return [g for g in groups if g]

    def settled(self, partitions: Sequence[Collection[str]] | None = None) -> bool:
        """Every running daemon answers; in each partition (default: all running nodes in
        one) they agree on one DC that is one of them, that DC says the cluster is settled
        (nothing planned or running), no executor is busy and the CIB versions are equal."""
        groups = self._groups(partitions)
        if not groups:
            return False
        for group in groups:
            answers = []
            for name in group:
                try:
                    answers.append(call(self.lab.node(name).run_dir, "settled", timeout=5))
                except ControlError:
                    return False
            dcs = {a.get("dc") for a in answers}
            versions = {a.get("version") for a in answers}
            if not (
                len(dcs) == 1
                and dcs <= set(group)
                and any(a.get("settled") is True for a in answers)
                and all(a.get("executor_idle") for a in answers)
                and len(versions) == 1
            ):
                return False
        return True

    def wait_settled(
        self, timeout: float = 60.0, partitions: Sequence[Collection[str]] | None = None
    ) -> None:
        self.wait_for(lambda: self.settled(partitions), timeout, "the cluster to settle")

    def links_down(self) -> list[str]:
        """``observer: peer/link`` for every link of a running node that another running
        node does not see up (its membership layer, what ``cl_status hblinkstatus`` says)."""
        running = self.running()
        down = []
        for name in running:
            try:
                snap = query(self.lab.node(name).run_dir / SOCKET_NAME, timeout=5)
            except StatusSocketError:
                down.append(f"{name}: no membership answer")
                continue
            for peer in snap.get("nodes", []):
                if not isinstance(peer, dict) or peer.get("name") not in running:
                    continue
                if peer.get("name") == name:
                    continue
                links = peer.get("links", {})
                for link, status in sorted(links.items() if isinstance(links, dict) else ()):
                    if status != "up":
                        down.append(f"{name}: {peer.get('name')}/{link} {status}")
        return down

    def dcs(self) -> set[str | None]:
        found = set()
        for name in self.running():
            snap = self.snapshot(name)
            if snap is not None:
                found.add(snap[1].dc)
        return found

    # --------------------------------------------------------------- audits
    def audit(
        self,
        *,
        vip_holder: str | bool | None = True,
        timeout: float = 30.0,
        partitions: Sequence[Collection[str]] | None = None,
        service: bool = False,
        allow: Callable[[Violation], bool] | None = None,
    ) -> AuditReport:
        """After a step: settled (per partition, if given), one VIP holder (or the given
        one / none; False: not checked), CIB versions converged (per partition), every
        running node sees every other on every link (unless partitioned), no orphans, and
        no double holding seen by the sampler since the last audit, except those ``allow``
        accepts.  ``service``: the shared disk is where the VIP is and the
        client gets HTTP 200 through the VIP."""
        self.wait_settled(timeout, partitions)
        holders = self.lab.vip_holders()
        if vip_holder is True:
            if len(holders) != 1:
                raise AuditFailure(f"floating IP held by {_names(holders)}, not by one node")
        elif vip_holder is not False:
            want = [vip_holder] if isinstance(vip_holder, str) else []
            if holders != want:
                raise AuditFailure(f"floating IP held by {_names(holders)}, not {_names(want)}")
        if service:
            disk = self.lab.disk_holders()
            if self.lab.disk is not None and disk != holders:
                raise AuditFailure(
                    f"shared disk mounted on {_names(disk)}, floating IP on {_names(holders)}"
                )
            if holders:
                self.wait_for(
                    lambda: self.lab.http(timeout=1.0) == 200, timeout, "HTTP 200 on the VIP"
                )
        self.wait_for(lambda: self._converged(partitions), timeout, "CIB versions to converge")
        if partitions is None:
            try:
                self.wait_for(lambda: not self.links_down(), timeout, "every link to be up")
            except AuditFailure:
                down = ", ".join(self.links_down())
                raise AuditFailure(
                    f"links down after {timeout:g} s: {down}{self._tails()}"
                ) from None
        self.assert_no_orphans()
        tolerated = self.assert_never_doubled(allow)
        versions = self.versions()
        dcs = tuple(sorted(d for d in self.dcs() if d is not None))
        return AuditReport(
            holders=tuple(self.lab.vip_holders()),
            dcs=dcs,
            version=max((v for v in versions.values() if v is not None), default=None),
            nodes=tuple(sorted(versions)),
            samples=0 if self.sampler is None else self.sampler.samples,
            tolerated=tuple(tolerated),
        )

    def _converged(self, partitions: Sequence[Collection[str]] | None = None) -> bool:
        versions = self.versions()
        if len(versions) != len(self.running()):
            return False
        return all(len({versions[n] for n in g}) == 1 for g in self._groups(partitions))

    def orphans(self) -> dict[str, list[str]]:
        """Processes on nodes whose daemon is not running (zombies do not count: they are
        dead, waiting for init to reap them)."""
        found: dict[str, list[str]] = {}
        for member in self.lab.members:
            if member.proc is not None and member.proc.poll() is None:
                continue
            alive = [_describe(p) for p in self.lab.ns_pids(member.ns) if not _zombie(p)]
            alive = [d for d in alive if d]
            if alive:
                found[member.name] = alive
        return found

    def assert_no_orphans(self, timeout: float = 10.0) -> None:
        """A node whose daemon is not running has no process left (what it started)."""
        deadline = time.monotonic() + timeout
        while (found := self.orphans()) and time.monotonic() < deadline:
            time.sleep(0.1)
        if found:
            codes = {
                m.name: m.proc.returncode if m.proc is not None else None
                for m in self.lab.members
                if m.name in found
            }
            raise AuditFailure(
                f"processes left behind: {found} (daemons' exit status: {codes}){self._tails()}"
            )

    # ----------------------------------------------------------------- logs
    def _tails(self) -> str:
        return "\n" + self.tails() if self.details else ""

    def tails(self, lines: int = 400) -> str:
        out = []
        for member in self.lab.members:
            try:
                text = member.log.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                continue
            out.append(f"----- {member.name} (last {lines} lines)\n" + "\n".join(text))
            disk = self.lab.disk
            for pid in self.lab.daemon_pids(member.name)[:1]:
                if disk is None:
                    continue
                log = f"/proc/{pid}/root{disk.site}/logs/error.log"
                try:
                    with open(log, errors="replace") as fh:
                        out.append(f"----- {member.name}: apache error.log\n" + fh.read()[-2000:])
                except OSError:
                    pass
        return "\n".join(out)


def _names(nodes: Sequence[str]) -> str:
    return " and ".join(nodes) if nodes else "no node"


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return True  # gone
    return raw[raw.rfind(b")") + 2 :][:1] in (b"Z", b"X")


def _describe(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return f"{pid} " + fh.read().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return ""
