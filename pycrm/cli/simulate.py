"""`pycrm simulate`: run the scheduler on a CIB file, like crm_simulate."""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from cib.errors import CibError
from pycrm.simulate import inject


def _op_specs(values: tuple[str, ...]) -> tuple[inject.OpSpec, ...]:
    try:
        return tuple(inject.parse_op_spec(v) for v in values)
    except inject.InjectError as exc:
        raise click.BadParameter(str(exc), param_hint="'--op-fail'") from None


@click.command()
@click.option(
    "-x",
    "--xml-file",
    "xml_file",
    required=True,
    metavar="CIB",
    help="CIB file to read (configuration + status).",
)
@click.option(
    "-S",
    "--simulate",
    "run_simulation",
    is_flag=True,
    help="Show the transition and the revised cluster status (every action succeeds).",
)
@click.option(
    "--output-as",
    type=click.Choice(["text", "xml", "json"]),
    default="text",
    show_default=True,
)
@click.option("-s", "--show-scores", is_flag=True, help="Explain each allocation score in words.")
@click.option("-u", "--node-up", multiple=True, metavar="NODE", help="Bring NODE online first.")
@click.option(
    "-f",
    "--node-fail",
    multiple=True,
    metavar="NODE",
    help="Make NODE leave the membership uncleanly first.",
)
@click.option(
    "-i",
    "--op-fail",
    "--op-inject",
    "op_fail",
    multiple=True,
    metavar="RSC_OP_INTERVAL@NODE=RC",
    help="Record an operation result first, e.g. rsc1_monitor_10000@node1=7.",
)
def simulate(
    xml_file: str,
    run_simulation: bool,
    output_as: str,
    show_scores: bool,
    node_up: tuple[str, ...],
    node_fail: tuple[str, ...],
    op_fail: tuple[str, ...],
) -> None:
    """Compute what the cluster would do with the CIB in CIB.

    Text output is shaped like crm_simulate 2.1.5; --output-as=xml uses
    crm_simulate's <pacemaker-result> elements; json has the same content.
    """
    with _one_shot_gc():
        from pycrm.simulate.run import simulate as run

        injections = inject.Injections(
            node_up=tuple(node_up), node_fail=tuple(node_fail), ops=_op_specs(op_fail)
        )
        try:
            sim = run(xml_file, injections)
            for warning in sim.warnings:
                click.echo(f"pycrm simulate: warning: {warning}", err=True)
            if output_as == "xml":
                from pycrm.simulate import xmlout

                out = xmlout.render(sim, _request())
            elif output_as == "json":
                from pycrm.simulate import jsonout

                out = jsonout.render(sim, _request(), show_scores=show_scores)
            else:
                from pycrm.simulate import text

                out = text.render(sim, run_simulation, show_scores)
        except CibError as exc:
            click.echo(f"pycrm simulate: {exc}", err=True)
            sys.exit(2)
        except Exception as exc:
            # A bug, not bad input: one line for the user, the traceback on request.
            if os.environ.get("PYCRM_DEBUG") == "1":
                raise
            where = f"{xml_file}: " if xml_file else ""
            click.echo(
                f"pycrm simulate: internal error: {where}{type(exc).__name__}: {exc} "
                "(PYCRM_DEBUG=1 shows the traceback)",
                err=True,
            )
            sys.exit(1)
        try:
            click.echo(out, nl=False)
            sys.stdout.flush()
        except BrokenPipeError:
            # the reader went away (e.g. `| head`): not an error worth a traceback
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)


def _request() -> str:
    """The command line, as the xml and json outputs record it."""
    import shlex  # only these outputs need it

    return shlex.join(["pycrm", "simulate", *sys.argv[2:]])


@contextmanager
def _one_shot_gc() -> Iterator[None]:
    """No cyclic GC during a one-shot run, and none at interpreter exit.

    The collector would rescan the growing model, working set and transition over and over
    (~10% of the run at 1000 resources, ~30% at 5000) though little of it becomes garbage
    before the run ends; peak memory is the same without it.  At exit the interpreter's last
    collection would walk it all once more (~10 ms at 1000 resources) only to free memory
    the process gives back anyway: freeze it first.  In-process callers get GC back.
    """
    enabled = gc.isenabled()
    gc.disable()
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    try:
        yield
    finally:
        if enabled:
            gc.enable()
