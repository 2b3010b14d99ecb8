"""Golden transcripts of CLI sessions, in crmsh's style (test/testcases/NAME + NAME.exp).

A session file (``golden/NAME.session``) is what an operator types, against a simulated
three-node cluster whose daemons answer on real control sockets (tests.support.simdaemons)::

    # a comment (kept in the transcript)
    %cib web                      the starting CIB (CIBS below), first
    node1$ pycrm resource move web node2 --wait
    node3$ pycrm status           --run-dir of node3's daemon is added
    node1$ hb_standby local       heartbeat's commands under their own names
    %service-died node2 www       the service dies under its monitor (fake agents)
    %crash node1 / %restart node1
    %env EDITOR=sed -i s/100/200/ an environment variable for the next commands
    %file new.xml                 a file (in the session's directory) ...
    ...
    %end

The transcript (``golden/NAME.exp``) is every line echoed, each command followed by its
stdout, its stderr (lines prefixed ``! ``) and ``[exit N]`` when N is not 0.  Times are
frozen and shown in UTC; the session's directory reads ``$TMP``, the temporary copy
`cib edit` opens ``$EDIT_COPY``.  Run with
``PYCRM_UPDATE_GOLDEN=1`` to rewrite the .exp files (then read the diff).
"""

from __future__ import annotations

import os
import re
import shlex
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from click.testing import CliRunner

from pycrm.cli.cl_status import cl_status
from pycrm.cli.hb_tools import hb_standby, hb_takeover
from pycrm.cli.main import main
from tests.support.simdaemons import SimDaemons, sim_daemons

GOLDEN = Path(__file__).parent / "golden"
EDIT_COPY = re.compile(r"/[\w/.-]*/pycrm-cib-\w+\.xml")  # `cib edit`'s temporary copy
NODES = ("node1", "node2", "node3")


def _dummy(rsc: str, monitor: str = "10s") -> str:
    return (
        f'<primitive id="{rsc}" class="ocf" provider="heartbeat" type="Dummy">'
        f'<operations><op id="{rsc}-monitor" name="monitor" interval="{monitor}"/>'
        "</operations></primitive>"
    )


def _cib(resources: str, constraints: str, defaults: str = "") -> bytes:
    return f"""<cib validate-with="pacemaker-3.9" crm_feature_set="3.16.1" epoch="1"
     num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="opt-stonith" name="stonith-enabled" value="false"/>
      <nvpair id="opt-name" name="cluster-name" value="lab"/>
    </cluster_property_set></crm_config>{defaults}
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/>
    </nodes>
    <resources>{resources}</resources>
    <constraints>{constraints}</constraints>
  </configuration>
  <status/>
</cib>
""".encode()


WEB = f'<group id="web">{_dummy("vip")}{_dummy("fs")}{_dummy("www")}</group>'
CIBS = {
    # the web group, preferring node1 (haresources2cib's shape)
    "web": _cib(WEB, '<rsc_location id="location-web-node1" rsc="web" node="node1" score="100"/>'),
    # plus a database at home on node2, a clone everywhere, stickiness, migration-threshold 3
    "sticky": _cib(
        WEB + _dummy("db") + f'<clone id="ping-clone">{_dummy("ping")}</clone>',
        '<rsc_location id="location-web-node1" rsc="web" node="node1" score="100"/>'
        '<rsc_location id="location-db-node2" rsc="db" node="node2" score="100"/>',
        '<rsc_defaults><meta_attributes id="rsc-options">'
        '<nvpair id="rsc-options-stickiness" name="resource-stickiness" value="1000"/>'
        '<nvpair id="rsc-options-threshold" name="migration-threshold" value="3"/>'
        "</meta_attributes></rsc_defaults>",
    ),
}
TOOLS: dict[str, click.Command] = {
    "pycrm": main,
    "hb_standby": hb_standby,
    "hb_takeover": hb_takeover,
    "cl_status": cl_status,
}


@contextmanager
def utc(zone: str = "UTC") -> Iterator[None]:
    """The local time zone is ``zone`` (UTC) for the block."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def _argv(lab: SimDaemons, node: str, tool: str, args: list[str]) -> list[str]:
    """The command's arguments with the node's --run-dir (before a cl_status subcommand:
    cl_status takes it as a group option)."""
    run_dir = ["--run-dir", str(lab.run_dir(node))]
    if tool == "cl_status":
        return [*run_dir, *args]
    if args[:1] == ["cl_status"]:
        return [args[0], *run_dir, *args[1:]]
    return [*args, *run_dir]


def _invoke(lab: SimDaemons, node: str, line: str, env: dict[str, str]) -> list[str]:
    words = shlex.split(line)
    tool, args = words[0], words[1:]
    runner = CliRunner()
    result = runner.invoke(TOOLS[tool], _argv(lab, node, tool, args), prog_name=tool, env=env)
    out = result.stdout.splitlines()
    out += [f"! {x}" for x in result.stderr.splitlines()]
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        info = result.exc_info
        assert info is not None
        out += ["! TRACEBACK", *"".join(traceback.format_exception(*info)).splitlines()]
    if result.exit_code:
        out.append(f"[exit {result.exit_code}]")
    return out


def _action(lab: SimDaemons, words: list[str]) -> None:
    sim = lab.sim
    if words[0] == "%service-died":
        lab.do(lambda: sim.service_died(words[1], words[2]))
    elif words[0] == "%crash":
        lab.do(lambda: sim.crash(words[1]))
    elif words[0] == "%restart":
        lab.do(lambda: sim.restart(words[1]))
    else:
        raise ValueError(f"unknown directive {words[0]}")


def run_session(name: str, workdir: Path) -> str:
    """Play ``golden/NAME.session`` and return its transcript."""
    lines = (GOLDEN / f"{name}.session").read_text().splitlines()
    first = lines[0].split()
    assert first[0] == "%cib", f"{name}.session must start with %cib"
    out = [lines[0]]
    env: dict[str, str] = {}
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        with utc(), sim_daemons(workdir / "run", CIBS[first[1]], NODES) as lab:
            rest = iter(lines[1:])
            for line in rest:
                out.append(line)
                if not line.strip() or line.startswith("#"):
                    continue
                if line.startswith("%file "):
                    body = []
                    for part in rest:
                        out.append(part)
                        if part == "%end":
                            break
                        body.append(part)
                    (workdir / line.split()[1]).write_text("\n".join(body) + "\n")
                elif line.startswith("%env "):
                    key, _, value = line[5:].partition("=")
                    env[key] = value
                elif line.startswith("%"):
                    _action(lab, line.split())
                else:
                    node, _, command = line.partition("$ ")
                    out += _invoke(lab, node, command, env)
    finally:
        os.chdir(cwd)
    text = "\n".join(out) + "\n"
    text = EDIT_COPY.sub("$EDIT_COPY", text)
    return text.replace(str(workdir), "$TMP")


def sessions() -> list[str]:
    return sorted(p.stem for p in GOLDEN.glob("*.session"))
