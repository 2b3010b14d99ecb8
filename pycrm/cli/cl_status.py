"""`pycrm cl_status`: heartbeat's cl_status against a running `pycrm heartbeat` or
`pycrm run` node.

Both daemons serve heartbeat's status socket (``cl_status.sock``): a `pycrm heartbeat` node in
its ``--state-dir``, a `pycrm run` node in its run directory (found with ``--config``,
``--ha-d`` or ``--run-dir``).  Without any of these options, a `pycrm run` daemon in the
default run directory is asked if there is one, else a `pycrm heartbeat` node in its default
state directory.  Membership subcommands are answered the same by both; ``rscstatus`` of a
`pycrm run` node says which of its resources it holds, as heartbeat did (local / foreign /
all / none, transition while the cluster is not settled: pycrm.ops.heartbeat).

Output and exit codes follow heartbeat 3.0.6's cl_status: 0 OK, 1 normal failure
(node/link down, heartbeat stopped), 11 parameter error, 13 unknown error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from heartbeat_compat.daemon import DEFAULT_RUN_DIR
from heartbeat_compat.membership.statusd import SOCKET_NAME, StatusSocketError, query
from pycrm.cli.common import find_run_dir, location_options
from pycrm.daemon import paths

OK = 0
NORMAL_FAIL = 1
PARAMETER_ERROR = 11
UNKNOWN_ERROR = 13


def _socket(ctx: click.Context) -> Path:
    obj = ctx.obj or {}
    run_dir: Path | None = obj.get("run_dir")
    if run_dir is not None:
        return run_dir / SOCKET_NAME
    state_dir: Path | None = obj.get("state_dir")
    return (state_dir or DEFAULT_RUN_DIR) / SOCKET_NAME


def _signon(ctx: click.Context) -> dict[str, Any]:
    try:
        return query(_socket(ctx))
    except StatusSocketError as exc:
        click.echo("ERROR: Cannot signon with heartbeat", err=True)
        click.echo(f"REASON: {exc}", err=True)
        sys.exit(NORMAL_FAIL)


def _node(snap: dict[str, Any], name: str) -> dict[str, Any]:
    for node in snap.get("nodes", []):
        if isinstance(node, dict) and node.get("name") == name.lower():
            return node
    click.echo("Error. May be due to incorrect node name", err=True)
    sys.exit(PARAMETER_ERROR)


def _done(code: int) -> NoReturn:
    sys.exit(code)


@click.group("cl_status")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="PYCRM_HEARTBEAT_STATE_DIR",
    help="The node's --state-dir (its cl_status socket lives there).",
)
@location_options
@click.pass_context
def cl_status(
    ctx: click.Context,
    state_dir: Path | None,
    config: Path | None,
    ha_d: Path | None,
    run_dir: Path | None,
) -> None:
    """Query a running pycrm heartbeat or pycrm run node, like heartbeat's cl_status."""
    crm_dir: Path | None = None
    if config is not None or ha_d is not None or run_dir is not None:
        crm_dir = find_run_dir("cl_status", config, ha_d, run_dir)
    elif state_dir is None and paths.control_socket(paths.DEFAULT_RUN_DIR).exists():
        crm_dir = paths.DEFAULT_RUN_DIR
    ctx.obj = {"state_dir": state_dir, "run_dir": crm_dir}


human = click.option("-m", "human", is_flag=True, help="Human-readable output.")


@cl_status.command("hbstatus")
@human
@click.pass_context
def hbstatus(ctx: click.Context, human: bool) -> None:
    """Indicate if heartbeat is running on the local system."""
    try:
        query(_socket(ctx))
    except StatusSocketError:
        click.echo("Heartbeat is stopped on this machine.")
        _done(NORMAL_FAIL)
    click.echo("Heartbeat is running on this machine.")
    _done(OK)


@cl_status.command("listnodes")
@human
@click.option("-p", "only_ping", is_flag=True, help="List only 'ping' type nodes.")
@click.option("-n", "only_normal", is_flag=True, help="List only 'normal' type nodes.")
@click.pass_context
def listnodes(ctx: click.Context, human: bool, only_ping: bool, only_normal: bool) -> None:
    """List the nodes in the cluster."""
    snap = _signon(ctx)
    show_all = only_ping == only_normal
    if human:
        click.echo("The nodes are as follow:")
    # heartbeat's node walk lists the most recently added node first.
    for node in reversed(snap.get("nodes", [])):
        kind = node.get("type")
        if show_all or (only_normal and kind == "normal") or (only_ping and kind == "ping"):
            click.echo(node.get("name"))
    _done(OK)


