"""`pycrm cib`: show, load, edit, verify and diff the live CIB (cibadmin, crm configure,
crm_verify).

Nothing is submitted that did not pass every check first (pycrm.ops.cibfile): a bad file
gives its problems as ``file:line: id: message`` lines, exit status 2, and changes nothing.

``verify`` checks the live CIB with pycrm's own checks (schema, model, semantics, the
scheduler's start-up refusal without fencing devices), as ``crm_verify -L`` does.  Pacemaker's
own ``crm_verify`` is not required: ``--crm-verify`` also runs it (when installed) on a
private copy of the live CIB and adds its verdict -- a second opinion for a cluster about to
move to Pacemaker, off by default because it is not part of pycrm.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from pycrm.cli.common import (
    EXIT_INVALID,
    Daemon,
    Live,
    daemon_options,
    exit_status,
    refuse,
    wait_option,
)
from pycrm.ops import cibfile, errors


@click.group("cib")
def cib() -> None:
    """Show, load, edit, verify and diff the live CIB."""


@cib.command("show")
@click.option(
    "--scope",
    type=click.Choice(cibfile.SCOPES),
    default=None,
    help="One section (or all, status included); default: the configuration, with versions.",
)
@daemon_options
def show(daemon: Daemon, scope: str | None) -> None:
    """Print the live CIB: by default <cib> with its configuration (what `cib load` takes)."""
    live = daemon.cib()
    try:
        click.echo(cibfile.show(live.xml, scope), nl=False)
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)


def _read(daemon: Daemon, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        daemon.fail(f"{path}:0: -: cannot read: {exc.strerror or exc}", EXIT_INVALID)


def _plan(daemon: Daemon, live: Live, data: bytes, source: str, force: bool) -> cibfile.LoadPlan:
    try:
        return cibfile.plan_load(live.xml, data, source, force=force)
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)


def _commit(daemon: Daemon, plan: cibfile.LoadPlan, wait: float | None) -> None:
    for note in plan.notes:
        click.echo(f"Note: {note}", err=True)
    if plan.unchanged:
        click.echo("No changes: the configuration is the live one")
        return
    daemon.submit([plan.change])
    click.echo("CIB updated")
    if wait is not None:
        daemon.wait(wait)


@cib.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Load even a version older than the live one.")
@wait_option
@daemon_options
def load(daemon: Daemon, file: Path, force: bool, wait: float | None) -> None:
    """Replace the configuration with FILE's (a <cib>, or a bare <configuration>)."""
    live = daemon.cib()
    plan = _plan(daemon, live, _read(daemon, file), str(file), force)
    _commit(daemon, plan, wait)


@cib.command("diff")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@daemon_options
def diff(daemon: Daemon, file: Path) -> None:
    """What `cib load FILE` would change (a unified diff); exit 1 when there is a change."""
    live = daemon.cib()
    plan = _plan(daemon, live, _read(daemon, file), str(file), True)
    text = cibfile.diff(live.xml, plan, str(file))
    click.echo(text, nl=False)
    sys.exit(1 if text else 0)


@cib.command("verify")
@click.option("--crm-verify", "crm_verify", is_flag=True, help="Also run Pacemaker's crm_verify.")
@click.option("-V", "--verbose", is_flag=True, help="Say so when the CIB is valid.")
@daemon_options
def verify(daemon: Daemon, crm_verify: bool, verbose: bool) -> None:
    """Check the live CIB, like crm_verify --live-check."""
    live = daemon.cib()
    version = ".".join(str(v) for v in live.snapshot.cib_version or ())
    source = f"<live CIB {version}>" if version else "<live CIB>"
    verdict = cibfile.verify(live.xml, source)
    for line in verdict.errors:
        click.echo(f"error: {line}")
    for line in verdict.warnings:
        click.echo(f"warning: {line}")
    failed = bool(verdict.errors)
    if crm_verify:
        failed = _crm_verify(daemon, live.xml) or failed
    if failed:
        click.echo("Errors found during check: config not valid")
        sys.exit(EXIT_INVALID)
    if verbose:
        click.echo(f"{source}: valid")


def _crm_verify(daemon: Daemon, xml: bytes) -> bool:
    """Run the installed crm_verify on a private copy; True when it found errors."""
    tool = shutil.which("crm_verify")
    if tool is None:
        daemon.fail("--crm-verify: crm_verify is not installed", EXIT_INVALID)
    with tempfile.TemporaryDirectory(prefix="pycrm-verify-") as tmp:
        path = Path(tmp) / "cib.xml"
        path.write_bytes(xml)
        done = subprocess.run(
            [tool, "-V", "--xml-file", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    for line in (done.stdout + done.stderr).splitlines():
        click.echo(f"crm_verify: {line.replace(str(path), '<live CIB>')}")
    return done.returncode != 0


# ----------------------------------------------------------------------------- edit
def editor_argv() -> list[str]:
    """$VISUAL, else $EDITOR, else vi (split like a shell would, never run by one)."""
    text = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    argv = shlex.split(text)
    if not argv:
        argv = ["vi"]
    return argv


def _edit(daemon: Daemon, path: Path) -> None:
    argv = [*editor_argv(), str(path)]
    try:
        done = subprocess.run(argv, check=False)
    except OSError as exc:
        daemon.fail(f"cannot run the editor {argv[0]}: {exc.strerror or exc}")
    if done.returncode != 0:
        daemon.fail(f"the editor {argv[0]} exited with status {done.returncode}: nothing changed")


@cib.command("edit")
@click.option("--force", is_flag=True, help="Commit even if the CIB changed during the edit.")
@wait_option
@daemon_options
def edit(daemon: Daemon, force: bool, wait: float | None) -> None:
    """Edit the configuration in $EDITOR; only a valid result is committed (on errors:
    edit again, or abort with nothing changed)."""
    live = daemon.cib()
    start = live.model.version
    original = cibfile.show(live.xml).encode("utf-8")
    fd, name = tempfile.mkstemp(prefix="pycrm-cib-", suffix=".xml")
    path = Path(name)
    keep = False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(original)
        while True:
            _edit(daemon, path)
            data = _read(daemon, path)
            if data == original:
                click.echo("No changes")
                return
            try:
                plan = cibfile.plan_load(live.xml, data, str(path))
                break
            except errors.OpsError as exc:
                for report in exc.reports:
                    click.echo(f"{daemon.prog}: {report.message}", err=True)
                if not (sys.stdin.isatty() and click.confirm("Edit again?", default=True)):
                    click.echo(f"{daemon.prog}: nothing was changed", err=True)
                    sys.exit(exit_status(exc.code))
        now = daemon.cib()
        current = now.model.version
        if current[:2] != start[:2] and not force:
            keep = True
            daemon.fail(
                f"the configuration changed while you edited it ({start[0]}.{start[1]} ->"
                f" {current[0]}.{current[1]}): nothing was changed; your version is kept in"
                f" {path} (edit again, or load it with `cib load --force`)",
                exit_status(errors.CIB_CHANGED),
            )
        _commit(daemon, plan, wait)
    finally:
        if not keep:
            path.unlink(missing_ok=True)
