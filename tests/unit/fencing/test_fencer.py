"""The fencer's sequence: meta-data, queries, delays, retries, the next device, outcomes."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from pycrm.daemon.executor.codes import EXEC_DONE, EXEC_NO_FENCE_DEVICE, EXEC_TIMEOUT
from pycrm.daemon.executor.request import OpRequest, OpResult
from pycrm.fencing.device import FenceDevice
from pycrm.fencing.fencer import FenceOutcome, Fencer, FenceRequest

PORT_METADATA = """<resource-agent name="fence_x"><parameters><parameter name="port"/>
</parameters><actions><action name="on"/><action name="off"/><action name="reboot"/>
<action name="status"/><action name="list"/><action name="monitor"/></actions>
</resource-agent>"""
NO_REBOOT_METADATA = """<resource-agent name="fence_y"><parameters><parameter name="plug"/>
</parameters><actions><action name="off"/><action name="status"/></actions>
</resource-agent>"""

Agent = Callable[[OpRequest], tuple[int, int, str]]  # -> rc, op_status, output


class Loop:
    """Runs the fencer's requests through a scripted "agent" at once."""

    def __init__(self, fencer: Fencer, agent: Agent) -> None:
        self.fencer = fencer
        self.agent = agent
        self.now = 1000.0
        self.ran: list[OpRequest] = []

    def run(self, req: FenceRequest) -> FenceOutcome:
        self.fencer.fence(req, self.now)
        for _ in range(100):
            requests = self.fencer.take_requests()
            if not requests:
                break
            for request in requests:
                self.ran.append(request)
                self.now += request.start_delay_ms / 1000
                rc, status, output = self.agent(request)
                result = OpResult(
                    request,
                    call_id=len(self.ran),
                    rc=rc,
                    op_status=status,
                    output=output,
                    exit_reason="boom" if rc else "",
                )
                assert self.fencer.on_result(result, self.now)
        outcomes = self.fencer.take_outcomes()
        assert len(outcomes) == 1
        return outcomes[0]

    def steps(self) -> list[tuple[str, str, str]]:
        return [(r.rsc_id, r.meta["fence_step"], r.action) for r in self.ran]


def metadata_agent(xml: str, **actions: tuple[int, int, str]) -> Agent:
    def agent(req: OpRequest) -> tuple[int, int, str]:
        if req.action == "meta-data":
            return 0, EXEC_DONE, xml
        return actions.get(req.action, (0, EXEC_DONE, ""))

    return agent


def fencer(*devices: FenceDevice, node: str = "node1") -> Fencer:
    f = Fencer(node, wall=lambda: 1_700_000_000.0, rng=random.Random(1))
    f.set_devices(devices)
    return f


def test_static_list_fences_with_the_mapped_plug() -> None:
    dev = FenceDevice("fence-all", "fence_x", {"pcmk_host_map": "node2:ns-2", "ip": "x"})
    loop = Loop(fencer(dev), metadata_agent(PORT_METADATA))
    out = loop.run(FenceRequest("op1", "node2", "reboot", origin="node1"))
    assert out.ok and out.device == "fence-all" and out.executioner == "node1"
    assert loop.steps() == [
        ("fence-all", "metadata", "meta-data"),
        ("fence-all", "fence", "reboot"),
    ]
    fence = loop.ran[-1]
    assert fence.rsc_class == "stonith" and fence.node == "node1"
    assert fence.meta["stonith_target"] == "node2" and fence.meta["stonith_host_arg"] == "port"
    assert fence.timeout_ms == 60_000 and fence.start_delay_ms == 0
    event = out.event()
    assert (event.state, event.target, event.delegate, event.origin) == (
        "done",
        "node2",
        "node1",
        "node1",
    )
    # the meta-data is read once per agent
    loop.ran.clear()
    assert loop.run(FenceRequest("op2", "node2")).ok
    assert loop.steps() == [("fence-all", "fence", "reboot")]


def test_dynamic_list_then_cached() -> None:
    dev = FenceDevice("d", "fence_x", {})
    agent = metadata_agent(PORT_METADATA, list=(0, EXEC_DONE, "node2,\nnode3,\n"))
    loop = Loop(fencer(dev), agent)
    assert loop.run(FenceRequest("a", "node2", "off")).ok
    assert [s[1] for s in loop.steps()] == ["metadata", "list", "fence"]
    loop.ran.clear()
    assert loop.run(FenceRequest("b", "node3", "off")).ok
    assert [s[1] for s in loop.steps()] == ["fence"]  # list still fresh
    loop.ran.clear()
    out = loop.run(FenceRequest("c", "node4", "off"))
    assert not out.ok and out.exec_status == EXEC_NO_FENCE_DEVICE and out.device is None
    loop.now += 61
    loop.ran.clear()
    loop.run(FenceRequest("d", "node2", "off"))
    assert [s[1] for s in loop.steps()] == ["list", "fence"]