@cl_status.command("nodestatus")
@human
@click.argument("node")
@click.pass_context
def nodestatus(ctx: click.Context, human: bool, node: str) -> None:
    """List the node status (active/up/dead/ping/init)."""
    info = _node(_signon(ctx), node)
    status = str(info.get("status"))
    click.echo(f"The cluster node {node} is {status}" if human else status)
    _done(OK if status in ("active", "up", "ping") else NORMAL_FAIL)


@cl_status.command("nodetype")
@human
@click.argument("node")
@click.pass_context
def nodetype(ctx: click.Context, human: bool, node: str) -> None:
    """List the node type (normal/ping)."""
    kind = str(_node(_signon(ctx), node).get("type"))
    click.echo(f"The node {node}'s type: {kind}" if human else kind)
    _done(OK)


@cl_status.command("listhblinks")
@human
@click.argument("node")
@click.pass_context
def listhblinks(ctx: click.Context, human: bool, node: str) -> None:
    """List the network interfaces used as heartbeat links."""
    info = _node(_signon(ctx), node)
    if human:
        click.echo("\tthis node have the following heartbeat links:")
    for link in info.get("links", {}):
        click.echo(f"\t{link}")
    _done(OK)


def _linkstatus(ctx: click.Context, human: bool, node: str, link: str) -> None:
    info = _node(_signon(ctx), node)
    links = info.get("links", {})
    if link not in links:
        click.echo("ERROR: Cannot get heartbeat link status", err=True)
        click.echo("REASON: no such link", err=True)
        _done(UNKNOWN_ERROR)
    status = str(links[link])
    click.echo(f"The node {node}'s heartbeat link {link} is {status}" if human else status)
    _done(OK if status == "up" else NORMAL_FAIL)


@cl_status.command("hblinkstatus")
@human
@click.argument("node")
@click.argument("link")
@click.pass_context
def hblinkstatus(ctx: click.Context, human: bool, node: str, link: str) -> None:
    """Show the status of a heartbeat link (up/dead)."""
    _linkstatus(ctx, human, node, link)


@cl_status.command("linkstatus")
@human
@click.argument("node")
@click.argument("link")
@click.pass_context
def linkstatus(ctx: click.Context, human: bool, node: str, link: str) -> None:
    """Alias of hblinkstatus."""
    _linkstatus(ctx, human, node, link)


@cl_status.command("rscstatus")
@human
@click.pass_context
def rscstatus(ctx: click.Context, human: bool) -> None:
    """Resources held by this node: local, foreign, all, none or transition (`none` for a
    membership-only `pycrm heartbeat` node)."""
    _signon(ctx)
    run_dir: Path | None = (ctx.obj or {}).get("run_dir")
    held = "none" if run_dir is None else _held(run_dir)
    click.echo(f"This node is holding {held} resources." if human else held)
    _done(OK)


def _held(run_dir: Path) -> str:
    """What a `pycrm run` node holds, in heartbeat's words (pycrm.ops.heartbeat)."""
    from pycrm.cli.common import Daemon
    from pycrm.cli.resource import placement
    from pycrm.ops.heartbeat import rscstatus as held_by

    daemon = Daemon("cl_status", run_dir, 10.0)
    if daemon.settled().get("settled") is not True:
        return "transition"
    live = daemon.cib()
    me = live.snapshot.local_node
    return "none" if me is None else held_by(live.model, placement(live), me)


@cl_status.command("hbparameter")
@human
@click.option("-p", "param", required=True, help="Parameter name, e.g. keepalive.")
@click.pass_context
def hbparameter(ctx: click.Context, human: bool, param: str) -> None:
    """Retrieve the value of a cluster parameter."""
    snap = _signon(ctx)
    value = snap.get("parameters", {}).get(param)
    if value is None:
        click.echo(f"ERROR: Cannot get parameter {param}'s value", err=True)
        _done(NORMAL_FAIL)
    click.echo(f"Heartbeat parameter {param}'s value: {value}" if human else value)
    _done(OK)


def main() -> None:
    """Console script ``cl_status``."""
    cl_status(prog_name="cl_status")
