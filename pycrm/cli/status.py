"""`pycrm status`: the cluster as the local daemon sees it, shaped like ``crm_mon -1``.

The daemon answers the ``status`` command with its live CIB and a snapshot of what only it
knows (pycrm.status.payload); everything is rendered here, in the client.

``--watch`` refreshes like ``crm_mon`` without ``-1``: every ``--interval`` seconds, the
screen cleared first on a terminal, frames one after another otherwise; a daemon that cannot
be reached is shown and asked again.  It ends cleanly (exit 0, no traceback) on Ctrl-C, on a
closed pipe (``pycrm status --watch | head``) or after ``--iterations`` frames.

Exit codes follow crm_mon's: 0 shown, 102 when no daemon can be reached (crm_mon's
"Not connected"), 1 when the daemon answered with an error or something unreadable, 2 for a
config that cannot be read.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from pycrm.cli.common import find_run_dir, location_options

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_CONNECTED = 102  # CRM_EX_NOT_CONNECTED: what crm_mon -1 exits with, no cluster
CLEAR = "\x1b[H\x1b[2J"  # cursor home, clear the screen


class _Unavailable(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _fail(message: str, code: int) -> None:
    click.echo(f"pycrm status: {message}", err=True)
    sys.exit(code)


@click.command("status")
@location_options
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
    "-m",
    "--fence-history",
    type=click.IntRange(0, 3),
    default=1,
    show_default=True,
    help="Fencing history in the text: 0 none, 1 failed and pending, 2 also successful,"
    " 3 everything with times (crm_mon's levels).",
)
@click.option("-w", "--watch", is_flag=True, help="Refresh until interrupted, like crm_mon.")
@click.option(
    "-i",
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Seconds between refreshes with --watch.",
)
@click.option(
    "-n",
    "--iterations",
    type=click.IntRange(min=1),
    default=None,
    help="With --watch: stop after this many refreshes.",
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
    fence_history: int,
    watch: bool,
    interval: float,
    iterations: int | None,
    timeout: float,
) -> None:
    """Show the cluster status, like crm_mon -1 (nodes, resources, fail counts, failures)."""
    where = find_run_dir("pycrm status", config, ha_d, run_dir)
    request = f"pycrm status --output-as={output}" + (" --inactive" if inactive else "")
    if watch:
        _watch(where, output, request, inactive, fence_history, timeout, interval, iterations)
        return
    try:
        text = frame(where, output, request, inactive, fence_history, timeout)
    except _Unavailable as exc:
        _fail(str(exc), exc.code)
        return
    click.echo(text, nl=False)


def frame(
    where: Path, output: str, request: str, inactive: bool, fence_history: int, timeout: float
) -> str:
    """One rendering of the daemon's answer; _Unavailable when there is none."""
    from pycrm.control.client import ControlError, call
    from pycrm.status.payload import STATUS_COMMAND

    try:
        result = call(where, STATUS_COMMAND, timeout=timeout)
    except ControlError as exc:
        raise _Unavailable(str(exc), EXIT_ERROR if exc.connected else EXIT_NOT_CONNECTED) from None
    try:
        return render_result(result, output, request, inactive, fence_history)
    except ValueError as exc:
        raise _Unavailable(f"unreadable answer from the daemon: {exc}", EXIT_ERROR) from None


def _watch(
    where: Path,
    output: str,
    request: str,
    inactive: bool,
    fence_history: int,
    timeout: float,
    interval: float,
    iterations: int | None,
) -> None:
    tty = sys.stdout.isatty()
    shown = 0
    try:
        while True:
            try:
                text = frame(where, output, request, inactive, fence_history, timeout)
            except _Unavailable as exc:
                text = f"pycrm status: {exc} (asking again every {interval:g} s)\n"
            click.echo((CLEAR if tty else "") + text, nl=False)
            if not tty:
                click.echo("")
            sys.stdout.flush()
            shown += 1
            if iterations is not None and shown >= iterations:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        sys.exit(EXIT_OK)
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, and keep the interpreter's final
        # flush of stdout from failing again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)


def render_result(
    result: object, output: str, request: str, inactive: bool, fence_history: int = 1
) -> str:
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
        return jsonout.render(st, request, fence_history)
    return text.render(st, inactive=inactive, fence_history=fence_history)
