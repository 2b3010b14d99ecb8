"""Heartbeat v1's ``hb_standby`` and ``hb_takeover`` against `pycrm run`.

Installed under heartbeat's names (console scripts) and as ``pycrm hb_standby`` /
``pycrm hb_takeover``.  ``hb_standby [all|local|foreign|failback]`` makes this node release
those resources, ``hb_takeover [...]`` makes it take them; "local" are the resources whose
home (haresources2cib's preferred-node location) is this node, "foreign" the others
(pycrm.ops.heartbeat).  Both are placement constraints (``cli-ban-`` / ``cli-prefer-``)
applied through the DC, so ``pycrm resource clear`` undoes them.  The argument is checked as
heartbeat's scripts check it (``wrong resources(x).``, usage, exit 1).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime

import click

from cib.model import Cib
from pycrm.cli.common import Daemon, daemon_options, now_local, refuse, wait_option
from pycrm.cli.resource import placement
from pycrm.ops import errors
from pycrm.ops import heartbeat as ops

Planner = Callable[[Cib, ops.Where, str, str, datetime], ops.Plan]


def _usage(prog: str, problem: str) -> None:
    click.echo(f"{prog}: {problem}")
    click.echo("usage:")
    click.echo(f"{prog} [all|foreign|local|failback]", err=True)
    sys.exit(1)


def _run(daemon: Daemon, which_text: str, planner: Planner, doing: str, wait: float | None) -> None:
    prog = daemon.prog.rsplit(" ", 1)[-1]
    try:
        which = ops.parse_set(which_text)
    except errors.OpsError:
        _usage(prog, f"wrong resources({which_text}).")
    live = daemon.cib()
    me = live.snapshot.local_node
    if me is None:
        daemon.fail("the daemon did not say which node it is")
    try:
        plan = planner(live.model, placement(live), me, which, now_local())
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    daemon.submit(plan.changes)
    click.echo(f"{doing} [{which}].")
    for line in plan.lines:
        click.echo(f"  {line}")
    if wait is not None:
        daemon.wait(wait)


@click.command("hb_standby")
@click.argument("which", default="all", metavar="[all|local|foreign|failback]")
@wait_option
@daemon_options
def hb_standby(daemon: Daemon, which: str, wait: float | None) -> None:
    """Release this node's resources (all, its own: local, or the others': foreign)."""
    _run(daemon, which, ops.standby, "Going standby", wait)


@click.command("hb_takeover")
@click.argument("which", default="all", metavar="[all|local|foreign|failback]")
@wait_option
@daemon_options
def hb_takeover(daemon: Daemon, which: str, wait: float | None) -> None:
    """Take resources over to this node (all, its own: local, or the others': foreign)."""
    _run(daemon, which, ops.takeover, "Taking over", wait)


def hb_standby_main() -> None:
    """Console script ``hb_standby``."""
    hb_standby(prog_name="hb_standby")


def hb_takeover_main() -> None:
    """Console script ``hb_takeover``."""
    hb_takeover(prog_name="hb_takeover")
