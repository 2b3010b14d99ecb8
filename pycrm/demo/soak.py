"""A CTS-style randomized soak of `pycrm run`: N random faults on a three-node lab, each
followed by the audits; every iteration's seed is printed so that it can be replayed.

    sudo python bench/soak.py --iterations 50 --profile fast [--seed S] [--faults ...]

The lab (pycrm.demo.lab) has three nodes and two links; the group ``web`` (floating IP,
Filesystem on the shared loop disk, apache) prefers node1, no stickiness (so it moves back
when node1 returns), no-quorum-policy=stop, and fencing (stonith-enabled with the lab's
``fence_netns`` device: a node its peers declare dead is switched off before its resources
move; a fenced node is powered on and started again).  The audit sampler runs throughout.

Faults (pycrm.demo.faults), each on a node chosen by role -- the group's node, the DC, or
another node -- so that a replay on a fresh cluster hits the same roles:

* ``crash``: power cut, then power on and start the daemon;
* ``daemon-kill``: SIGKILL of `pycrm run`, restarted after a random delay below a quarter
  of the dead time (systemd's RestartSec);
* ``service-kill``: SIGKILL of apache's main process where the group runs;
* ``partition``: every link of the node cut (alone, it has no quorum), then healed;
* ``link-loss``: one of the two links of the node cut until a peer notices, plus a random
  while, then back; never the floating IP's link on the node that holds it (that is an
  IPaddr2 failure and a legitimate move).  Nothing may fail over: no node declared dead,
  the group stays where it was;
* ``standby``: ``pycrm node standby`` of the node, then ``online``.

Seeds: iteration 1 uses the run's seed; each next seed is derived from the previous one
(:func:`next_seed`).  An iteration draws its fault, role and timings from its own seed
only, so ``--seed S --iterations 1 --faults F`` replays one iteration (on a fresh cluster:
the roles, not the node names, are what is replayed), and ``--seed S --iterations K``
replays a run from that iteration on.

With ``--no-fencing`` (heartbeat's behaviour), a node declared dead by its peers while it
still runs the group holds the floating IP and the disk together with the node that took
over until it stops them itself (see pycrm.demo.faults): such an iteration passes as "ok*"
with the duration, unless ``--strict``; with fencing, any double holding fails.

After a failed iteration the lab is rebuilt and the run goes on; the failed iteration's
logs are copied to the results directory.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pycrm.daemon.config_model import PROFILES
from pycrm.demo.apache_site import HTTPD
from pycrm.demo.audit import AuditFailure
from pycrm.demo.faults import FaultRunner, Setup, StepResult, pick
from pycrm.demo.interrupt import interrupt_on_signals
from pycrm.demo.lab import ClusterLab

FAULTS = ("crash", "daemon-kill", "service-kill", "partition", "link-loss", "standby")
ROLES = ("holder", "dc", "other")
LINKS = 2
SEED_BITS = 32
Echo = Callable[[str], None]


def next_seed(seed: int) -> int:
    """The seed of the iteration after the one with ``seed``."""
    rng = random.Random(f"pycrm-soak-next:{seed}")  # noqa: S311 - replayable, not secret
    return rng.getrandbits(SEED_BITS)


@dataclass(frozen=True)
class Plan:
    """What one iteration does, drawn from its seed alone (always the same number of
    draws, in the same order, whatever the choices)."""

    seed: int
    fault: str
    role: str
    which: float  # picks among the nodes of that role
    phase: float  # the fault's moment within a keepalive interval, as a fraction
    amount: float  # a delay or a hold, as a fraction of its range
    link: int

    @classmethod
    def draw(cls, seed: int, faults: Sequence[str], *, fault: str | None = None) -> Plan:
        rng = random.Random(seed)  # noqa: S311 - replayable, not secret
        drawn = pick(rng, list(faults))
        return cls(
            seed=seed,
            fault=fault or drawn,
            role=pick(rng, list(ROLES)),
            which=rng.random(),
            phase=rng.random(),
            amount=rng.random(),
            link=min(int(rng.random() * LINKS), LINKS - 1),
        )


@dataclass
class Outcome:
    index: int
    plan: Plan
    target: str
    role: str = ""
    steps: list[StepResult] = field(default_factory=list)
    failure: str = ""

    @property
    def ok(self) -> bool:
        return not self.failure and all(s.ok for s in self.steps)

    @property
    def tolerated(self) -> float:
        return sum(s.tolerated for s in self.steps)

    def reason(self) -> str:
        if self.failure:
            return self.failure
        return next((s.reason() for s in self.steps if not s.ok), "")


class Soak:
    def __init__(
        self,
        *,
        profile: str = "fast",
        web: str = "apache",
        strict: bool = False,
        fencing: bool = True,
        results: Path | None = None,
        echo: Echo = print,
    ) -> None:
        self.setup = Setup(profile=profile, web=web, links=LINKS, stickiness=0, fencing=fencing)
        self.strict = strict
        self.results = results
        self.echo = echo
        self.runner: FaultRunner | None = None

    # -------------------------------------------------------------- the lab
    def _up(self) -> FaultRunner:
        if self.runner is None:
            lab = ClusterLab(nodes=3, links=LINKS, profile=self.setup.profile)
            self.runner = FaultRunner(lab, self.setup)
            self.runner.start()
        return self.runner

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()
            self.runner = None

    def _keep_logs(self, outcome: Outcome) -> Path | None:
        if self.runner is None or self.results is None:
            return None
        dest = self.results / f"iteration-{outcome.index}-seed-{outcome.plan.seed}"
        dest.mkdir(parents=True, exist_ok=True)
        for member in self.runner.lab.members:
            with contextlib.suppress(OSError):
                shutil.copy(member.log, dest / f"{member.name}.log")
        return dest

    # ------------------------------------------------------------ iterations
    def target(self, runner: FaultRunner, plan: Plan) -> str:
        holder = runner.holder()
        dc = runner.dc() or holder
        if plan.role == "holder":
            return holder
        if plan.role == "dc":
            return dc
        others = runner.others(holder, dc)
        return others[min(int(plan.which * len(others)), len(others) - 1)]

    def iterate(self, index: int, plan: Plan) -> Outcome:
        runner = self._up()
        setup = self.setup
        target = self.target(runner, plan)
        outcome = Outcome(index, plan, target, plan.role)
        time.sleep(plan.phase * setup.keepalive)  # a random phase of the heartbeat
        steps = outcome.steps
        if plan.fault == "crash":
            steps.append(runner.crash(target))
        elif plan.fault == "daemon-kill":
            steps.append(runner.kill_daemon(target, plan.amount * setup.deadtime / 4))
        elif plan.fault == "service-kill":  # where the group runs, whatever the role
            outcome.target = runner.holder()
            outcome.role = "holder"
            steps.append(runner.kill_service())
        elif plan.fault == "partition":
            steps.append(runner.partition(target))
            if steps[-1].ok:
                time.sleep(plan.amount * setup.deadtime)
            steps.append(runner.heal(target))
        elif plan.fault == "link-loss":
            link = plan.link
            if target == runner.holder() and link == 0:
                link = 1  # the floating IP's link on its holder: a legitimate move
            steps.append(runner.link_loss(target, link, plan.amount * setup.deadtime))
        elif plan.fault == "standby":
            steps.append(runner.standby(target))
        else:
            raise ValueError(f"unknown fault {plan.fault!r}")
        if self.strict and outcome.tolerated:
            outcome.failure = f"held twice for {outcome.tolerated:.2f} s (--strict)"
        return outcome

    def run(
        self,
        iterations: int,
        seed: int,
        faults: Sequence[str] = FAULTS,
        *,
        cycle: bool = False,
    ) -> list[Outcome]:
        """``iterations`` iterations from ``seed``; ``cycle``: the faults in turn (each
        iteration's other choices still come from its seed)."""
        outcomes = []
        current = seed
        for i in range(iterations):
            fault = faults[i % len(faults)] if cycle else None
            plan = Plan.draw(current, faults, fault=fault)
            try:
                outcome = self.iterate(i + 1, plan)
            except (AuditFailure, RuntimeError, OSError) as exc:
                outcome = Outcome(i + 1, plan, "?", plan.role, failure=_first_line(exc))
            outcomes.append(outcome)
            self.report(outcome)
            if not outcome.ok:
                logs = self._keep_logs(outcome)
                if logs is not None:
                    self.echo(f"    logs: {logs}")
                self.close()  # a fresh lab for the next iteration
            current = next_seed(current)
        return outcomes

    # ---------------------------------------------------------------- output
    def report(self, outcome: Outcome) -> None:
        plan = outcome.plan
        head = (
            f"iteration {outcome.index} seed {plan.seed} fault {plan.fault}"
            f" {outcome.target} ({outcome.role})"
        )
        detail = "; ".join(_step_text(s) for s in outcome.steps)
        if outcome.ok:
            word = (
                f"ok* (held twice {outcome.tolerated:.2f} s, no fencing)"
                if (outcome.tolerated)
                else "ok"
            )
            self.echo(f"{head}: {word}" + (f"  [{detail}]" if detail else ""))
            return
        self.echo(f"{head}: FAIL {outcome.reason()}" + (f"  [{detail}]" if detail else ""))
        self.echo(f"    replay: {self.replay_command(plan)}")

    def replay_command(self, plan: Plan) -> str:
        extra = " --strict" if self.strict else ""
        if not self.setup.fencing:
            extra += " --no-fencing"
        if self.setup.web != "apache":
            extra += f" --web {self.setup.web}"
        return (
            f"python bench/soak.py --profile {self.setup.profile} --seed {plan.seed}"
            f" --iterations 1 --faults {plan.fault}{extra}"
        )


def _step_text(step: StepResult) -> str:
    parts = []
    if step.detection() is not None:
        parts.append(f"detected {step.detection():.2f} s")
    out = step.downtime
    if out is not None and out.failed and out.downtime is not None:
        parts.append(f"downtime {out.downtime:.2f} s")
    if step.group:
        parts.append(f"on {','.join(step.group)}")
    return " ".join(parts) or "-"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def summary(outcomes: Sequence[Outcome], seed: int) -> list[str]:
    failed = [o for o in outcomes if not o.ok]
    tolerated = [o for o in outcomes if o.ok and o.tolerated]
    counts: dict[str, list[int]] = {}
    for o in outcomes:
        counts.setdefault(o.plan.fault, [0, 0])
        counts[o.plan.fault][0] += 1
        counts[o.plan.fault][1] += 0 if o.ok else 1
    star = (
        f" ({len(tolerated)} of them ok*: held twice without fencing, longest"
        f" {max(o.tolerated for o in tolerated):.2f} s)"
        if tolerated
        else ""
    )
    lines = [
        f"soak: {_count(len(outcomes), 'iteration')} from seed {seed}:"
        f" {len(outcomes) - len(failed)} ok{star}, {len(failed)} failed",
        "  per fault: "
        + ", ".join(f"{f} {n} ({bad} failed)" for f, (n, bad) in sorted(counts.items())),
    ]
    for o in failed:
        lines.append(f"  FAIL iteration {o.index} seed {o.plan.seed} {o.plan.fault}: {o.reason()}")
    return lines


def _faults(text: str) -> list[str]:
    chosen = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FAULTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown fault {', '.join(unknown) or '(none)'}; choose from {', '.join(FAULTS)}"
        )
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/soak.py", description="A randomized CTS-style soak of pycrm run."
    )
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None, help="the first iteration's seed")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="fast")
    parser.add_argument(
        "--faults", type=_faults, default=list(FAULTS), help=f"among {','.join(FAULTS)}"
    )
    parser.add_argument("--cycle", action="store_true", help="the faults in turn")
    parser.add_argument("--strict", action="store_true", help="no double holding tolerated")
    parser.add_argument(
        "--no-fencing",
        dest="fencing",
        action="store_false",
        help="stonith-enabled=false (default: fencing with the lab's fence_netns device)",
    )
    parser.add_argument("--web", choices=("apache", "builtin"), default="apache")
    parser.add_argument("--results", type=Path, default=None, help="failed iterations' logs")
    args = parser.parse_args(argv)
    if args.iterations < 1:
        parser.error("--iterations must be at least 1")
    if args.seed is not None and not 0 <= args.seed < 2**SEED_BITS:
        parser.error(f"--seed must be in 0 .. {2**SEED_BITS - 1}")
    if os.geteuid() != 0:
        print("bench/soak.py: needs root (network namespaces, a loop device)", file=sys.stderr)
        return 4
    if args.web == "apache" and not Path(HTTPD).exists():
        print(f"bench/soak.py: {HTTPD} is not installed (or use --web builtin)", file=sys.stderr)
        return 5
    seed = secrets.randbits(SEED_BITS) if args.seed is None else args.seed
    results = args.results or Path(tempfile.mkdtemp(prefix="pycrm-soak-", dir="/var/tmp"))
    soak = Soak(
        profile=args.profile,
        web=args.web,
        strict=args.strict,
        fencing=args.fencing,
        results=results,
    )
    print(
        f"soak: {_count(args.iterations, 'iteration')}, seed {seed}, profile {args.profile},"
        f" faults {','.join(args.faults)}{' (in turn)' if args.cycle else ''},"
        f" {'fencing' if args.fencing else 'no fencing'}",
        flush=True,
    )
    outcomes: list[Outcome] = []
    with interrupt_on_signals():
        try:
            outcomes = soak.run(args.iterations, seed, args.faults, cycle=args.cycle)
        except KeyboardInterrupt:
            print("soak: interrupted; removing the lab", file=sys.stderr)
            return 130
        finally:
            soak.close()
    for line in summary(outcomes, seed):
        print(line)
    if all(o.ok for o in outcomes):
        with contextlib.suppress(OSError):
            results.rmdir()  # empty: nothing failed
        return 0
    print(f"soak: logs of the failed iterations in {results}")
    return 1
