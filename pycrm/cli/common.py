"""What every operator command shares: finding its node's daemon, asking it, and failing the
same way (one line on stderr, a Pacemaker exit status, never a traceback).

    @click.command()
    @daemon_options
    def move(daemon: Daemon, ...) -> None:
        live = daemon.cib()                       # the CIB and snapshot the daemon serves
        changes = ops.constraints.prefer(live.model, ...)   # errors as data (OpsError)
        daemon.submit([...])                      # cib_update: applied through the DC
        daemon.wait(seconds)                      # cluster_settled, polled on the DC

Every command takes ``--config FILE`` (the daemon's TOML: its ``run_dir``) or ``--ha-d DIR``
(a daemon run from a heartbeat directory: the default run directory), ``--run-dir DIR``
(overrides both) and ``--timeout`` (seconds to wait for each answer).

Exit statuses follow Pacemaker's tools (crm_exit_t): 0 done, 1 error, 2 invalid input or a
configuration the DC refused, 4 permission denied, 7 not running, 102 no daemon, 103 older
than the live configuration, 105 no such resource / node / attribute, 108 already so,
109 active on several nodes, 124 timed out.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from pycrm.ops import errors

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cib import patch
    from cib.model import Cib
    from pycrm.status.snapshot import DaemonSnapshot

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INVALID = 2
EXIT_PERMISSION = 4
EXIT_NOT_RUNNING = 7
EXIT_NOT_CONNECTED = 102
EXIT_OLD = 103
EXIT_NO_SUCH = 105
EXIT_EXISTS = 108
EXIT_MULTIPLE = 109
EXIT_TIMEOUT = 124

_EXIT_OF_REPORT = {
    errors.RESOURCE_NOT_FOUND: EXIT_NO_SUCH,
    errors.NODE_NOT_FOUND: EXIT_NO_SUCH,
    errors.ATTRIBUTE_NOT_FOUND: EXIT_NO_SUCH,
    errors.BAD_VALUE: EXIT_INVALID,
    errors.ALREADY: EXIT_EXISTS,
    errors.NOT_ACTIVE: EXIT_NOT_RUNNING,
    errors.MULTIPLE_ACTIVE: EXIT_MULTIPLE,
    errors.CIB_INVALID: EXIT_INVALID,
    errors.CIB_OLDER: EXIT_OLD,
    errors.CIB_CHANGED: EXIT_ERROR,
}
_EXIT_OF_DAEMON = {
    "permission-denied": EXIT_PERMISSION,
    "timeout": EXIT_TIMEOUT,
    "invalid": EXIT_INVALID,
    "bad-request": EXIT_INVALID,
    "not-member": EXIT_NO_SUCH,
}
WAIT_DEFAULT = 60.0  # seconds, for a bare --wait
POLL = 0.2


def exit_status(code: str) -> int:
    """The exit status for a library report code or a daemon error code."""
    return _EXIT_OF_REPORT.get(code, _EXIT_OF_DAEMON.get(code, EXIT_ERROR))


def fail(prog: str, message: str, status: int) -> NoReturn:
    for line in message.splitlines() or [""]:
        click.echo(f"{prog}: {line}", err=True)
    sys.exit(status)


def refuse(prog: str, exc: errors.OpsError) -> NoReturn:
    """Print every report of a library refusal and exit with the first one's status."""
    for report in exc.reports:
        click.echo(f"{prog}: {report.message}", err=True)
    sys.exit(exit_status(exc.code))


@dataclass(frozen=True)
class Live:
    """The cluster as the daemon showed it: the CIB bytes, its model and the snapshot."""

    xml: bytes
    model: Cib
    snapshot: DaemonSnapshot


