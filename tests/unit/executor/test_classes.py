"""Agent classes: where agents are found, their argv, and what their exit codes mean."""

from __future__ import annotations

import pytest

from pycrm.daemon.executor.classes import (
    AgentPaths,
    Probe,
    heartbeat_status,
    lsb2ocf,
    ocf2ocf,
    positional_args,
    resolve,
)
from tests.unit.executor.helpers import req

PATHS = AgentPaths(ocf_root="/ocf", init_dir="/init", ha_dir="/ha", python="/py/bin/python")


def _probe(*present: str) -> Probe:
    files = set(present)
    return Probe(exists=files.__contains__, executable=files.__contains__)


def test_ocf_agent_runs_from_its_provider_directory_with_the_action_only() -> None:
    inv = resolve(req(action="promote"), PATHS, _probe("/ocf/resource.d/heartbeat/Dummy"))
    assert inv is not None
    assert inv.argv == ("/ocf/resource.d/heartbeat/Dummy", "promote")
    assert inv.action == "promote" and inv.agent_class.name == "ocf"


def test_pycrm_agents_run_from_the_package_when_no_launcher_is_installed() -> None:
    from ocf.install import launcher_text

    inv = resolve(req(provider="pycrm", agent="IPaddr2", action="monitor"), PATHS, _probe())
    assert inv is not None
    assert inv.argv == (
        "/py/bin/python",
        "-I",
        "-S",
        "-c",
        launcher_text("IPaddr2", "/py/bin/python"),
        "monitor",
    )


def test_an_installed_pycrm_launcher_is_preferred() -> None:
    path = "/ocf/resource.d/pycrm/apache"
    inv = resolve(req(provider="pycrm", agent="apache"), PATHS, _probe(path))
    assert inv is not None and inv.argv == (path, "start")


@pytest.mark.parametrize(
    "request_kw",
    [
        {"agent": "Dummy"},  # not installed
        {"provider": "pycrm", "agent": "Dummy"},  # not one of ours
        {"provider": None},  # an ocf resource needs a provider
        {"rsc_class": "stonith", "provider": None, "agent": "fence_xvm"},  # not yet
        {"rsc_class": "systemd", "provider": None, "agent": "httpd"},
    ],
)
def test_unknown_class_or_agent_resolves_to_nothing(request_kw: dict[str, object]) -> None:
    assert resolve(req(**request_kw), PATHS, _probe()) is None  # type: ignore[arg-type]


def test_lsb_monitor_runs_status() -> None:
    probe = _probe("/init/svc")
    inv = resolve(req(rsc_class="lsb", provider=None, agent="svc", action="monitor"), PATHS, probe)
    assert inv is not None and inv.argv == ("/init/svc", "status") and inv.action == "status"
    assert resolve(req(rsc_class="lsb", provider=None, agent="other"), PATHS, probe) is None


def test_heartbeat_script_gets_numbered_attributes_before_the_action() -> None:
    params = {"2": "/data", "1": "/dev/sdb1", "3": "ext4", "5": "skipped-gap", "name": "x"}
    request = req(rsc_class="heartbeat", provider=None, agent="Filesystem", params=params)
    inv = resolve(request, PATHS, _probe("/ha/resource.d/Filesystem"))
    assert inv is not None
    assert inv.argv == (
        "/ha/resource.d/Filesystem",
        "/dev/sdb1",
        "/data",
        "ext4",
        "skipped-gap",
        "start",
    )
    assert inv.env["HA_DIR"] == "/ha" and inv.env["HA_CURHOST"] == "node1"


def test_heartbeat_script_falls_back_to_etc_ha_d_and_maps_monitor_to_status() -> None:
    request = req(rsc_class="heartbeat", provider=None, agent="IPaddr", action="monitor")
    inv = resolve(request, PATHS, _probe("/etc/ha.d/resource.d/IPaddr"))
    assert inv is not None
    assert inv.argv == ("/etc/ha.d/resource.d/IPaddr", "status")
    assert inv.env["HA_FUNCS"] == "/etc/ha.d/shellfuncs"


def test_positional_args_stop_at_pacemakers_limit() -> None:
    params = {str(n): f"v{n}" for n in range(1, 70)}
    assert len(positional_args(params)) == 61


@pytest.mark.parametrize(
    ("action", "code", "rc"),
    [
        ("status", 0, 0),
        ("status", 1, 7),
        ("status", 2, 7),
        ("status", 3, 7),
        ("status", 4, 1),
        ("status", 150, 5),
        ("status", 151, 4),
        ("monitor", 3, 7),
        ("start", 0, 0),
        ("start", 5, 5),
        ("stop", 7, 7),
        ("start", 8, 1),
        ("start", 150, 1),
        ("start", -1, 1),
    ],
)
def test_lsb_exit_codes_map_like_pacemaker(action: str, code: int, rc: int) -> None:
    assert lsb2ocf(action, code) == rc


@pytest.mark.parametrize(
    ("code", "rc"), [(0, 0), (7, 7), (8, 8), (9, 9), (10, 1), (190, 190), (191, 191), (255, 1)]
)
def test_ocf_exit_codes_outside_the_standard_are_generic_errors(code: int, rc: int) -> None:
    assert ocf2ocf(code) == rc


@pytest.mark.parametrize(
    ("output", "rc"),
    [
        ("INFO: Running OK\n", 0),
        ("httpd is running (pid 12)\n", 0),
        ("RUNNING\n", 0),
        ("OK\n", 0),
        ("ok\n", 7),  # "OK" is matched case-sensitively
        ("Resource is stopped\n", 7),
        ("STOPPED but running", 7),
        ("drbd is not running", 7),
        ("Nothing is running", 7),
        ("", 7),
        ("unknown state", 7),
    ],
)
def test_heartbeat_status_is_judged_from_its_output(output: str, rc: int) -> None:
    assert heartbeat_status(output) == rc


def test_heartbeat_status_ignores_the_exit_code_but_other_actions_do_not() -> None:
    request = req(rsc_class="heartbeat", provider=None, agent="s", action="monitor")
    inv = resolve(request, PATHS, _probe("/ha/resource.d/s"))
    assert inv is not None
    assert inv.agent_class.map_exit("status", 0, "stopped") == 7
    assert inv.agent_class.map_exit("status", 3, "running") == 0
    assert inv.agent_class.map_exit("start", 1, "running") == 1
