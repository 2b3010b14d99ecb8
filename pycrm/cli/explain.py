"""`pycrm explain [RSC]`: why each resource is where it is (pycrm.ops.explain).

It asks the local daemon for the CIB (``status``) and the DC for its recent events
(``history``: the verdicts say what the DC last did and which node left when), then reads
the scheduler's scores for the live CIB.
"""

from __future__ import annotations

import json

import click

from pycrm.cli.common import Daemon, daemon_options, output_option, refuse
from pycrm.ops import errors


@click.command("explain")
@click.argument("rsc", required=False)
@output_option("text", "json")
@daemon_options
def explain(daemon: Daemon, rsc: str | None, output: str) -> None:
    """Why each resource (or RSC) runs where it runs, in words."""
    from pycrm.daemon.commands import HISTORY_COMMAND
    from pycrm.ops.explain import Event
    from pycrm.ops.explain import explain as explain_all

    live = daemon.cib()
    answer = daemon.call(HISTORY_COMMAND, {})
    raw = answer.get("events", []) if isinstance(answer, dict) else []
    events = [e for e in (Event.parse(r) for r in raw) if e is not None]
    try:
        found = explain_all(live.model, live.snapshot, events, rsc)
    except errors.OpsError as exc:
        refuse(daemon.prog, exc)
    if output == "json":
        click.echo(json.dumps({"explanations": [e.to_dict() for e in found]}, indent=2))
        return
    for item in found:
        click.echo(item.text)
