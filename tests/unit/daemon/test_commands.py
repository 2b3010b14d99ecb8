"""The daemon's node-owned commands (pycrm.daemon.commands) on a simulated cluster: each runs
on the node it concerns, replies once the DC applied it, refuses what it must."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from heartbeat_compat.ipc import CommandError, Peer, Request
from pycrm.cluster.channel import Delivered
from pycrm.control.client import ControlError, call
from pycrm.daemon.commands import (
    CLEANUP_COMMAND,
    HISTORY_COMMAND,
    NODE_ATTR_COMMAND,
    NODE_REPLY,
    NODE_REQUEST,
    SETTLED_COMMAND,
    NodeCommands,
    heartbeat_parameters,
)
from pycrm.daemon.config import load_config
from tests.support.simdaemons import WALL, sim_daemons
from tests.unit.cli.transcript import CIBS, NODES


def transient(lab: Any, node: str, observer: str) -> dict[str, str]:
    status = lab.sim.ctl[observer].live.model().status.get(node)
    return dict(status.transient) if status is not None else {}


def test_a_transient_attribute_is_set_by_its_own_node(tmp_path: Path) -> None:
    with sim_daemons(tmp_path, CIBS["web"], NODES) as lab:
        answer = call(
            lab.run_dir("node1"), NODE_ATTR_COMMAND, {"node": "node3", "name": "x", "value": "1"}
        )
        assert answer["node"] == "node3" and answer["changed"] is True
        # node3's daemon owns it (a later join keeps it), every node sees it
        assert lab.sim.fake["node3"].local.attrs["x"] == "1"
        for observer in NODES:
            assert transient(lab, "node3", observer)["x"] == "1"
        again = call(
            lab.run_dir("node2"), NODE_ATTR_COMMAND, {"node": "node3", "name": "x", "value": "1"}
        )
        assert again["changed"] is False
        call(lab.run_dir("node3"), NODE_ATTR_COMMAND, {"node": "node3", "name": "x", "value": None})
        assert "x" not in lab.sim.fake["node3"].local.attrs
        assert "x" not in transient(lab, "node3", "node1")


def test_cleanup_forgets_failures_where_they_are_and_the_dc_probes_again(tmp_path: Path) -> None:
    with sim_daemons(tmp_path, CIBS["web"], NODES) as lab:
        lab.do(lambda: lab.sim.service_died("node1", "www"))
        local = lab.sim.fake["node1"].local
        assert local.attrs["fail-count-www#monitor_10000"] == "1"
        nothing = call(lab.run_dir("node2"), CLEANUP_COMMAND, {"node": "node2", "resources": None})
        assert nothing["cleaned"] == []
        answer = call(
            lab.run_dir("node2"), CLEANUP_COMMAND, {"node": "node1", "resources": ["www"]}
        )
        assert answer["cleaned"] == ["www"]
        lab.do(lambda: None)  # let the DC's probe run
        assert not any(k.startswith("fail-count-") for k in local.attrs)
        assert transient(lab, "node1", "node3") == {}
        assert lab.sim.holders("www") == {"node1"}
        assert any("monitor" in line or "www" in line for line in lab.sim.log[-3:])
        again = call(lab.run_dir("node3"), CLEANUP_COMMAND, {"node": "node1", "resources": None})
        assert again["cleaned"] == []  # the probe that found it running is no failure


def test_history_and_settled_are_the_dcs(tmp_path: Path) -> None:
    with sim_daemons(tmp_path, CIBS["web"], NODES) as lab:
        history = call(lab.run_dir("node3"), HISTORY_COMMAND, {"limit": 1})
        assert history["node"] == "node1" == history["dc"]
        assert len(history["events"]) == 1
        event = history["events"][0]
        assert event["time"] == WALL and event["kind"] == "verdict"
        settled = call(lab.run_dir("node2"), SETTLED_COMMAND, {})
        assert settled["node"] == "node1" and settled["settled"] is True
        own = call(lab.run_dir("node2"), HISTORY_COMMAND, {"node": "node2"})
        assert own["node"] == "node2" and own["events"] == []  # only the DC decides


def test_refusals_change_nothing(tmp_path: Path) -> None:
    with sim_daemons(tmp_path, CIBS["web"], NODES) as lab:
        lab.do(lambda: lab.sim.crash("node3"))
        cases = [
            (NODE_ATTR_COMMAND, {"node": "node3", "name": "x", "value": "1"}, "not-member"),
            (NODE_ATTR_COMMAND, {"node": "node2", "name": "", "value": "1"}, "bad-request"),
            (NODE_ATTR_COMMAND, {"node": "node2", "name": "x", "value": 5}, "bad-request"),
            (CLEANUP_COMMAND, {"node": "node2", "resources": "www"}, "bad-request"),
            (HISTORY_COMMAND, {"limit": -1}, "bad-request"),
        ]
        for command, args, code in cases:
            with pytest.raises(ControlError) as exc:
                call(lab.run_dir("node1"), command, args)
            assert exc.value.code == code, exc.value
        assert "x" not in lab.sim.fake["node2"].local.attrs


class _Host:
    def __init__(self) -> None:
        from tests.support.simcluster import SimCluster

        self.sim = SimCluster(CIBS["web"], NODES)
        self.sim.membership()
        self.refs = 0

    @property
    def controller(self) -> Any:
        return self.sim.ctl["node1"]

    @property
    def local(self) -> Any:
        return self.sim.fake["node1"].local

    def clock(self) -> float:
        return 0.0

    def new_ref(self) -> int:
        self.refs += 1
        return self.refs


def test_only_root_or_the_sockets_group_may_change_state() -> None:
    commands = NodeCommands(_Host())
    request = Request(NODE_ATTR_COMMAND, {"node": "node1", "name": "x"}, Peer(1, 1000, 1000), None)  # type: ignore[arg-type]
    with pytest.raises(CommandError) as exc:
        commands._node_attr(request)
    assert exc.value.code == "permission-denied"


def test_peer_messages_are_checked_and_counted() -> None:
    host = _Host()
    commands = NodeCommands(host)
    bad = [
        Delivered("node2", NODE_REQUEST, {"seq": "1", "op": "attr", "args": {}}, "node1"),
        Delivered("node2", NODE_REPLY, {"seq": None}, "node1"),
        Delivered("node2", NODE_REPLY, {"seq": 7, "ok": True, "result": {}}, "node1"),
        Delivered("stranger", NODE_REQUEST, {"seq": 1, "op": "attr", "args": {}}, "node1"),
    ]
    for msg in bad:
        assert commands.receive(msg, 0.0)
    assert commands.counters == {
        "dropped_malformed": 2,
        "dropped_unexpected_reply": 1,
        "dropped_not_member": 1,
    }
    assert not commands.receive(Delivered("node2", "exec", {}, "node1"), 0.0)
    # a peer's malformed arguments get an error reply, never an exception
    host.controller.outbox.clear()
    commands.receive(
        Delivered("node2", NODE_REQUEST, {"seq": 3, "op": "attr", "args": {"name": 5}}, "node1"),
        0.0,
    )
    kind, payload, dest = host.controller.outbox[-1]
    assert (kind, dest, payload["ok"], payload["error"]["code"]) == (
        NODE_REPLY,
        "node2",
        False,
        "bad-request",
    )


def test_the_ring_keeps_the_latest_warnings_and_verdicts() -> None:
    commands = NodeCommands(_Host(), wall=lambda: 5.0, ring=3)
    commands.observe([(20, "info line"), (30, "a warning")], ["v1", "v2", "v3"])
    assert [(e.kind, e.text) for e in commands.events] == [
        ("verdict", "v1"),
        ("verdict", "v2"),
        ("verdict", "v3"),
    ]
    commands.record("fence", "node2 was fenced (reboot)", when=9.0)
    assert commands.events[-1].to_dict() == {
        "time": 9.0,
        "kind": "fence",
        "text": "node2 was fenced (reboot)",
    }


def test_cl_status_parameters_of_a_pycrm_run_node(tmp_path: Path) -> None:
    config = tmp_path / "pycrm.toml"
    keys = tmp_path / "authkeys"
    keys.write_text("auth 1\n1 sha1 0123456789abcdef\n")
    keys.chmod(0o600)
    config.write_text(
        '[cluster]\nname = "lab"\nnodes = ["node1", "node2"]\nlocal_node = "node1"\n'
        f'state_dir = "{tmp_path}/state"\nrun_dir = "{tmp_path}/run"\n'
        '[[link]]\ntype = "ucast"\ninterface = "lo"\npeers = ["127.0.0.1"]\n'
        f'[auth]\nkeyfile = "{keys}"\n[timers]\nkeepalive = "200ms"\ndeadtime = "2s"\n'
    )
    params = heartbeat_parameters(load_config(config=config, ha_d=None))
    assert params["parameters"]["keepalive"] == "200ms"
    assert params["parameters"]["deadtime"] == "2"
    assert params["udpport"] == 694
