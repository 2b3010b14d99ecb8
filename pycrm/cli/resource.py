"""`pycrm resource`: move, ban, clear, enable, disable, restart, cleanup, failcount, status.

Words, constraint ids and messages of ``crm_resource`` / ``pcs resource``; the decisions are
the library's (pycrm.ops.constraints, pycrm.ops.resource), the changes go through the DC
(``cib_update``), node-owned state through that node's daemon (``cleanup``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import click

from pycrm.cli.common import (
    Daemon,
    Live,
    daemon_options,
    now_local,
    output_option,
    refuse,
    wait_option,
)
from pycrm.ops import constraints, errors, find
from pycrm.ops import resource as ops

Where = dict[str, list[tuple[str, str]]]


def placement(live: Live) -> Where:
    """Where every resource is active, as the scheduler unpacks the live status."""
    from pycrm.scheduler import schedule

    now = datetime.fromtimestamp(live.snapshot.last_updated, UTC)
    return find.locations(live.model, schedule(live.model, now=now).current)


def locate_lines(rsc: str, where: Sequence[tuple[str, str]]) -> list[str]:
    """``crm_resource --locate``'s lines."""
    if not where:
        return [f"resource {rsc} is NOT running"]
    return [
        f"resource {rsc} is running on: {node}" + (" Promoted" if role == "Promoted" else "")
        for node, role in where
    ]


def _report_where(daemon: Daemon, rscs: Sequence[str], seconds: float | None) -> None:
    """After ``--wait``: where the resources run now."""
    live = daemon.wait(seconds)
    where = placement(live)
    for rsc in rscs:
        for line in locate_lines(rsc, where.get(rsc, [])):
            click.echo(line)


def _place(
    daemon: Daemon, rsc: str, placed: constraints.Placement, quiet: bool, wait: float | None
) -> None:
    daemon.submit([placed.change])
    if placed.warning and not quiet:
        click.echo(placed.warning)
    if placed.expires is not None:
        click.echo(f"Migration will take effect until: {placed.expires}")
    if wait is not None:
        _report_where(daemon, [rsc], wait)


@click.group("resource")
def resource() -> None:
    """Manage resources, like crm_resource and pcs resource."""


@resource.command("move")
@click.argument("rsc")
@click.argument("node", required=False)
@click.option("--lifetime", metavar="DURATION", help="ISO 8601 duration, e.g. PT1H.")
@click.option("--promoted", is_flag=True, help="Move the promoted role of a promotable clone.")
@click.option("--force", is_flag=True, help="Pin the resource even where it already runs.")
@click.option("-Q", "--quiet", is_flag=True, help="No warning for a ban.")
@wait_option
@daemon_options
def move(
    daemon: Daemon,
    rsc: str,
    node: str | None,
    lifetime: str | None,
    promoted: bool,
    force: bool,
    quiet: bool,
    wait: float | None,
) -> None:
    """Move RSC to NODE (location cli-prefer-RSC, INFINITY); without NODE, away from the
    node where it runs (cli-ban-RSC-on-NODE).  `pycrm resource clear` undoes it."""
    live = daemon.cib()
    active = find.active_nodes(placement(live).get(rsc, []))
    try:
        if node is None:
            placed = constraints.ban(
                live.model, rsc, None, active_on=active, lifetime=lifetime,
                promoted=promoted, now=now_local(),
            )  # fmt: skip
        else:
            placed = constraints.prefer(
                live.model, rsc, node, active_on=active, lifetime=lifetime,
                promoted=promoted, now=now_local(), force=force,
            )  # fmt: skip
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    _place(daemon, rsc, placed, quiet, wait)


