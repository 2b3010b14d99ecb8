"""A fencing device: parameters, meta-data, host checks, delays, timeouts, agent arguments."""

from __future__ import annotations

import random
import subprocess

import pytest

from pycrm.fencing.device import (
    AgentInfo,
    FenceDevice,
    ListState,
    after_list,
    agent_args,
    device_params,
    eligibility,
    is_pacemaker_param,
    status_says_capable,
    stdin_text,
)
from tests.fixtures.tools import require_path

PORT_AGENT = AgentInfo(
    known=True, host_arg="port", supports_list=True, supports_status=True, supports_reboot=True
)
STATUS_ONLY = AgentInfo(known=True, supports_status=True, supports_reboot=True)
NOTHING = AgentInfo(known=True)


def _metadata(agent: str) -> str:
    path = f"/usr/sbin/{agent}"
    require_path(path, f"fence-agents' {agent}")
    res = subprocess.run(
        [path, "-o", "metadata"], capture_output=True, text=True, timeout=60, check=True
    )
    return res.stdout


@pytest.mark.parametrize(
    ("name", "ours"),
    [
        ("pcmk_host_map", True),
        ("pcmk_host_list", True),
        ("pcmk_host_check", True),
        ("pcmk_host_argument", True),
        ("pcmk_delay_base", True),
        ("pcmk_delay_max", True),
        ("pcmk_action_limit", True),
        ("pcmk_off_action", True),
        ("pcmk_reboot_timeout", True),
        ("pcmk_list_retries", True),
        ("pcmk_monitor_timeout", True),
        ("provides", True),
        ("stonith-timeout", True),
        ("action", True),
        ("crm_feature_set", True),
        ("CRM_meta_timeout", True),
        ("pcmk_foo", False),
        ("ipaddr", False),
        ("port", False),
        ("login", False),
    ],
)
def test_which_parameters_pacemaker_keeps(name: str, ours: bool) -> None:
    assert is_pacemaker_param(name) is ours


def test_configured_action_is_mapped_as_the_fencer_does() -> None:
    params, warnings = device_params({"action": "off", "ipaddr": "x"})
    assert params == {"pcmk_reboot_action": "off", "ipaddr": "x"}
    assert any("Mapping action='off' to pcmk_reboot_action='off'" in w for w in warnings)
    params, _ = device_params({"action": "cycle"})
    assert params == {"pcmk_off_action": "cycle", "pcmk_reboot_action": "cycle"}
    params, _ = device_params({"action": "cycle", "pcmk_off_action": "x"})
    assert params == {"pcmk_off_action": "x", "pcmk_reboot_action": "cycle"}
    params, warnings = device_params({"action": "reboot"})
    assert params == {}
    assert any("stonith-action" in w for w in warnings)
    assert device_params({"ipaddr": "x"}) == ({"ipaddr": "x"}, [])


def test_metadata_of_packaged_agents() -> None:
    dummy = AgentInfo.from_metadata(_metadata("fence_dummy"))
    assert dummy.known and dummy.host_arg is None
    assert dummy.supports_status and dummy.supports_reboot and not dummy.supports_list
    virsh = AgentInfo.from_metadata(_metadata("fence_virsh"))
    assert virsh.host_arg == "port"
    assert virsh.supports_list and virsh.supports_status and virsh.supports_reboot
    assert not virsh.automatic_unfencing and not virsh.on_target


def test_metadata_flags() -> None:
    xml = """<resource-agent name="fence_x"><parameters>
      <parameter name="plug"/><parameter name="nodeid"/></parameters>
      <actions><action name="on" automatic="1"/><action name="off" on_target="1"/>
      <action name="list"/></actions></resource-agent>"""
    info = AgentInfo.from_metadata(xml)
    assert info.host_arg == "plug" and info.include_nodeid
    assert info.automatic_unfencing and info.on_target == {"off"}
    assert info.supports_list and not info.supports_reboot
    with pytest.raises(ValueError, match="not XML"):
        AgentInfo.from_metadata("<resource-agent")


