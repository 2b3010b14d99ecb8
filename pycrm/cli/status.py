"""`pycrm status`: the cluster as the local daemon sees it, shaped like ``crm_mon -1``.

The daemon answers the ``status`` command with its live CIB and a snapshot of what only it
knows (pycrm.status.payload); everything is rendered here, in the client.

Exit codes follow crm_mon's: 0 shown, 102 when no daemon can be reached (crm_mon's
"Not connected"), 1 when the daemon answered with an error or something unreadable, 2 for a
config that cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_CONNECTED = 102  # CRM_EX_NOT_CONNECTED: what crm_mon -1 exits with, no cluster


def _fail(message: str, code: int) -> None:
    click.echo(f"pycrm status: {message}", err=True)
    sys.exit(code)


def _run_dir(config: Path | None, ha_d: Path | None, run_dir: Path | None) -> Path:
    """The daemon's run directory.  Only --config (without --run-dir) needs the config
    loader, the one reading of the file that the daemon uses too (its import costs ~0.1 s)."""
    if run_dir is not None:
        return run_dir.absolute()
    if config is None:
        from pycrm.daemon.paths import DEFAULT_RUN_DIR

        return DEFAULT_RUN_DIR
    from pycrm.daemon.config import ConfigError, find_run_dir

    try:
        return find_run_dir(config=config, ha_d=ha_d)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
        raise  # not reached: _fail exits


@click.command("status")
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The daemon's TOML config (its [cluster] run_dir locates the socket).",
)
@click.option(
    "--ha-d",
    "ha_d",
    type=click.Path(file_okay=False, path_type=Path),
    help="A daemon run from a legacy heartbeat directory (default run directory).",
)
@click.option(
    "--run-dir",
    "run_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The daemon's run directory (overrides the config).",
)
@click.option(
    "--output-as",
    "output",
    type=click.Choice(["text", "xml", "json"]),
    default="text",
    show_default=True,
    help="Text like crm_mon -1, crm_mon's api-result XML, or the same as JSON.",
)
@click.option(
    "-r",
    "--inactive",
    is_flag=True,
    help="List stopped resources too (text; XML and JSON always list them).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait for the daemon.",
)
def status(
    config: Path | None,
    ha_d: Path | None,
    run_dir: Path | None,
    output: str,
    inactive: bool,
    timeout: float,
) -> None:
    """Show the cluster status, like crm_mon -1 (nodes, resources, fail counts, failures)."""
    from pycrm.control.client import ControlError, call
    from pycrm.status.payload import STATUS_COMMAND

    if config is not None and ha_d is not None:
        _fail("--config and --ha-d are mutually exclusive", EXIT_USAGE)
    where = _run_dir(config, ha_d, run_dir)
    try:
        result = call(where, STATUS_COMMAND, timeout=timeout)
    except ControlError as exc:
        _fail(str(exc), EXIT_ERROR if exc.connected else EXIT_NOT_CONNECTED)
        return
    request = f"pycrm status --output-as={output}" + (" --inactive" if inactive else "")
    try:
        text = render_result(result, output, request, inactive)
    except ValueError as exc:
        _fail(f"unreadable answer from the daemon: {exc}", EXIT_ERROR)
        return
    click.echo(text, nl=False)


def render_result(result: object, output: str, request: str, inactive: bool) -> str:
    """Turn the daemon's ``status`` result into the requested output. ValueError if bad."""
    import cib
    from cib.errors import CibError
    from pycrm.status import jsonout, text, xmlout
    from pycrm.status.collect import collect
    from pycrm.status.payload import parse_status_payload

    cib_xml, snapshot = parse_status_payload(result)
    try:
        model = cib.loads(cib_xml, source="<daemon CIB>")
    except CibError as exc:
        raise ValueError(str(exc)) from None
    st = collect(model, snapshot)
    if output == "xml":
        return xmlout.render(st, request)
    if output == "json":
        return jsonout.render(st, request)
    return text.render(st, inactive=inactive)
