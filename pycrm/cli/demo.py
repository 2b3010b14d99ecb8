"""`pycrm demo`: the agents demo in a private network namespace."""

from __future__ import annotations

import os
import shutil
import sys

import click


@click.command()
def demo() -> None:
    """Run a floating IP and apache in private namespaces, crash httpd, watch pycrm notice.

    Needs root, iproute2, apache2 and curl (scripts/install.sh installs them).
    Nothing outside the demo's own namespaces is touched.
    """
    if os.geteuid() != 0:
        click.echo("pycrm demo: needs root (network namespaces)", err=True)
        sys.exit(4)
    missing = [t for t in ("ip", "curl", "/usr/sbin/apache2") if shutil.which(t) is None]
    if missing:
        click.echo(f"pycrm demo: missing {', '.join(missing)}; run scripts/install.sh", err=True)
        sys.exit(5)
    from pycrm.demo.agents_demo import run_demo

    sys.exit(run_demo(click.echo))