@pytest.mark.parametrize(
    ("params", "info", "expected"),
    [
        ({}, PORT_AGENT, "dynamic-list"),
        ({}, STATUS_ONLY, "status"),
        ({}, NOTHING, "none"),
        ({"pcmk_host_list": "a b"}, PORT_AGENT, "static-list"),
        ({"pcmk_host_map": "a:1"}, PORT_AGENT, "static-list"),
        ({"pcmk_host_check": "none", "pcmk_host_list": "a"}, PORT_AGENT, "none"),
    ],
)
def test_check_type_defaults(params: dict[str, str], info: AgentInfo, expected: str) -> None:
    assert FenceDevice("d", "fence_x", params).check_type(info) == expected


def test_static_list_and_host_map() -> None:
    dev = FenceDevice("d", "fence_x", {"pcmk_host_list": "node1", "pcmk_host_map": "node2:p2"})
    kw = {"local_node": "node9"}
    assert eligibility(dev, PORT_AGENT, ListState(), "node1", "reboot", **kw) == "yes"
    assert eligibility(dev, PORT_AGENT, ListState(), "NODE2", "off", **kw) == "yes"
    assert eligibility(dev, PORT_AGENT, ListState(), "node3", "off", **kw) == "no"
    # a plug listed in the map is a target too (Pacemaker adds the map's values)
    assert eligibility(dev, PORT_AGENT, ListState(), "p2", "off", **kw) == "yes"


def test_a_node_never_fences_itself_unless_allowed() -> None:
    dev = FenceDevice("d", "fence_x", {"pcmk_host_check": "none"})
    assert eligibility(dev, PORT_AGENT, ListState(), "n1", "off", local_node="n1") == "no"
    assert eligibility(dev, PORT_AGENT, ListState(), "n1", "reboot", local_node="n1") == "no"
    allowed = eligibility(
        dev, PORT_AGENT, ListState(), "n1", "off", local_node="n1", allow_suicide=True
    )
    assert allowed == "yes"
    on_target = AgentInfo(known=True, on_target=frozenset({"on"}))
    assert eligibility(dev, on_target, ListState(), "n2", "on", local_node="n1") == "no"
    assert eligibility(dev, on_target, ListState(), "n1", "on", local_node="n1") == "yes"


def test_dynamic_list_is_run_cached_and_falls_back_to_status() -> None:
    dev = FenceDevice("d", "fence_x", {})
    kw = {"local_node": "n9"}
    state = ListState()
    assert eligibility(dev, PORT_AGENT, state, "n1", "off", now=100.0, **kw) == "list"
    state, can = after_list(dev, state, "n1", ok=True, output="n1,\nn2,\n", now=100.0)
    assert can and state.targets == ("n1", "n2")
    assert eligibility(dev, PORT_AGENT, state, "n2", "off", now=150.0, **kw) == "yes"
    assert eligibility(dev, PORT_AGENT, state, "n3", "off", now=150.0, **kw) == "no"
    # older than 60 s: listed again
    assert eligibility(dev, PORT_AGENT, state, "n2", "off", now=161.0, **kw) == "list"
    # a failed refresh keeps the last list
    state2, can = after_list(dev, state, "n2", ok=False, output="", now=161.0)
    assert can and state2.targets == ("n1", "n2")
    # a first list that fails: the implicit check becomes "status"
    fresh, can = after_list(dev, ListState(), "n1", ok=False, output="", now=1.0)
    assert not can and fresh.list_failed
    assert eligibility(dev, PORT_AGENT, fresh, "n1", "off", now=2.0, **kw) == "status"
    # ... but not an explicit dynamic-list
    explicit = FenceDevice("d", "fence_x", {"pcmk_host_check": "dynamic-list"})
    fresh, can = after_list(explicit, ListState(), "n1", ok=False, output="", now=1.0)
    assert not can and not fresh.list_failed
    # the list is matched against the target's plug
    mapped = FenceDevice(
        "d", "fence_x", {"pcmk_host_check": "dynamic-list", "pcmk_host_map": "n1:vm-1"}
    )
    _, can = after_list(mapped, ListState(), "n1", ok=True, output="vm-1,\n", now=1.0)
    assert can


def test_status_answers() -> None:
    assert status_says_capable(0, True) and status_says_capable(2, True)
    assert not status_says_capable(1, True)
    assert not status_says_capable(0, False)
    dev = FenceDevice("d", "fence_x", {})
    assert eligibility(dev, STATUS_ONLY, ListState(), "n1", "off", local_node="n2") == "status"


