"""pycrm's fence agent framework: fence-agents' calling convention, actions and exit codes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from ocf.fence.agent import COMMON_OPTIONS, FenceAgent, FenceFailure
from ocf.fence.netns import AGENT as NETNS
from ocf.fence.netns import floating_addresses
from ocf.fence.options import OptionTable, UsageError
from ocf.net import rtnl
from tests.fixtures.tools import require_path

METADATA_RNG = "/usr/share/cluster/relaxng/metadata.rng"


class Switch(FenceAgent):
    """A power switch in memory: plug -> "on"/"off"; plugs in `stuck` never change."""

    name = "fence_switch"
    shortdesc = "Test switch"
    longdesc = "A switch in memory."
    vendor_url = "https://example.invalid"
    table = OptionTable(COMMON_OPTIONS)

    def __init__(self, plugs: dict[str, str], stuck: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.state = dict(plugs)
        self.stuck = stuck
        self.switched: list[tuple[str, str]] = []

    def outlets(self) -> dict[str, tuple[str, str | None]]:
        return {plug: (f"alias-{plug}", state) for plug, state in self.state.items()}

    def power_status(self, plug: str) -> str | None:
        return self.state.get(plug)

    def set_power(self, plug: str, action: str) -> None:
        if plug not in self.state:
            raise FenceFailure("Failed: no such plug")
        self.switched.append((plug, action))
        if plug not in self.stuck:
            self.state[plug] = action


def run(
    agent: FenceAgent, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    agent.out, agent.err = out, err
    rc = agent.main(["fence_switch", *args], io.StringIO(stdin), env or {})
    return rc, out.getvalue(), err.getvalue()


def test_command_line_flags() -> None:
    table = OptionTable(COMMON_OPTIONS)
    opts, _ = table.parse_argv(["-o", "off", "--plug=p1", "-vv", "--delay", "3"])
    assert opts == {
        "action": "off",
        "port": "p1",
        "verbose": "1",
        "delay": "3",
        "verbose_level": "2",
    }
    assert table.parse_argv(["-ooff", "-np2", "extra"])[0] == {"action": "off", "port": "p2"}
    unused = table.parse_argv(["-o", "on", "extra"])[1]
    assert unused == ["Unused arguments on command line: ['extra']"]
    for bad, message in (
        (["--bogus"], "option --bogus not recognized"),
        (["-z"], "option -z not recognized"),
        (["-o"], "option -o requires argument"),
        (["--action"], "option --action requires argument"),
        (["--quiet=1"], "must not have an argument"),
    ):
        with pytest.raises(UsageError, match=message):
            table.parse_argv(bad)


def test_stdin_lines() -> None:
    table = OptionTable(COMMON_OPTIONS)
    opts, warnings = table.parse_stdin(
        '# comment\n\naction=off\nplug="ns a"\nnodename=node2\npower-timeout=5\n'
        "verbose=yes\nquiet=maybe\nfoo=bar\n"
    )
    assert opts == {"action": "off", "port": "ns a", "power_timeout": "5", "verbose": "1"}
    assert warnings == [
        "Parse error: Ignoring option 'quiet' because it does not have value",
        "Parse error: Ignoring unknown option 'foo=bar'",
    ]
    assert table.parse_stdin("port=x\nquiet=0\n")[0] == {"port": "x"}
    assert table.complete({"port": "x"})["power_timeout"] == "20"
    with pytest.raises(UsageError, match="--power-timeout is not a valid time in seconds"):
        table.complete({"power_timeout": "soon"})


def test_power_actions() -> None:
    sw = Switch({"p1": "on", "p2": "on"})
    assert run(sw, "-o", "status", "-n", "p1")[:2] == (0, "Status: ON\n")
    assert run(sw, "-o", "off", "-n", "p1", "--power-wait=0")[:2] == (0, "Success: Powered OFF\n")
    assert run(sw, "-o", "status", "-n", "p1")[:2] == (2, "Status: OFF\n")
    assert run(sw, "-o", "off", "-n", "p1")[:2] == (0, "Success: Already OFF\n")
    assert run(sw, "-o", "on", "-n", "p1")[:2] == (0, "Success: Powered ON\n")
    # reboot (the default action): off then on; several plugs at once
    sw.switched.clear()
    assert run(sw, stdin="port=p1,p2\n")[:2] == (0, "Success: Rebooted\n")
    assert sw.switched == [("p1", "off"), ("p2", "off"), ("p1", "on"), ("p2", "on")]
    assert run(sw, "-o", "reboot", "-n", "p1")[0] == 0


def test_list_monitor_and_metadata() -> None:
    sw = Switch({"p1": "on", "p2": "off"})
    assert run(sw, "-o", "list")[:2] == (0, "p1,alias-p1\np2,alias-p2\n")
    assert run(sw, "-o", "list-status", "-C", ";")[1] == "p1;alias-p1;ON\np2;alias-p2;OFF\n"
    assert run(sw, "-o", "monitor")[:2] == (0, "")
    rc, out, _ = run(sw, stdin="action=meta-data\n")
    assert rc == 0 and out.startswith('<?xml version="1.0" ?>\n<resource-agent name=')
    assert run(sw, "-o", "validate-all", "-n", "p1")[0] == 0
    assert run(sw, "-h")[1].startswith("Usage:\n\tfence_switch [options]")
    assert run(sw, "-V")[1] == "4.12.1\n"


def test_failures_exit_1_with_fence_agents_words() -> None:
    sw = Switch({"p1": "on"}, stuck=("p1",))
    rc, out, err = run(sw, "-o", "off", "-n", "p1", "--power-timeout=1", "--stonith-status-sleep=0")
    assert (rc, out) == (1, "")
    assert "ERROR: Failed: Timed out waiting to power OFF" in err
    rc, _, err = run(sw, "-o", "status", "-n", "nope")
    assert rc == 1 and "Failed: Unable to obtain correct plug status" in err
    rc, _, err = run(sw, "-o", "dance")
    assert rc == 1 and "Failed: Unrecognised action 'dance'" in err
    assert "Please use '-h' for usage" in err
    rc, _, err = run(sw, "-o", "off")
    assert rc == 1 and "You have to enter plug number or machine identification" in err
    rc, _, err = run(sw, "--bogus")
    assert rc == 1 and "Parse error: option --bogus not recognized" in err
    rc, _, err = run(sw, "-q", "-o", "dance")
    assert rc == 1 and err == ""


def test_reboot_succeeds_even_when_power_on_fails() -> None:
    sw = Switch({"p1": "on"})
    sw.stuck = ()

    def no_on(plug: str, action: str) -> None:
        if action == "on":
            raise FenceFailure("Failed: cannot power on")
        sw.state[plug] = action

    sw.set_power = no_on  # type: ignore[method-assign]
    rc, out, err = run(sw, "-o", "reboot", "-n", "p1")
    assert (rc, out) == (0, "Success: Rebooted\n")
    assert "Timed out waiting to power ON" in err


def test_pacemaker_fenced_disables_the_agents_own_timeout(tmp_path: Path) -> None:
    sw = Switch({"p1": "on"})
    run(sw, "-o", "status", "-n", "p1", env={"PCMK_service": "pacemaker-fenced"})
    assert sw.opts["power_timeout"] == "0"
    run(
        sw,
        "-o",
        "status",
        "-n",
        "p1",
        "--disable-timeout=false",
        env={"PCMK_service": "pacemaker-fenced"},
    )
    assert sw.opts["power_timeout"] == "20"
    log = tmp_path / "debug.log"
    run(sw, "-o", "dance", "-q", f"--debug-file={log}")
    assert "Unrecognised action" in log.read_text()


def test_delay_is_waited_before_fencing_only(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("ocf.fence.agent.time.sleep", slept.append)
    sw = Switch({"p1": "on"})
    run(sw, "-o", "status", "-n", "p1", "--delay=5")
    assert slept == []
    run(sw, "-o", "off", "-n", "p1", "--delay=5", "--stonith-status-sleep=0")
    assert slept and 4 < slept[0] <= 5


def test_metadata_is_valid_for_fence_agents_schema() -> None:
    require_path(METADATA_RNG, "fence-agents' metadata.rng")
    schema = etree.RelaxNG(etree.parse(METADATA_RNG))
    doc = etree.fromstring(NETNS.metadata().encode())
    assert schema.validate(doc), schema.error_log.filter_from_errors()
    names = [p.get("name") for p in doc.iter("parameter")]
    assert {"action", "port", "plug", "missing_as_off", "keep_addresses", "delay"} <= set(names)
    plug = next(p for p in doc.iter("parameter") if p.get("name") == "plug")
    assert plug.get("obsoletes") == "port"
    actions = [a.get("name") for a in doc.iter("action")]
    assert actions[:4] == ["on", "off", "reboot", "status"] and "list" in actions


def _addr(ifindex: int, created: int | None, scope: int = 0, family: int = 2) -> rtnl.Addr:
    address = bytes([10, 0, ifindex, (created or 0) % 256])
    return rtnl.Addr(
        family=family,
        ifindex=ifindex,
        prefixlen=24,
        address=address,
        scope=scope,
        created=created,
    )


def test_floating_addresses_are_the_ones_added_after_the_interfaces_own() -> None:
    own, vip, link_local = _addr(2, 100), _addr(2, 900), _addr(2, 950, rtnl.RT_SCOPE_LINK)
    other_if, v6 = _addr(3, 500), _addr(2, 1000, family=10)
    assert floating_addresses([vip, own, link_local, other_if, v6]) == [vip]
    twin = _addr(2, 100)
    assert floating_addresses([own, twin]) == []  # created together: both kept


def test_lean_start_up() -> None:
    """The agent is exec'd per action: no typing, dataclasses or logging at run time."""
    from ocf.install import fence_launcher_text

    text = fence_launcher_text("fence_netns", sys.executable)
    res = subprocess.run(
        [sys.executable, "-I", "-S", "-X", "importtime", "-c", text, "-o", "metadata"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert res.stdout.startswith("<?xml")
    imported = {line.split("|")[-1].strip() for line in res.stderr.splitlines() if "|" in line}
    assert not imported & {"typing", "dataclasses", "logging", "enum", "getopt", "ctypes"}


def test_cli_installs_and_removes_the_fence_agents(tmp_path: Path) -> None:
    from pycrm.cli.main import main

    runner = CliRunner()
    args = ["--ocf-root", str(tmp_path / "ocf"), "--fence-dir", str(tmp_path / "sbin")]
    result = runner.invoke(main, ["agents", "install", *args])
    assert result.exit_code == 0, result.output
    agent = tmp_path / "sbin" / "fence_netns"
    assert f"installed stonith:fence_netns -> {agent}" in result.output
    assert os.access(agent, os.X_OK)
    res = subprocess.run(
        [str(agent), "-o", "metadata"], capture_output=True, text=True, timeout=60, check=True
    )
    assert 'name="fence_netns"' in res.stdout
    listed = runner.invoke(main, ["agents", "list"])
    assert "fence_netns" in listed.output.split()
    meta = runner.invoke(main, ["agents", "meta-data", "fence_netns"])
    assert meta.exit_code == 0 and meta.output == res.stdout
    removed = runner.invoke(main, ["agents", "uninstall", *args])
    assert str(agent) in removed.output and not agent.exists()
