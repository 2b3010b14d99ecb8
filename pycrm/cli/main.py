"""The `pycrm` command line: a thin click router over the library.

Each subcommand lives in its own module under pycrm.cli and is imported only
when it is invoked, so `pycrm --help` stays fast and one broken subsystem
cannot take the whole CLI down.
"""

from __future__ import annotations

import importlib

import click

# name -> (module, attribute, one-line help)
_SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "agents": ("pycrm.cli.agents", "agents", "Install and inspect the OCF agents."),
    "simulate": (
        "pycrm.cli.simulate",
        "simulate",
        "Run the scheduler on a CIB, like crm_simulate.",
    ),
    "haresources2cib": (
        "pycrm.cli.haresources2cib",
        "command",
        "Convert a Heartbeat v1 /etc/ha.d into a Pacemaker CIB.",
    ),
    "heartbeat": ("pycrm.cli.heartbeat", "heartbeat", "Run a Heartbeat v1 membership node."),
    "run": ("pycrm.cli.run", "run", "Run this node of the cluster (the CRM daemon)."),
    "cl_status": (
        "pycrm.cli.cl_status",
        "cl_status",
        "Heartbeat's cl_status (pycrm heartbeat/run).",
    ),
    "status": ("pycrm.cli.status", "status", "Show the cluster status, like crm_mon -1."),
    "node": ("pycrm.cli.node", "node", "Standby, online and node attributes."),
    "resource": (
        "pycrm.cli.resource",
        "resource",
        "Move, ban, clear, enable, disable, restart, clean up resources.",
    ),
    "cib": ("pycrm.cli.cib_cmd", "cib", "Show, load, edit, verify and diff the live CIB."),
    "explain": ("pycrm.cli.explain", "explain", "Why each resource is where it is."),
    "hb_standby": ("pycrm.cli.hb_tools", "hb_standby", "Heartbeat's hb_standby."),
    "hb_takeover": ("pycrm.cli.hb_tools", "hb_takeover", "Heartbeat's hb_takeover."),
    "demo": (
        "pycrm.cli.demo",
        "demo",
        "A three-node cluster on this machine, failed five ways (agents: the agents alone).",
    ),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _SUBCOMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr, _ = entry
        module = importlib.import_module(module_name)
        command = getattr(module, attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}.{attr} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _SUBCOMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(package_name="pycrm")
def main() -> None:
    """pycrm: a Pacemaker-compatible high-availability toolkit."""


if __name__ == "__main__":
    main()
