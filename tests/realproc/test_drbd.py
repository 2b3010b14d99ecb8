"""ocf:pycrm:drbd against the DRBD SIMULATOR (tests/drbdsim: not DRBD).

The kernel here cannot load the drbd module; the simulator stands in for
drbdadm/drbdsetup and the agent runs unchanged. Two simulated nodes, alice
and bob, share resource r0.
"""

from __future__ import annotations

import subprocess

from tests.fixtures.drbdsim import DrbdSim
from tests.fixtures.tools import InstalledAgents, require_path, require_tool

R0 = {"drbd_resource": "r0", "drbdconf": ""}


def call(agents: InstalledAgents, sim: DrbdSim, node: str, action: str, **kw: object) -> int:
    res = agents.run("drbd", action, R0, extra_env=sim.env(node), **kw)  # type: ignore[arg-type]
    return res.rc


def test_lifecycle_roles_and_monitor_codes(
    drbdsim: DrbdSim, installed_agents: InstalledAgents
) -> None:
    a = installed_agents
    assert call(a, drbdsim, "alice", "monitor") == 7  # probe of a stopped resource
    assert call(a, drbdsim, "alice", "start") == 0
    assert call(a, drbdsim, "bob", "start") == 0
    assert drbdsim.node("r0", "alice")["role"] == "Secondary"
    assert call(a, drbdsim, "alice", "monitor", interval_ms=20000) == 0
    assert call(a, drbdsim, "alice", "promote") == 0
    assert call(a, drbdsim, "alice", "monitor", interval_ms=10000) == 8
    assert call(a, drbdsim, "alice", "promote") == 0  # idempotent
    assert call(a, drbdsim, "alice", "demote") == 0
    assert call(a, drbdsim, "alice", "demote") == 0
    assert call(a, drbdsim, "alice", "monitor", interval_ms=20000) == 0
    assert call(a, drbdsim, "alice", "stop") == 0
    assert call(a, drbdsim, "alice", "stop") == 0
    assert call(a, drbdsim, "alice", "monitor", interval_ms=20000) == 7


def test_second_primary_is_refused_while_connected(
    drbdsim: DrbdSim, installed_agents: InstalledAgents
) -> None:
    a = installed_agents
    for node in ("alice", "bob"):
        assert call(a, drbdsim, node, "start") == 0
    assert call(a, drbdsim, "alice", "promote") == 0
    params = {**R0, "fail_promote_early_if_peer_primary": "true"}
    res = a.run("drbd", "promote", params, extra_env=drbdsim.env("bob"))
    assert res.rc == 1 and "Primary" in res.reason
    assert drbdsim.node("r0", "bob")["role"] == "Secondary"


def test_promote_needs_uptodate_data(drbdsim: DrbdSim, installed_agents: InstalledAgents) -> None:
    a = installed_agents
    assert call(a, drbdsim, "alice", "start") == 0
    drbdsim.disk("r0", "alice", "Outdated")
    res = a.run("drbd", "promote", R0, extra_env=drbdsim.env("alice"), timeout_ms=5000)
    assert res.rc == 1 and "UpToDate" in res.reason


def test_primary_losing_its_disk_is_failed_promoted(
    drbdsim: DrbdSim, installed_agents: InstalledAgents
) -> None:
    a = installed_agents
    assert call(a, drbdsim, "alice", "start") == 0
    assert call(a, drbdsim, "alice", "promote") == 0
    drbdsim.disk("r0", "alice", "Diskless")
    assert call(a, drbdsim, "alice", "monitor", interval_ms=10000) == 9


def test_split_brain_leaves_both_standalone(
    drbdsim: DrbdSim, installed_agents: InstalledAgents
) -> None:
    a = installed_agents
    for node in ("alice", "bob"):
        assert call(a, drbdsim, node, "start") == 0
    drbdsim.link("r0", False)
    assert call(a, drbdsim, "alice", "promote") == 0
    assert call(a, drbdsim, "bob", "promote") == 0  # disconnected: both write
    drbdsim.link("r0", True)
    assert drbdsim.world()["resources"]["r0"]["split_brain"] is True
    out = subprocess.run(
        ["drbdsetup", "events2", "--now", "r0"],
        env=drbdsim.env("alice"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "connection:StandAlone" in out
    # Both still report Primary; the cluster's job is to demote one and resolve.
    assert call(a, drbdsim, "alice", "monitor", interval_ms=10000) == 8


def test_missing_module_is_not_installed_but_probe_says_stopped(
    drbdsim: DrbdSim, installed_agents: InstalledAgents
) -> None:
    from tests.drbdsim import sim

    sim.set_kernel(drbdsim.state, False)
    a = installed_agents
    assert call(a, drbdsim, "alice", "monitor") == 7
    assert call(a, drbdsim, "alice", "start") == 5
    assert call(a, drbdsim, "alice", "stop") == 0


def test_clone_without_notify_is_misconfigured(
    drbdsim: DrbdSim, installed_agents: InstalledAgents
) -> None:
    env = {
        **drbdsim.env("alice"),
        "OCF_RESKEY_CRM_meta_clone_max": "2",
        "OCF_RESKEY_CRM_meta_notify": "false",
    }
    res = installed_agents.run("drbd", "start", R0, extra_env=env)
    assert res.rc == 6 and "notify=true" in res.reason


def test_ocf_tester_passes(drbdsim: DrbdSim, installed_agents: InstalledAgents) -> None:
    require_tool("ocf-tester")
    require_path("/usr/share/resource-agents/ra-api-1.dtd", "resource-agents' DTD")
    argv = [
        "ocf-tester",
        "-n",
        "r0",
        "-o",
        "drbd_resource=r0",
        "-o",
        "drbdconf=",
        str(installed_agents.path("drbd")),
    ]
    env = {**drbdsim.env("alice")}
    res = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "passed all tests" in res.stdout
