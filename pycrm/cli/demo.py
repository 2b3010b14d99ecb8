"""`pycrm demo`: the three-node cluster demo; `pycrm demo agents`: the agents alone."""

from __future__ import annotations

import os
import shutil
import sys

import click

CLUSTER_TOOLS = ("ip", "unshare", "mount", "mkfs.ext4", "losetup", "curl")


def _preflight(tools: tuple[str, ...]) -> None:
    if os.geteuid() != 0:
        click.echo("pycrm demo: needs root (network namespaces, a loop device)", err=True)
        sys.exit(4)
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        click.echo(f"pycrm demo: missing {', '.join(missing)}; run scripts/install.sh", err=True)
        sys.exit(5)


@click.group(invoke_without_command=True)
@click.option(
    "--profile",
    type=click.Choice(["default", "fast"]),
    default="default",
    show_default=True,
    help="Timing profile: default (keepalive 500 ms, dead time 2 s) or fast (100 ms, 400 ms).",
)
@click.option(
    "--web",
    type=click.Choice(["auto", "apache", "builtin"]),
    default="auto",
    show_default=True,
    help="The web server: apache2, or Python's http.server; auto: apache2 when installed.",
)
@click.option(
    "--no-fencing",
    is_flag=True,
    help="Heartbeat's behaviour: stonith-enabled=false (the default fences with fence_netns);"
    " a node declared dead while it still runs the group then holds it twice for a while.",
)
@click.option("--keep", is_flag=True, help="Keep the lab running at the end until Enter.")
@click.pass_context
def demo(ctx: click.Context, profile: str, web: str, no_fencing: bool, keep: bool) -> None:
    """A three-node cluster on this machine: fail it five ways, show what each cost.

    Builds three `pycrm run` nodes in network namespaces, a floating IP, a loop-mounted
    Filesystem and apache2 (Python's built-in HTTP server if apache2 is absent), runs a
    client against the floating IP, then: crashes the group's node, kills apache, puts a
    node in standby, partitions the group's node away (the majority fences it: the lab's
    fence_netns switches its namespace off) and heals it.  Prints each failure's detection
    time, the client's downtime, the fencing and the audits, then removes everything.

    Needs root, iproute2, util-linux, e2fsprogs and curl (scripts/install.sh installs them).
    Nothing outside the demo's own namespaces, loop device and directory is touched.
    """
    if ctx.invoked_subcommand is not None:
        return
    _preflight(CLUSTER_TOOLS)
    from pycrm.demo.cluster_demo import run_cluster_demo

    sys.exit(
        run_cluster_demo(click.echo, profile=profile, web=web, keep=keep, fencing=not no_fencing)
    )


@demo.command("agents")
def agents() -> None:
    """A floating IP and apache through the OCF agents alone: crash httpd, watch them notice.

    Needs root, iproute2, apache2 and curl (scripts/install.sh installs them).
    Nothing outside the demo's own namespaces is touched.
    """
    _preflight(("ip", "curl", "/usr/sbin/apache2"))
    from pycrm.demo.agents_demo import run_demo

    sys.exit(run_demo(click.echo))