class Daemon:
    """The local node's daemon, for one command run."""

    def __init__(self, prog: str, run_dir: Path, timeout: float) -> None:
        self.prog = prog
        self.run_dir = run_dir
        self.timeout = timeout

    def fail(self, message: str, status: int = EXIT_ERROR) -> NoReturn:
        fail(self.prog, message, status)

    def call(self, command: str, args: dict[str, Any] | None = None) -> Any:
        """Run a control command; any failure ends the command with its exit status.  The
        wait is a little longer than the daemon's own deadline for an answer it defers, so
        that its ``timeout`` error (nothing changed) is what the operator sees."""
        from pycrm.control.client import ControlError, call

        try:
            return call(self.run_dir, command, args, timeout=self.timeout + 5.0)
        except ControlError as exc:
            if not exc.connected:
                self.fail(str(exc), EXIT_NOT_CONNECTED)
            self.fail(str(exc), exit_status(exc.code or ""))

    def cib(self) -> Live:
        """The live CIB and snapshot (the ``status`` command)."""
        import cib
        from cib.errors import CibError
        from pycrm.status.payload import STATUS_COMMAND, PayloadError, parse_status_payload

        result = self.call(STATUS_COMMAND)
        try:
            xml, snapshot = parse_status_payload(result)
            model = cib.loads(xml, source="<live CIB>")
        except (PayloadError, CibError) as exc:
            self.fail(f"unreadable answer from the daemon: {exc}")
        return Live(xml, model, snapshot)

    def submit(self, changes: Sequence[patch.Change]) -> str:
        """Apply changes through the DC (``cib_update``); the new version once it applied
        them.  A refusal changes nothing and ends the command."""
        from cib import patch

        if not changes:
            return ""
        result = self.call("cib_update", {"changes": [patch.to_dict(c) for c in changes]})
        version = result.get("version") if isinstance(result, dict) else None
        return version if isinstance(version, str) else ""

    def settled(self) -> dict[str, Any]:
        from pycrm.daemon.commands import SETTLED_COMMAND

        result = self.call(SETTLED_COMMAND)
        return result if isinstance(result, dict) else {}

    def wait(self, seconds: float | None, until: Callable[[Live], bool] | None = None) -> Live:
        """`wait_for`, ending the command with exit status 124 when it times out."""
        live = self.wait_for(seconds, until)
        if live is None:
            limit = WAIT_DEFAULT if seconds is None else seconds
            self.fail(f"the cluster did not settle within {limit:g} s", EXIT_TIMEOUT)
        return live

    def wait_for(
        self, seconds: float | None, until: Callable[[Live], bool] | None = None
    ) -> Live | None:
        """Wait for the cluster to settle (the DC planned and ran everything it had to) and
        for this node to have the DC's version of the CIB, then for ``until`` (if given);
        the CIB then, or None after ``seconds`` (default WAIT_DEFAULT)."""
        limit = WAIT_DEFAULT if seconds is None else seconds
        deadline = time.monotonic() + limit
        while True:
            answer = self.settled()
            if answer.get("settled") is True:
                live = self.cib()
                version = answer.get("version")
                have = live.snapshot.cib_version
                if _at_least(have, version) and (until is None or until(live)):
                    return live
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL)


def _at_least(have: tuple[int, int, int] | None, want: object) -> bool:
    if have is None or not isinstance(want, str):
        return False
    parts = want.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return False
    return have >= (int(parts[0]), int(parts[1]), int(parts[2]))


def find_run_dir(prog: str, config: Path | None, ha_d: Path | None, run_dir: Path | None) -> Path:
    """The daemon's run directory from --config / --ha-d / --run-dir (exit 2 if unreadable).
    Only --config needs the config loader, and only its [cluster] run_dir."""
    if config is not None and ha_d is not None:
        fail(prog, "--config and --ha-d are mutually exclusive", EXIT_INVALID)
    if run_dir is not None:
        return run_dir.absolute()
    if config is None:
        from pycrm.daemon.paths import DEFAULT_RUN_DIR

        return DEFAULT_RUN_DIR
    from pycrm.daemon.config import ConfigError
    from pycrm.daemon.config import find_run_dir as locate

    try:
        return locate(config=config, ha_d=ha_d)
    except ConfigError as exc:
        fail(prog, str(exc), EXIT_INVALID)


R = TypeVar("R")


def prog_name(ctx: click.Context) -> str:
    """``pycrm resource move`` as the messages name the command (``hb_standby`` alone)."""
    return ctx.command_path


def location_options(func: Callable[..., R]) -> Callable[..., R]:
    """--config / --ha-d / --run-dir (passed as ``config``, ``ha_d``, ``run_dir``)."""
    for option in reversed(
        (
            click.option(
                "--config",
                "config",
                type=click.Path(dir_okay=False, path_type=Path),
                help="The daemon's TOML config (its [cluster] run_dir locates the socket).",
            ),
            click.option(
                "--ha-d",
                "ha_d",
                type=click.Path(file_okay=False, path_type=Path),
                help="A daemon run from a legacy heartbeat directory (default run directory).",
            ),
            click.option(
                "--run-dir",
                "run_dir",
                type=click.Path(file_okay=False, path_type=Path),
                help="The daemon's run directory (overrides the config).",
            ),
        )
    ):
        func = option(func)
    return func


def daemon_options(func: Callable[..., R]) -> Callable[..., R]:
    """Add --config / --ha-d / --run-dir / --timeout and pass a `Daemon` as ``daemon``."""

    @location_options
    @click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        help="Seconds to wait for each answer of the daemon.",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        config: Path | None,
        ha_d: Path | None,
        run_dir: Path | None,
        timeout: float,
        **kwargs: Any,
    ) -> R:
        prog = prog_name(click.get_current_context())
        where = find_run_dir(prog, config, ha_d, run_dir)
        return func(*args, daemon=Daemon(prog, where, timeout), **kwargs)

    return wrapper


def wait_option(func: Callable[..., R]) -> Callable[..., R]:
    """``--wait[=SECONDS]``: after the change, wait until the cluster settled."""
    return click.option(
        "--wait",
        "wait",
        type=click.FloatRange(min=0.0),
        is_flag=False,
        flag_value=WAIT_DEFAULT,
        default=None,
        metavar="[SECONDS]",
        help=f"Wait until the cluster settled (at most SECONDS, default {WAIT_DEFAULT:g}).",
    )(func)


def output_option(*choices: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    def decorate(func: Callable[..., R]) -> Callable[..., R]:
        return click.option(
            "--output-as",
            "output",
            type=click.Choice(list(choices)),
            default=choices[0],
            show_default=True,
            help="Output format.",
        )(func)

    return decorate


def now_local() -> Any:
    """The current time, aware, in the local zone (crm_resource writes local times)."""
    from datetime import datetime

    return datetime.now().astimezone()
