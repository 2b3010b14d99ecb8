"""`pycrm heartbeat`: run a Heartbeat v1 membership node from a legacy /etc/ha.d."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from heartbeat_compat.daemon import (
    FatalError,
    HeartbeatNode,
    NodeOptions,
    assemble,
    install_signals,
)


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"pycrm heartbeat: ERROR: {message}", err=True)
    sys.exit(code)


def _detach(node: HeartbeatNode) -> int:
    """Fork into the background once everything is open; the parent returns 0."""
    pid = os.fork()
    if pid:
        return 0
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    install_signals(node)
    code = 1
    try:
        code = node.run()
    except FatalError as exc:
        node.log.critical("%s", exc)
    finally:
        node.close()
        os._exit(code)


@click.command("heartbeat")
@click.option(
    "--ha-d",
    "ha_d",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("/etc/ha.d"),
    show_default=True,
    help="Heartbeat configuration directory (ha.cf, authkeys, optional nodeinfo).",
)
@click.option("--foreground", "-f", is_flag=True, help="Stay in the foreground, log to stderr.")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for hb_uuid, hb_generation and the cl_status socket"
    " (default /var/lib/pycrm/heartbeat, socket in /run/pycrm/heartbeat).",
)
@click.option("--debug", is_flag=True, help="Also print debug messages (verdicts) to stderr.")
def heartbeat(ha_d: Path, foreground: bool, state_dir: Path | None, debug: bool) -> None:
    """Run a Heartbeat v1 membership node (messaging and membership, no resources).

    Peers running heartbeat 3.0.6 see this node as a normal cluster node;
    `pycrm cl_status` queries it.
    """
    opts = NodeOptions(ha_d=ha_d, state_dir=state_dir, foreground=foreground, debug=debug)
    try:
        parts = assemble(opts)
        node = HeartbeatNode(parts)
        node.open()
    except FatalError as exc:
        _fail(str(exc), exc.exit_code)
        return
    if not foreground:
        sys.exit(_detach(node))
    install_signals(node)
    code = 1
    try:
        code = node.run()
    except FatalError as exc:
        node.log.critical("%s", exc)
        _fail(str(exc), exc.exit_code)
    finally:
        with contextlib.suppress(Exception):
            node.close()
    sys.exit(code)
