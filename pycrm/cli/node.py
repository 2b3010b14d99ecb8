"""`pycrm node`: standby, online and node attributes (crm_standby, crm_attribute, pcs node).

A permanent attribute (``--lifetime=forever``, the default) is configuration: it goes
through the DC (``cib_update``).  A transient one (``--lifetime=reboot``) belongs to its
node: the request goes to that node's daemon (``node_attr``), which keeps it until it
restarts and reports it to every DC.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import click

from pycrm.cli.common import Daemon, Live, daemon_options, output_option, refuse, wait_option
from pycrm.ops import errors
from pycrm.ops import nodes as ops

lifetime_option = click.option(
    "--lifetime",
    type=click.Choice(ops.LIFETIMES),
    default="forever",
    show_default=True,
    help="forever: in the configuration; reboot: until the node's daemon restarts.",
)


@click.group("node")
def node() -> None:
    """Manage nodes, like crm_standby, crm_attribute and pcs node."""


def _targets(daemon: Daemon, live: Live, names: Sequence[str], every: bool) -> list[str]:
    if every and names:
        daemon.fail("give node names or --all, not both", 2)
    if every:
        return [n.uname for n in live.model.nodes]
    if names:
        return list(names)
    local = live.snapshot.local_node
    if local is None:
        daemon.fail("the daemon did not say which node it is: name the node", 2)
    return [local]


def apply(daemon: Daemon, update: ops.Update) -> None:
    """Submit configuration changes through the DC and transient ones to their nodes."""
    from pycrm.daemon.commands import NODE_ATTR_COMMAND

    daemon.submit(update.changes)
    for item in update.transient:
        daemon.call(NODE_ATTR_COMMAND, {"node": item.node, "name": item.name, "value": item.value})


def _standby(
    daemon: Daemon, names: Sequence[str], every: bool, on: bool, lifetime: str, wait: float | None
) -> None:
    live = daemon.cib()
    targets = _targets(daemon, live, names, every)
    try:
        update = ops.standby(
            live.model, targets, on, "reboot" if lifetime == "reboot" else "forever"
        )
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    apply(daemon, update)
    if wait is not None:
        daemon.wait(wait)


@node.command("standby")
@click.argument("names", metavar="[NODE]...", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every node.")
@lifetime_option
@wait_option
@daemon_options
def standby(
    daemon: Daemon, names: tuple[str, ...], every: bool, lifetime: str, wait: float | None
) -> None:
    """Put nodes (default: this one) in standby: their resources move away."""
    _standby(daemon, names, every, True, lifetime, wait)


@node.command("online")
@click.argument("names", metavar="[NODE]...", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every node.")
@lifetime_option
@wait_option
@daemon_options
def online(
    daemon: Daemon, names: tuple[str, ...], every: bool, lifetime: str, wait: float | None
) -> None:
    """Take nodes (default: this one) out of standby."""
    _standby(daemon, names, every, False, lifetime, wait)


@node.command("attribute")
@click.argument("name_of_node", metavar="NODE")
@click.argument("name")
@click.argument("value", required=False)
@click.option("-D", "--delete", is_flag=True, help="Delete the attribute.")
@lifetime_option
@output_option("text", "json")
@wait_option
@daemon_options
def attribute(
    daemon: Daemon,
    name_of_node: str,
    name: str,
    value: str | None,
    delete: bool,
    lifetime: str,
    output: str,
    wait: float | None,
) -> None:
    """Show NAME of NODE, set it to VALUE, or --delete it."""
    if delete and value is not None:
        daemon.fail("give a VALUE or --delete, not both", 2)
    live_time: ops.Lifetime = "reboot" if lifetime == "reboot" else "forever"
    live = daemon.cib()
    try:
        if value is None and not delete:
            shown = ops.value(live.model, name_of_node, name, live_time)
            scope = "nodes" if live_time == "forever" else "status"
            if output == "json":
                doc = {"node": name_of_node, "scope": scope, "name": name, "value": shown}
                click.echo(json.dumps(doc, indent=2))
            else:
                click.echo(f"scope={scope}  name={name} value={shown}")
            return
        update = ops.update(live.model, [name_of_node], name, value, live_time)
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    apply(daemon, update)
    if wait is not None:
        daemon.wait(wait)