def test_status_check() -> None:
    dev = FenceDevice("d", "fence_y", {})
    agent = metadata_agent(NO_REBOOT_METADATA, status=(2, EXEC_DONE, "Status: OFF"))
    loop = Loop(fencer(dev), agent)
    out = loop.run(FenceRequest("a", "node2", "reboot"))
    assert out.ok
    # the agent cannot reboot: "off" runs instead; the target goes under "plug"
    assert loop.steps()[-2:] == [("d", "status", "status"), ("d", "fence", "off")]
    assert loop.ran[-1].meta["stonith_host_arg"] == "plug"
    unknown = Loop(fencer(dev), metadata_agent(NO_REBOOT_METADATA, status=(1, EXEC_DONE, "")))
    assert not unknown.run(FenceRequest("b", "node2")).ok


def test_failed_runs_are_retried_then_the_next_device_is_used() -> None:
    first = FenceDevice("first", "fence_x", {"pcmk_host_list": "node2"})
    second = FenceDevice("second", "fence_x", {"pcmk_host_list": "node2", "pcmk_delay_base": "3"})
    calls: list[str] = []

    def agent(req: OpRequest) -> tuple[int, int, str]:
        if req.action == "meta-data":
            return 0, EXEC_DONE, PORT_METADATA
        calls.append(req.rsc_id)
        return (1, EXEC_DONE, "") if req.rsc_id == "first" else (0, EXEC_DONE, "")

    loop = Loop(fencer(first, second), agent)
    out = loop.run(FenceRequest("a", "node2", "off", delay_s=10))
    assert out.ok and out.device == "second"
    assert calls == ["first", "first", "second"]  # two runs (default retries), then next
    fence_runs = [r for r in loop.ran if r.meta["fence_step"] == "fence"]
    # the requested delay on the first device only; 1 s before a retry; device delays
    assert [r.start_delay_ms for r in fence_runs] == [10_000, 1000, 3000]


def test_timeout_is_not_retried_and_failure_is_reported() -> None:
    dev = FenceDevice("d", "fence_x", {"pcmk_host_check": "none", "pcmk_off_timeout": "5"})
    agent = metadata_agent(PORT_METADATA, off=(1, EXEC_TIMEOUT, ""))
    loop = Loop(fencer(dev), agent)
    out = loop.run(FenceRequest("a", "node2", "off"))
    assert not out.ok and out.exec_status == EXEC_TIMEOUT and out.device == "d"
    assert [s[1] for s in loop.steps()].count("fence") == 1
    assert loop.ran[-1].timeout_ms == 5000
    event = out.event()
    assert event.state == "failed" and event.delegate == "node1"
    assert event.exit_reason == "Fence agent did not complete within 5s"
    assert out.agent_error == "boom"


def test_never_fences_itself_and_skips_devices_without_metadata() -> None:
    dev = FenceDevice("d", "fence_x", {"pcmk_host_check": "none"})
    loop = Loop(fencer(dev), metadata_agent(PORT_METADATA))
    out = loop.run(FenceRequest("a", "node1", "reboot"))
    assert not out.ok and out.exec_status == EXEC_NO_FENCE_DEVICE
    assert out.event().delegate is None and out.event().exit_reason == ""

    def broken(req: OpRequest) -> tuple[int, int, str]:
        return (1, EXEC_DONE, "") if req.action == "meta-data" else (0, EXEC_DONE, "")

    # without meta-data the device is still used (capabilities unknown): check "none"
    loop = Loop(fencer(FenceDevice("d", "fence_x", {})), broken)
    out = loop.run(FenceRequest("b", "node2", "reboot"))
    assert out.ok and loop.ran[-1].action == "reboot"
    assert loop.ran[-1].meta["stonith_host_arg"] == ""


def test_requests_are_checked_and_foreign_results_ignored() -> None:
    with pytest.raises(ValueError, match="fence action"):
        FenceRequest("a", "n", "cycle")
    f = fencer(FenceDevice("d", "fence_x", {}))
    other = OpRequest(
        rsc_id="r",
        rsc_class="ocf",
        provider="heartbeat",
        agent="Dummy",
        action="start",
        node="node1",
    )
    assert not f.on_result(OpResult(other, call_id=1, rc=0, op_status=EXEC_DONE), 0.0)
    f.fence(FenceRequest("x", "node2"), 0.0)
    with pytest.raises(ValueError, match="already running"):
        f.fence(FenceRequest("x", "node2"), 0.0)
    assert [r.op_id for r in f.pending()] == ["x"]


def test_devices_changed_during_a_query() -> None:
    old = FenceDevice("old", "fence_x", {})
    new = FenceDevice("new", "fence_x", {"pcmk_host_list": "node2"})
    f = fencer(old)
    f.fence(FenceRequest("a", "node2", "off"), 0.0)
    [meta] = f.take_requests()
    f.set_devices([new])  # "old" left the configuration while its meta-data was read
    f.on_result(OpResult(meta, call_id=1, rc=0, op_status=EXEC_DONE, output=PORT_METADATA), 1.0)
    [run] = f.take_requests()
    assert (run.rsc_id, run.action) == ("new", "off")
    f.on_result(OpResult(run, call_id=2, rc=0, op_status=EXEC_DONE), 2.0)
    [out] = f.take_outcomes()
    assert out.ok and out.device == "new"