def test_invalid_check_type_cannot_fence() -> None:
    dev = FenceDevice("d", "fence_x", {"pcmk_host_check": "sometimes"})
    assert eligibility(dev, PORT_AGENT, ListState(), "n1", "off", local_node="n2") == "no"


def test_delays() -> None:
    dev = FenceDevice("d", "fence_x", {"pcmk_delay_base": "node1:2s;node2:10s"})
    assert dev.start_delay("off", "node1", 0) == 2
    assert dev.start_delay("reboot", "node2", 5) == 15
    assert dev.start_delay("on", "node2", 5) == 5  # only fencing actions are delayed
    assert dev.start_delay("off", "node3", 0) == 0
    assert dev.start_delay("off", "node2", -1) == 0  # -1 disables every delay
    both = FenceDevice("d", "fence_x", {"pcmk_delay_base": "2", "pcmk_delay_max": "5s"})
    seen = {both.start_delay("off", "n", 0, random.Random(seed)) for seed in range(50)}
    assert seen <= {2, 3, 4} and len(seen) > 1  # base + rand() % (max - base)
    only_max = FenceDevice("d", "fence_x", {"pcmk_delay_max": "3"})
    assert {only_max.start_delay("off", "n", 0, random.Random(s)) for s in range(50)} <= {
        0,
        1,
        2,
    }
    # a base above the maximum is limited to it
    capped = FenceDevice("d", "fence_x", {"pcmk_delay_base": "9", "pcmk_delay_max": "4"})
    assert capped.start_delay("off", "n", 0) == 4


def test_timeouts_retries_and_remap() -> None:
    dev = FenceDevice("d", "fence_x", {"pcmk_off_timeout": "90", "pcmk_reboot_retries": "4"})
    assert dev.timeout("off", 60, PORT_AGENT) == 90
    assert dev.timeout("reboot", 60, PORT_AGENT) == 60
    no_reboot = AgentInfo(known=True, supports_status=True)
    # a reboot the agent cannot do runs as "off", with the off timeout
    assert dev.agent_action("reboot", no_reboot) == "off"
    assert dev.timeout("reboot", 60, no_reboot) == 90
    assert dev.agent_action("reboot", AgentInfo()) == "reboot"  # unknown: as asked
    assert dev.retries("reboot") == 4
    assert dev.retries("off") == 2


def test_agent_arguments() -> None:
    params = {
        "pcmk_host_map": "node1:plugA",
        "pcmk_delay_base": "3",
        "ipaddr": "10.0.0.1",
        "login": "admin",
    }
    args = agent_args("fence_x", "off", params, target="node1", host_arg="port")
    assert args == {
        "action": "off",
        "nodename": "node1",
        "port": "plugA",
        "ipaddr": "10.0.0.1",
        "login": "admin",
    }
    # no metadata host argument: "port"; an explicit pcmk_host_argument wins
    assert agent_args("fence_x", "off", {}, target="n2")["port"] == "n2"
    args = agent_args("fence_x", "off", {"pcmk_host_argument": "vm"}, target="n2")
    assert args["vm"] == "n2" and "port" not in args
    args = agent_args("fence_x", "off", {"pcmk_host_argument": "none"}, target="n2")
    assert "port" not in args and args["nodename"] == "n2"
    # a configured port is passed as configured; "dynamic" means the target
    assert agent_args("fence_x", "off", {"port": "fixed"}, target="n2")["port"] == "fixed"
    assert agent_args("fence_x", "off", {"port": "dynamic"}, target="n2")["port"] == "n2"
    # pcmk_<action>_action replaces the action; nodeid when asked
    args = agent_args(
        "fence_x", "reboot", {"pcmk_reboot_action": "cycle"}, target="n2", target_nodeid="7"
    )
    assert args["action"] == "cycle" and args["nodeid"] == "7"
    # no target (monitor, list): no nodename, no port
    assert agent_args("fence_x", "monitor", params) == {
        "action": "monitor",
        "ipaddr": "10.0.0.1",
        "login": "admin",
    }
    assert stdin_text({"action": "off", "port": "p"}) == "action=off\nport=p\n"