@resource.command("ban")
@click.argument("rsc")
@click.argument("node", required=False)
@click.option("--lifetime", metavar="DURATION", help="ISO 8601 duration, e.g. PT1H.")
@click.option("--promoted", is_flag=True, help="Ban only the promoted role.")
@click.option("-Q", "--quiet", is_flag=True, help="No warning.")
@wait_option
@daemon_options
def ban(
    daemon: Daemon,
    rsc: str,
    node: str | None,
    lifetime: str | None,
    promoted: bool,
    quiet: bool,
    wait: float | None,
) -> None:
    """Keep RSC off NODE (default: the node where it runs): cli-ban-RSC-on-NODE, -INFINITY."""
    live = daemon.cib()
    active = find.active_nodes(placement(live).get(rsc, []))
    try:
        placed = constraints.ban(
            live.model, rsc, node, active_on=active, lifetime=lifetime, promoted=promoted,
            now=now_local(),
        )  # fmt: skip
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    _place(daemon, rsc, placed, quiet, wait)


@resource.command("clear")
@click.argument("rsc")
@click.argument("node", required=False)
@wait_option
@daemon_options
def clear(daemon: Daemon, rsc: str, node: str | None, wait: float | None) -> None:
    """Remove the move and ban constraints of RSC (those about NODE only, when given)."""
    live = daemon.cib()
    try:
        ids = constraints.clear(live.model, rsc, node)
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    daemon.submit(constraints.clear_changes(ids))
    for ident in ids:
        click.echo(f"Removing constraint: {ident}")
    if wait is not None:
        _report_where(daemon, [rsc], wait)


def _set_role(daemon: Daemon, rscs: Sequence[str], enable: bool, wait: float | None) -> None:
    live = daemon.cib()
    changes = []
    notes: list[str] = []
    try:
        for rsc in rscs:
            done = ops.enable(live.model, rsc) if enable else ops.disable(live.model, rsc)
            changes += done.changes
            notes += done.notes
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    daemon.submit(changes)
    for note in notes:
        click.echo(f"Warning: {note}", err=True)
    if wait is not None:
        _report_where(daemon, rscs, wait)


@resource.command("enable")
@click.argument("rscs", metavar="RSC...", nargs=-1, required=True)
@wait_option
@daemon_options
def enable(daemon: Daemon, rscs: tuple[str, ...], wait: float | None) -> None:
    """Allow the cluster to start the resources (target-role=Started)."""
    _set_role(daemon, rscs, True, wait)


@resource.command("disable")
@click.argument("rscs", metavar="RSC...", nargs=-1, required=True)
@wait_option
@daemon_options
def disable(daemon: Daemon, rscs: tuple[str, ...], wait: float | None) -> None:
    """Stop the resources and keep them stopped (target-role=Stopped)."""
    _set_role(daemon, rscs, False, wait)


@resource.command("restart")
@click.argument("rsc")
@wait_option
@daemon_options
def restart(daemon: Daemon, rsc: str, wait: float | None) -> None:
    """Stop RSC (and what depends on it), wait until the stop settled, start it again
    (crm_resource --restart); waits for each step at most --wait seconds (default 60)."""
    live = daemon.cib()
    try:
        plan = ops.restart_plan(live.model, rsc, find.active_nodes(placement(live).get(rsc, [])))
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    daemon.submit(plan.stop)
    stopped = daemon.wait_for(wait, until=lambda lv: not placement(lv).get(rsc))
    daemon.submit(plan.start)
    if stopped is None:
        daemon.fail(
            f"{rsc} did not stop in time: its target-role is restored, nothing else changed",
            124,
        )
    _report_where(daemon, [rsc], wait)


@resource.command("cleanup")
@click.argument("rsc", required=False)
@click.option("-N", "--node", help="Only on this node (default: every member).")
@click.option("--force", is_flag=True, help="Only RSC itself, not its whole group or clone.")
@wait_option
@daemon_options
def cleanup(
    daemon: Daemon, rsc: str | None, node: str | None, force: bool, wait: float | None
) -> None:
    """Forget the failures of RSC (default: every resource): its fail counts and its
    history on the nodes where it failed, so that the cluster probes it again."""
    _cleanup(daemon, rsc, node, force, wait)


