"""`pycrm heartbeat`: run a Heartbeat v1 membership node from a legacy /etc/ha.d."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from heartbeat_compat.daemon import FatalError, NodeOptions, run_node


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
    help="Directory for the node's persistent state (uuid, generations) and the cl_status"
    " socket (default /var/lib/pycrm/heartbeat, socket in /run/pycrm/heartbeat).",
)
@click.option("--debug", is_flag=True, help="Also print debug messages (verdicts) to stderr.")
@click.option(
    "--allow-insecure-auth",
    is_flag=True,
    help="Run even though authkeys lists a crc key (anyone on the link can forge crc);"
    " a warning is logged at every start. Better: switch every node to sha1.",
)
def heartbeat(
    ha_d: Path, foreground: bool, state_dir: Path | None, debug: bool, allow_insecure_auth: bool
) -> None:
    """Run a Heartbeat v1 membership node (messaging and membership, no resources).

    Peers running heartbeat 3.0.6 see this node as a normal cluster node;
    `pycrm cl_status` queries it.
    """
    opts = NodeOptions(
        ha_d=ha_d,
        state_dir=state_dir,
        foreground=foreground,
        debug=debug,
        allow_insecure_auth=allow_insecure_auth,
    )
    try:
        code = run_node(opts)
    except FatalError as exc:
        click.echo(f"pycrm heartbeat: ERROR: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code)
