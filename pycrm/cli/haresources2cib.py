"""`pycrm haresources2cib` / `haresources2cib`: Heartbeat v1 ha.d -> Pacemaker CIB.

Reads ``<ha.d>/ha.cf`` and ``<ha.d>/haresources`` (resource scripts resolved in
``<ha.d>/resource.d`` then ``--init-d``), writes a complete CIB to stdout or
``-o FILE`` (atomically, mode 0600, for regular files; devices and FIFOs
such as /dev/null are written in place), and prints to stderr every warning about
what could not be translated faithfully. A broken ha.d gives one error line
naming file and line, exit status 2, and nothing written.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import click

from cib.atomic import atomic_write
from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.migrate import MigrationResult, convert
from heartbeat_compat.migrate.model import Clone, Group, Location, Primitive

PROG = "haresources2cib"


def _write_output(path: str, data: bytes) -> None:
    """Write the CIB: atomically for regular files (through symlinks), directly
    for anything else that already exists (``/dev/null``, a FIFO, a tty), which
    must never be replaced by a regular file."""
    real = os.path.realpath(path)
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(real, "wb") as handle:
            handle.write(data)
        return
    atomic_write(Path(real), data, 0o600)


def _summary(result: MigrationResult) -> str:
    plan = result.plan
    primitives = 0
    for rsc in plan.resources:
        if isinstance(rsc, Primitive):
            primitives += 1
        elif isinstance(rsc, Group):
            primitives += len(rsc.members)
        elif isinstance(rsc, Clone):
            primitives += 1
    groups = sum(isinstance(r, Group) for r in plan.resources)
    clones = sum(isinstance(r, Clone) for r in plan.resources)
    locations = sum(isinstance(c, Location) for c in plan.constraints)
    return (
        f"{PROG}: {len(plan.nodes)} nodes, {groups} groups, {clones} clones, "
        f"{primitives} primitives, {len(plan.constraints)} constraints "
        f"({locations} locations), {len(result.warnings)} warnings"
    )


@click.command(name=PROG)
@click.option(
    "--ha-d",
    "ha_d",
    default="/etc/ha.d",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Heartbeat configuration directory (ha.cf, haresources, resource.d).",
)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write the CIB ('-' = stdout); written atomically, mode 0600.",
)
@click.option(
    "--agents",
    type=click.Choice(["pycrm", "heartbeat"]),
    default="pycrm",
    show_default=True,
    help="Provider for IPaddr2/Filesystem/apache/drbd: pycrm's agents or "
    "resource-agents (ocf:heartbeat, ocf:linbit:drbd).",
)
@click.option(
    "--init-d",
    "init_d",
    default="/etc/init.d",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where LSB init scripts named in haresources are looked up.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print warnings only (no notes, no summary).")
def command(ha_d: str, output: str, agents: str, init_d: str, quiet: bool) -> None:
    """Convert a Heartbeat v1 /etc/ha.d into a Pacemaker CIB."""
    try:
        result = convert(
            ha_d, agents="heartbeat" if agents == "heartbeat" else "pycrm", init_d=init_d
        )
    except HaConfigError as err:
        click.echo(f"{PROG}: error: {err}", err=True)
        sys.exit(2)
    for text in result.warnings:
        click.echo(f"{PROG}: warning: {text}", err=True)
    if not quiet:
        for text in result.notes:
            click.echo(f"{PROG}: note: {text}", err=True)
    try:
        if output == "-":
            sys.stdout.buffer.write(result.xml)
            sys.stdout.flush()
        else:
            _write_output(output, result.xml)
    except OSError as err:
        click.echo(f"{PROG}: error: cannot write {output}: {err.strerror}", err=True)
        sys.exit(2)
    if not quiet:
        click.echo(_summary(result), err=True)


def main() -> None:
    """Console-script entry point (``haresources2cib``)."""
    command(prog_name=PROG)
