"""`pycrm demo`: a three-node `pycrm run` cluster on this machine, failures injected while a
client watches, a timeline of what each failure cost, then everything removed.

The lab (pycrm.demo.lab) is three nodes in network namespaces on one bridge, a client
namespace, a loop-mounted ext4 disk holding the web site, and the group ``web``: a
floating IP (ocf:pycrm:IPaddr2), the disk (ocf:pycrm:Filesystem) and apache2
(ocf:pycrm:apache; Python's http.server under a lab agent when apache2 is not installed).
While the client requests the page through the floating IP, the failures come in order:
the group's node crashes (then boots and rejoins), apache's main process is killed, the
group's node is put in standby (then back online), it is cut off from the other two (a
partition: alone it has no quorum), and the partition heals.  Each step is audited like
the scenario tests (pycrm.demo.audit) and measured from the daemons' logs and the client's
record (pycrm.demo.faults).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pycrm.demo.apache_site import HTTPD
from pycrm.demo.audit import AuditFailure
from pycrm.demo.faults import FaultRunner, Setup, StepResult
from pycrm.demo.interrupt import interrupt_on_signals
from pycrm.demo.lab import ClusterLab

Echo = Callable[[str], None]
STICKINESS = 200  # > the location preference (100): a recovered node does not take it back
WIDTH = 40  # of the fault column in the summary


def web_server(choice: str) -> tuple[str, str]:
    """("apache" | "builtin", what to tell the user) for --web auto|apache|builtin."""
    if choice == "builtin":
        return "builtin", "web server: Python's http.server (built-in, as asked; monitor 2 s)"
    if Path(HTTPD).exists():
        return "apache", f"web server: apache2 ({HTTPD})"
    if choice == "apache":
        raise RuntimeError(f"{HTTPD} is not installed (scripts/install.sh installs it)")
    return "builtin", (
        f"web server: {HTTPD} is not installed, so the demo uses Python's built-in"
        " http.server instead (monitor 2 s; scripts/install.sh installs apache2)"
    )


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _downtime(step: StepResult) -> str:
    out = step.downtime
    if out is None or out.failed == 0:
        return "none"
    return "not back" if out.downtime is None else f"{out.downtime:.2f} s"


def _audit_word(step: StepResult) -> str:
    if not step.ok:
        return "FAILED"
    return "ok*" if step.tolerated else "ok"


class Demo:
    def __init__(self, echo: Echo, setup: Setup, web_note: str) -> None:
        self.echo = echo
        self.setup = setup
        self.web_note = web_note
        self.lab = ClusterLab(nodes=setup.nodes, links=setup.links, profile=setup.profile)
        self.runner = FaultRunner(self.lab, setup)
        self.steps: list[StepResult] = []
        self.t0 = time.time()

    # ------------------------------------------------------------------ output
    def header(self) -> None:
        lab, setup = self.lab, self.setup
        self.echo(
            f"pycrm demo: three `pycrm run` nodes in network namespaces on this machine"
            f" (lab {lab.prefix})"
        )
        self.echo(
            f"  profile {setup.profile}: keepalive {setup.keepalive:g} s,"
            f" dead time {setup.deadtime:g} s"
        )
        self.echo(f"  {self.web_note}")
        fencing = "stonith enabled (fence_netns)" if setup.fencing else "no fencing"
        self.echo("  group web = floating IP + Filesystem (loop-mounted ext4) + web server")
        self.echo(
            f"  prefers node1, resource-stickiness {setup.stickiness},"
            f" no-quorum-policy=stop, {fencing}"
        )

    def started(self) -> None:
        lab = self.lab
        disk = lab.disk
        self.echo(
            f"  nodes node1..node{len(lab.members)} on {lab.subnet(0)}.0/24, floating IP"
            f" {lab.vip}, client {lab.client_addr}"
            + (f", shared disk {disk.device}" if disk is not None else "")
        )
        self.echo(f"  the lab's files: {lab.root}")
        self.echo(f"  cluster up in {time.time() - self.t0:.1f} s; `pycrm status` on node1:")
        for line in lab.status("node1").splitlines():
            self.echo(f"    {line}" if line else "")
        self.echo(
            f"  client: GET http://{lab.vip}/ from the client namespace, a new connection"
            " every 20 ms"
        )

    def show(self, index: int, total: int, step: StepResult) -> None:
        at = time.strftime("%H:%M:%S", time.localtime(step.fault_at))
        self.echo("")
        self.echo(f"[{index}/{total}] {at}  {step.title}")
        if step.detected is not None:
            d = step.detected
            self.echo(f"      detected  +{_secs(step.detection())}  {d.node}: {d.text}")
        if step.decided is not None:
            d = step.decided
            text = d.text.removeprefix("verdict: ")
            self.echo(f"      decided   +{_secs(step.decision())}  {d.node}: {text}")
        out = step.downtime
        if out is not None and out.failed and out.downtime is None:
            self.echo(
                f"      downtime  not back: no answer since the fault ({out.failed} requests"
                " failed)"
            )
        elif out is not None and out.failed:
            self.echo(
                f"      downtime  {_downtime(step)} seen by the client"
                f" ({out.failed} requests failed)"
            )
        else:
            self.echo("      downtime  none: every request was answered")
        for note in step.notes:
            self.echo(f"      note      {note}")
        where = " ".join(step.group) or "nowhere"
        self.echo(f"      group     web on {where}")
        if step.failure:
            self.echo(f"      audit     FAILED: {step.failure}")
        elif step.report is not None:
            self.echo(f"      audit     ok: {step.report.text()}")
        back = step.restore
        if back is not None:
            verdict = "ok" if back.ok else f"FAILED: {back.reason()}"
            down = "" if _downtime(back) == "none" else f", downtime {_downtime(back)}"
            self.echo(
                f"      then      {back.title}: group on {' '.join(back.group) or 'nowhere'}"
                f"{down}; audit {verdict}"
            )

    def summary(self) -> None:
        setup = self.setup
        self.echo("")
        self.echo(
            f"Timeline (profile {setup.profile}: keepalive {setup.keepalive:g} s, dead time"
            f" {setup.deadtime:g} s; detected/decided: from the fault to the first log line)"
        )
        self.echo(
            f"  #  {'fault':<{WIDTH}}  {'detected':>9}  {'decided':>9}  {'downtime':>9}"
            "  group on  audit"
        )
        for i, step in enumerate(self.steps, 1):
            title = step.title if len(step.title) <= WIDTH else step.title[: WIDTH - 1] + "~"
            self.echo(
                f"  {i}  {title:<{WIDTH}}  {_secs(step.detection()):>9}"
                f"  {_secs(step.decision()):>9}  {_downtime(step):>9}"
                f"  {' '.join(step.group) or '-':<8}  {_audit_word(step)}"
            )
        if any(s.tolerated for s in self.steps):
            self.echo(
                "  ok*: the floating IP or the disk was held twice while the peers had declared"
                " a node dead that still ran the group; without fencing nothing prevents it"
            )

    # --------------------------------------------------------------------- run
    def run(self) -> None:
        runner = self.runner
        self.header()
        runner.start()
        self.started()
        total = 5
        holder = runner.holder()
        self._record(1, total, runner.crash(holder))
        self._record(2, total, runner.kill_service())
        self._record(3, total, runner.standby(runner.holder()))
        holder = runner.holder()
        self._record(4, total, runner.partition(holder))
        self._record(5, total, runner.heal(holder))
        self.summary()

    def _record(self, index: int, total: int, step: StepResult) -> None:
        self.steps.append(step)
        self.show(index, total, step)
        if not step.ok and index < total:
            raise AuditFailure(f"step {index} failed: {step.reason()}")

    def keep_logs(self) -> Path | None:
        """A copy of every node's log, for a failed run (the lab itself is removed)."""
        try:
            dest = Path(tempfile.mkdtemp(prefix=f"pycrm-demo-{self.lab.prefix}-", dir="/var/tmp"))
            for member in self.lab.members:
                if member.log.exists():
                    shutil.copy(member.log, dest / f"{member.name}.log")
        except OSError:
            return None
        return dest

    def wait_for_enter(self) -> None:
        lab = self.lab
        self.echo("")
        self.echo("--keep: the lab is still running. Look around, e.g.:")
        self.echo(
            f"    {sys.executable} -m pycrm.cli.main status --config {lab.node('node1').config}"
        )
        self.echo(f"    ip netns exec {lab.client_ns} curl -s http://{lab.vip}/")
        self.echo(f"    logs: {lab.root}/node*/daemon.log")
        self.echo("Press Enter (or Ctrl-C) to remove it.")
        with contextlib.suppress(EOFError, KeyboardInterrupt):
            input()


