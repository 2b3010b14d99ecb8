"""`pycrm run`: the cluster resource manager daemon, one process per node."""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _fail(message: str, code: int) -> None:
    click.echo(f"pycrm run: {message}", err=True)
    sys.exit(code)


@click.command("run")
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The TOML configuration (see docs/daemon-config.md).",
)
@click.option(
    "--ha-d",
    "ha_d",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Run from an unchanged Heartbeat v1 directory (ha.cf, authkeys, haresources).",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Override the state directory (CIB, identity, election term).",
)
@click.option(
    "--run-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Override the run directory (control socket).",
)
@click.option("--node", "local_node", default=None, help="This node's name (default: uname -n).")
@click.option(
    "--allow-insecure-auth",
    is_flag=True,
    help="Accept crc keys in authkeys (anyone on the link can forge packets); warned at start.",
)
@click.option("--debug", is_flag=True, help="Log debug messages too.")
def run(
    config: Path | None,
    ha_d: Path | None,
    state_dir: Path | None,
    run_dir: Path | None,
    local_node: str | None,
    allow_insecure_auth: bool,
    debug: bool,
) -> None:
    """Run this node of the cluster in the foreground (systemd's Type=notify).

    Exactly one of --config and --ha-d.  A bad configuration gets one
    `file:line: message` line and exit status 2; nothing is started.
    """
    if (config is None) == (ha_d is None):
        _fail("give exactly one of --config FILE and --ha-d DIR", 2)
    from heartbeat_compat.daemon import FatalError
    from pycrm.daemon.config import ConfigError, load_config

    try:
        cfg = load_config(
            config=config,
            ha_d=ha_d,
            state_dir=state_dir,
            run_dir=run_dir,
            allow_insecure_auth=allow_insecure_auth,
            local_node=local_node,
        )
    except ConfigError as exc:
        _fail(str(exc), 2)
        return
    from pycrm.daemon.assemble import serve

    try:
        code = serve(cfg, debug=debug)
    except FatalError as exc:
        _fail(str(exc), exc.exit_code)
        return
    sys.exit(code)
