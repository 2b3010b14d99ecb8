"""The stonith class: fence agents as Pacemaker's fencer runs them, resource operations as
its executor does them."""

from __future__ import annotations

from typing import Any

import pytest

from pycrm.daemon.executor.classes import AgentPaths, Immediate, Invocation, Probe, resolve
from pycrm.daemon.executor.codes import EXEC_DONE, OCF_NOT_RUNNING, OCF_OK
from pycrm.daemon.executor.core import ExecutorCore, Spawn
from pycrm.daemon.executor.outcome import ProcessEnd
from pycrm.daemon.executor.request import OpRequest
from pycrm.daemon.executor.stonith import StonithClass, stdin_for
from pycrm.daemon.executor.streams import LineScanner

PATHS = AgentPaths(fence_dir="/sbin-fence", python="/py/bin/python")
PARAMS = {"pcmk_host_map": "node2:ns-2", "pcmk_delay_base": "5", "ipaddr": "10.0.0.9"}


def sreq(action: str = "start", **kw: Any) -> OpRequest:
    kw.setdefault("agent", "fence_x")
    kw.setdefault("params", PARAMS)
    return OpRequest(rsc_id="fence1", rsc_class="stonith", action=action, node="node1", **kw)


def _probe(*present: str) -> Probe:
    files = set(present)
    return Probe(exists=files.__contains__, executable=files.__contains__)


def _inv(request: OpRequest, *present: str) -> Invocation:
    inv = resolve(request, PATHS, _probe("/sbin-fence/fence_x", *present))
    assert isinstance(inv, Invocation)
    return inv


def test_start_and_monitor_run_the_agents_monitor_with_stdin_only() -> None:
    for action, interval in (("start", 0), ("monitor", 60_000)):
        inv = _inv(sreq(action, interval_ms=interval))
        assert inv.argv == ("/sbin-fence/fence_x",)
        assert inv.action == "monitor" and inv.stderr_reason
        assert inv.stdin == b"action=monitor\nipaddr=10.0.0.9\n"
        assert inv.env["PCMK_service"] == "pacemaker-fenced"
        assert not any(k.startswith("OCF_") for k in inv.env)


def test_stop_and_probe_run_nothing() -> None:
    assert resolve(sreq("stop"), PATHS, _probe()) == Immediate(OCF_OK)
    assert resolve(sreq("monitor"), PATHS, _probe()) == Immediate(None)


def test_fencing_runs_name_the_target() -> None:
    meta = {"stonith_target": "node2", "stonith_host_arg": "plug", "stonith_target_id": "2"}
    inv = _inv(sreq("off", meta=meta))
    assert inv.action == "off"
    assert inv.stdin == (b"action=off\nnodename=node2\nnodeid=2\nplug=ns-2\nipaddr=10.0.0.9\n")
    assert stdin_for(sreq("meta-data")) == "action=metadata\n"
    # a configured "action" is mapped as the fencer does: pcmk_reboot_action
    mapped = sreq("reboot", params={"action": "off"}, meta={"stonith_target": "n3"})
    assert stdin_for(mapped) == "action=off\nnodename=n3\nport=n3\n"


def test_pycrm_fence_agents_run_from_the_package_and_unknown_ones_are_missing() -> None:
    from ocf.install import fence_launcher_text

    inv = resolve(sreq("start", agent="fence_netns"), PATHS, _probe())
    assert isinstance(inv, Invocation)
    assert inv.argv == (
        "/py/bin/python",
        "-I",
        "-S",
        "-c",
        fence_launcher_text("fence_netns", "/py/bin/python"),
    )
    installed = resolve(sreq(agent="fence_netns"), PATHS, _probe("/sbin-fence/fence_netns"))
    assert isinstance(installed, Invocation)
    assert installed.argv == ("/sbin-fence/fence_netns",)
    assert resolve(sreq(agent="fence_nothere"), PATHS, _probe()) is None
    assert resolve(sreq(agent="sub/fence_x"), PATHS, _probe()) is None


@pytest.mark.parametrize(
    ("action", "code", "rc"),
    [("monitor", 0, 0), ("monitor", 1, 1), ("off", 5, 1), ("status", 2, 2), ("status", 0, 0)],
)
def test_exit_codes(action: str, code: int, rc: int) -> None:
    assert StonithClass().map_exit(action, code, "") == rc


def test_fence_agent_errors_become_the_exit_reason() -> None:
    scanner = LineScanner()
    scanner.feed(
        b"2026-01-01 10:00:00,000 ERROR: Failed: Unable to obtain correct plug status\n"
        b"2026-01-01 10:00:00,000 ERROR: Please use '-h' for usage\n"
    )
    scanner.close()
    assert scanner.error_reason == "Failed: Unable to obtain correct plug status"
    assert scanner.exit_reason == ""


def test_probe_answers_from_what_this_executor_did() -> None:
    probe = _probe("/sbin-fence/fence_x")
    core = ExecutorCore(lambda r: resolve(r, PATHS, probe), wall=lambda: 1.0)

    def results() -> list[tuple[str, int, int]]:
        return [(r.key, r.rc, r.op_status) for r in core.take_results()]

    core.submit(sreq("monitor"), 0.0)
    assert results() == [("fence1_monitor_0", OCF_NOT_RUNNING, EXEC_DONE)]
    core.submit(sreq("start"), 1.0)
    [spawn] = [c for c in core.take_outbox() if isinstance(c, Spawn)]
    core.finished(spawn.run, ProcessEnd("exited", 0), 2.0)
    core.tick(2.0)
    core.submit(sreq("monitor"), 3.0)
    assert results() == [("fence1_start_0", 0, 0), ("fence1_monitor_0", OCF_OK, EXEC_DONE)]
    core.submit(sreq("stop"), 4.0)
    core.tick(4.0)
    core.submit(sreq("monitor"), 5.0)
    assert results() == [("fence1_stop_0", 0, 0), ("fence1_monitor_0", OCF_NOT_RUNNING, 0)]


def test_fencing_with_a_device_keeps_its_monitor() -> None:
    probe = _probe("/sbin-fence/fence_x")
    core = ExecutorCore(lambda r: resolve(r, PATHS, probe), wall=lambda: 1.0)
    core.submit(sreq("monitor", interval_ms=60_000), 0.0)
    [spawn] = [c for c in core.take_outbox() if isinstance(c, Spawn)]
    core.finished(spawn.run, ProcessEnd("exited", 0), 1.0)
    core.submit(sreq("off", meta={"stonith_target": "node2"}), 2.0)
    assert ("monitor", 60_000) in core.resources["fence1"].recurring
