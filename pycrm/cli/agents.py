"""`pycrm agents`: install the OCF and fence agents and show their meta-data."""

from __future__ import annotations

import importlib
import sys

import click

from ocf import install as ocf_install
from ocf.agents import AGENTS
from ocf.fence import FENCE_AGENTS


@click.group()
def agents() -> None:
    """Install and inspect pycrm's OCF resource agents and fence agents."""


@agents.command("install")
@click.option("--ocf-root", default="/usr/lib/ocf", show_default=True, help="OCF root directory.")
@click.option("--provider", default="pycrm", show_default=True, help="Provider directory name.")
@click.option(
    "--fence-dir",
    default="/usr/sbin",
    show_default=True,
    help="Fence agent directory (where Pacemaker's fencer runs fence agents from).",
)
@click.option("--python", "python", default=None, help="Interpreter for the launchers.")
def install_cmd(ocf_root: str, provider: str, fence_dir: str, python: str | None) -> None:
    """Install the OCF agents under OCF_ROOT/resource.d/PROVIDER/ and the fence agents
    in FENCE_DIR."""
    try:
        installed = ocf_install.install(ocf_root, provider, python=python)
        fence = ocf_install.install_fence(fence_dir, python=python)
    except OSError as exc:
        click.echo(f"pycrm agents install: {exc}", err=True)
        sys.exit(1)
    for item in installed:
        click.echo(f"installed ocf:{provider}:{item.name} -> {item.path}")
    for item in fence:
        click.echo(f"installed stonith:{item.name} -> {item.path}")


@agents.command("uninstall")
@click.option("--ocf-root", default="/usr/lib/ocf", show_default=True)
@click.option("--provider", default="pycrm", show_default=True)
@click.option("--fence-dir", default="/usr/sbin", show_default=True)
def uninstall_cmd(ocf_root: str, provider: str, fence_dir: str) -> None:
    """Remove the launchers that `pycrm agents install` wrote."""
    for path in ocf_install.uninstall(ocf_root, provider):
        click.echo(f"removed {path}")
    for path in ocf_install.uninstall_fence(fence_dir):
        click.echo(f"removed {path}")


@agents.command("list")
def list_cmd() -> None:
    """List the agents pycrm provides."""
    for name in sorted(AGENTS):
        click.echo(name)
    for name in sorted(FENCE_AGENTS):
        click.echo(name)


@agents.command("meta-data")
@click.argument("name")
def metadata_cmd(name: str) -> None:
    """Print an agent's meta-data XML."""
    if name in FENCE_AGENTS:
        fence = importlib.import_module(FENCE_AGENTS[name])
        click.echo(fence.AGENT.metadata(), nl=False)
        return
    if name not in AGENTS:
        click.echo(f"pycrm agents meta-data: unknown agent {name!r}", err=True)
        sys.exit(2)
    module = importlib.import_module(AGENTS[name])
    click.echo(module.AGENT.metadata_xml(), nl=False)