def run_cluster_demo(
    echo: Echo,
    *,
    profile: str = "default",
    web: str = "auto",
    keep: bool = False,
    fencing: bool = True,
) -> int:
    """The demo; 0 when every step's audit passed, 1 when one failed, 130 interrupted."""
    try:
        kind, note = web_server(web)
    except RuntimeError as exc:
        echo(f"pycrm demo: {exc}")
        return 5
    setup = Setup(profile=profile, web=kind, stickiness=STICKINESS, fencing=fencing)
    demo = Demo(echo, setup, note)
    status = 0
    with interrupt_on_signals():
        try:
            demo.run()
            failed = [i for i, s in enumerate(demo.steps, 1) if not s.ok]
            if failed:
                status = 1
        except KeyboardInterrupt:
            echo("\npycrm demo: interrupted")
            status = 130
        except (AuditFailure, RuntimeError, OSError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            echo(f"\npycrm demo: {first}")
            if demo.steps:
                demo.summary()
            status = 1
        finally:
            try:
                if keep and status != 130:
                    demo.wait_for_enter()
                logs = demo.keep_logs() if status == 1 else None
                echo("")
                echo("cleaning up: stopping the daemons and the client, removing the namespaces,")
                echo("the loop device and the lab's files ...")
                demo.runner.close()
                echo(
                    "done: nothing of the demo is left"
                    + (f" but the logs in {logs}" if logs else "")
                )
            except KeyboardInterrupt:
                demo.runner.close()
    if status == 0:
        echo("demo passed: every step was detected, recovered and audited")
    elif status == 1:
        echo("demo FAILED: see the audit lines above")
    return status