def _cleanup(
    daemon: Daemon, rsc: str | None, node: str | None, force: bool, wait: float | None
) -> None:
    from pycrm.daemon.commands import CLEANUP_COMMAND

    live = daemon.cib()
    try:
        scope = ops.cleanup_scope(live.model, rsc, force=force)
        if node is not None:
            find.node(live.model, node)
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    members = [n for n, state in live.snapshot.membership.items() if state == "member"]
    nodes = [node] if node is not None else members
    cleaned = 0
    for target in nodes:
        answer = daemon.call(CLEANUP_COMMAND, {"node": target, "resources": scope})
        for item in answer.get("cleaned", []) if isinstance(answer, dict) else []:
            click.echo(f"Cleaned up {item} on {target}")
            cleaned += 1
    if not cleaned:
        click.echo(f"No failures of {rsc} to clean up" if rsc else "No failures to clean up")
    if wait is not None:
        daemon.wait(wait)


@resource.group("failcount")
def failcount() -> None:
    """Show or reset fail counts (pcs resource failcount)."""


@failcount.command("show")
@click.argument("rsc", required=False)
@click.option("-N", "--node", help="Only this node.")
@click.option("--full", is_flag=True, help="Per operation.")
@output_option("text", "json")
@daemon_options
def failcount_show(
    daemon: Daemon, rsc: str | None, node: str | None, full: bool, output: str
) -> None:
    """Show the fail counts of RSC (default: every resource)."""
    live = daemon.cib()
    try:
        scope = ops.cleanup_scope(live.model, rsc, force=True)
        counts = ops.failcounts(live.model, scope, node)
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    if output == "json":
        doc = [
            {
                "node": c.node,
                "resource": c.rsc,
                "operation": c.operation,
                "count": c.count,
                "last_failure": c.last_failure,
            }
            for c in counts
        ]
        click.echo(json.dumps({"failcounts": doc}, indent=2))
        return
    click.echo("\n".join(failcount_lines(counts, rsc, full)))


def failcount_lines(counts: Sequence[ops.FailCount], rsc: str | None, full: bool) -> list[str]:
    """pcs resource failcount show's text."""
    if not counts:
        return [f"No failcounts for resource '{rsc}'" if rsc else "No failcounts"]
    out: list[str] = []
    for name in dict.fromkeys(c.rsc for c in counts):
        out.append(f"Failcounts for resource '{name}'")
        mine = [c for c in counts if c.rsc == name]
        for where in dict.fromkeys(c.node for c in mine):
            on_node = [c for c in mine if c.node == where]
            if full:
                out.append(f"  {where}:")
                out += [f"    {c.operation}: {ops.count_text(c.count)}" for c in on_node]
            else:
                out.append(f"  {where}: {ops.count_text(ops.total(on_node))}")
    return out


@failcount.command("delete")
@click.argument("rsc", required=False)
@click.option("-N", "--node", help="Only on this node (default: every member).")
@wait_option
@daemon_options
def failcount_delete(daemon: Daemon, rsc: str | None, node: str | None, wait: float | None) -> None:
    """Reset the fail counts of RSC (the same as `pycrm resource cleanup`, as in pcs)."""
    _cleanup(daemon, rsc, node, True, wait)


@resource.command("status")
@click.argument("rsc", required=False)
@output_option("text", "json")
@daemon_options
def status(daemon: Daemon, rsc: str | None, output: str) -> None:
    """Where RSC runs (crm_resource --locate); without RSC, every resource (crm_mon -r)."""
    live = daemon.cib()
    if rsc is None:
        from pycrm.status import text
        from pycrm.status.collect import collect

        st = collect(live.model, live.snapshot)
        if output == "json":
            from pycrm.simulate.jsonout import item_dict

            click.echo(json.dumps({"resources": [item_dict(i) for i in st.resources]}, indent=2))
            return
        click.echo("\n".join(text.resource_section(st, inactive=True)))
        return
    try:
        find.resource(live.model, rsc)
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    where = placement(live).get(rsc, [])
    if output == "json":
        nodes = [{"node": n, "role": role} for n, role in where]
        click.echo(json.dumps({"resource": rsc, "nodes": nodes}, indent=2))
        return
    click.echo("\n".join(locate_lines(rsc, where)))
