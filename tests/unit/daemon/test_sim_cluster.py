"""The controller on a simulated cluster: CTS-style scenarios with audits after each step."""

from __future__ import annotations

from cib import patch
from pycrm.cluster.channel import Delivered
from tests.support.simcluster import SimCluster

NODES = ("node1", "node2", "node3")
GROUP = ("vip", "fs", "www")


def cib(
    extra_resources: str = "", extra_constraints: str = "", options: str = "", defaults: str = ""
) -> bytes:
    prims = "".join(
        f'<primitive id="{r}" class="ocf" provider="heartbeat" type="Dummy">'
        f'<operations><op id="{r}-mon" name="monitor" interval="10s"/></operations></primitive>'
        for r in GROUP
    )
    return f"""<cib validate-with="pacemaker-3.9" crm_feature_set="3.16.1" epoch="1"
  num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">
      <nvpair id="o1" name="stonith-enabled" value="false"/>{options}
    </cluster_property_set></crm_config>{defaults}
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/>
    </nodes>
    <resources><group id="web">{prims}</group>{extra_resources}</resources>
    <constraints><rsc_location id="prefer-node1" rsc="web" node="node1" score="100"/>
      {extra_constraints}</constraints>
  </configuration>
  <status/>
</cib>""".encode()


def audit(sim: SimCluster, *, rscs: tuple[str, ...] = GROUP, doubled_ok: bool = False) -> None:
    if not doubled_ok:
        assert sim.doubled() == [], sim.doubled()
    for rsc in rscs:
        assert len(sim.holders(rsc)) <= 1, f"{rsc} runs on {sim.holders(rsc)}"
    # group members run together
    holders = {frozenset(sim.holders(r)) for r in GROUP}
    assert len(holders) == 1, holders


def converged(sim: SimCluster, nodes: set[str] | None = None) -> None:
    names = nodes or sim.up
    assert len(sim.versions(names)) == 1, sim.versions(names)
    assert len(sim.digests(names)) == 1


def test_start_probes_and_starts_the_group_on_the_preferred_node() -> None:
    sim = SimCluster(cib(), NODES)
    sim.membership()
    assert sim.dcs() == {"node1"}
    for rsc in GROUP:
        assert sim.holders(rsc) == {"node1"}
    audit(sim)
    converged(sim)
    assert any("started web on node1" in line for line in sim.log), sim.log
    # every node probed every resource before anything started
    for node in NODES:
        assert set(sim.fake[node].local.history.resources) == set(GROUP)


def test_node_crash_moves_the_group_and_it_comes_back_on_return() -> None:
    sim = SimCluster(cib(), NODES)
    sim.membership()
    sim.crash("node1")
    audit(sim)
    assert sim.holders("www") == {"node2"}
    assert sim.dcs() == {"node2"}
    converged(sim)
    sim.restart("node1")
    audit(sim)
    assert sim.holders("www") == {"node1"}  # no stickiness: it goes home
    converged(sim)


def test_stickiness_keeps_it_where_it_is() -> None:
    sticky = (
        '<rsc_defaults><meta_attributes id="d"><nvpair id="d1" name="resource-stickiness"'
        ' value="1000"/></meta_attributes></rsc_defaults>'
    )
    sim = SimCluster(cib(defaults=sticky), NODES)
    sim.membership()
    sim.crash("node1")
    sim.restart("node1")
    assert sim.holders("www") == {"node2"}
    audit(sim)


def test_daemon_restart_adopts_what_runs_and_nothing_starts_twice() -> None:
    sim = SimCluster(cib(), NODES)
    sim.membership()
    assert sim.holders("vip") == {"node1"}
    sim.kill_daemon("node1")  # resources keep running on node1, unknown to the others
    # node2 now starts the group too: node1 is dead to the cluster (no fencing)
    assert sim.holders("vip") == {"node1", "node2"}
    sim.restart("node1")  # probes find vip/fs/www running: recovered to one copy
    audit(sim, doubled_ok=True)  # without fencing, the dead daemon's resources ran twice
    assert len(sim.holders("vip")) == 1
    converged(sim)


def test_minority_stops_its_resources_without_a_dc() -> None:
    extra = '<primitive id="solo" class="ocf" provider="heartbeat" type="Dummy"/>'
    loc = '<rsc_location id="solo-on-3" rsc="solo" node="node3" score="INFINITY"/>'
    sim = SimCluster(cib(extra, loc), NODES)
    sim.membership()
    assert sim.holders("solo") == {"node3"}
    sim.partition({"node1", "node2"}, {"node3"})
    # node3 alone has no quorum: it stopped solo; the majority runs it elsewhere
    assert "solo" not in sim.fake["node3"].running
    assert sim.holders("solo") == {"node2"}
    assert sim.holders("www") == {"node1"}
    assert any("stopped solo on node3" in line and "quorum lost" in line for line in sim.log)
    sim.partition(set(NODES))
    sim.advance(1)
    assert sim.holders("solo") == {"node3"}
    assert len(sim.dcs()) == 1
    converged(sim)


def test_start_failure_moves_then_failure_ban() -> None:
    xml = cib().replace(
        b'<op id="www-mon"', b'<op id="www-start" name="start" interval="0"/><op id="www-mon"'
    )
    sim = SimCluster(xml, NODES)
    sim.fake["node1"].fail[("www", "start")] = 1
    sim.membership()
    audit(sim)
    # start-failure-is-fatal: www is banned from node1, the group moves to node2
    assert sim.holders("www") == {"node2"}
    converged(sim)


def test_config_change_on_a_member_reaches_everyone() -> None:
    sim = SimCluster(cib(), NODES)
    sim.membership()
    ok = sim.ctl["node3"].submit([patch.SetNodeAttr("node1", "standby", "on")], sim.now)
    assert ok
    sim.settle()
    audit(sim)
    assert sim.holders("www") == {"node2"}
    converged(sim)


def test_rejoining_node_with_an_older_cib_takes_the_newer_one() -> None:
    sim = SimCluster(cib(), NODES)
    sim.membership()
    old = sim.ctl["node3"].live.to_bytes()
    sim.crash("node3")
    sim.ctl["node1"].submit([patch.SetClusterOption("cluster-name", "web")], sim.now)
    sim.settle()
    newer = sim.ctl["node1"].live.version
    sim.start("node3", old)
    sim.membership()
    assert sim.ctl["node3"].live.version >= newer
    converged(sim)


def test_rejoining_node_with_a_newer_config_wins() -> None:
    sim = SimCluster(cib(), NODES)
    sim.membership()
    sim.partition({"node1", "node2"}, {"node3"})
    # an admin changes the configuration on the isolated node (its local copy)
    ctl3 = sim.ctl["node3"]
    ctl3.live.apply([patch.SetClusterOption("cluster-name", "from-node3")], now=1)
    ctl3.live.apply([patch.SetClusterOption("batch-limit", "5")], now=2)
    sim.partition(set(NODES))
    sim.advance(2)
    converged(sim)
    assert b"from-node3" in sim.ctl["node1"].live.to_bytes()


def test_cascade_through_three_nodes_and_back() -> None:
    sim = SimCluster(cib(), NODES)
    sim.membership()
    sim.crash("node1")
    assert sim.holders("www") == {"node2"}
    sim.crash("node2")
    # node3 alone has no quorum (1/3): nothing may run
    assert sim.holders("www") == set()
    sim.restart("node2")
    assert len(sim.holders("www")) == 1  # quorum again: node2 or node3 (a tie of scores)
    sim.restart("node1")
    assert sim.holders("www") == {"node1"}
    audit(sim)
    converged(sim)


def test_monitor_failure_restarts_in_place_then_threshold_bans() -> None:
    defaults = (
        '<rsc_defaults><meta_attributes id="d"><nvpair id="d1" name="migration-threshold"'
        ' value="2"/><nvpair id="d2" name="failure-timeout" value="60s"/>'
        "</meta_attributes></rsc_defaults>"
    )
    sim = SimCluster(cib(defaults=defaults), NODES)
    sim.membership()
    sim.service_died("node1", "www")
    assert sim.holders("www") == {"node1"}  # recovered in place
    audit(sim)
    sim.service_died("node1", "www")
    assert sim.holders("www") == {"node2"}  # 2 failures reached migration-threshold 2
    audit(sim)
    # failure-timeout: after 60 s the failures expire and the group goes home
    sim.advance(70, step=5)
    assert sim.holders("www") == {"node1"}
    audit(sim)


def test_two_node_waits_for_all_then_survives_alone() -> None:
    xml = cib().replace(b'<node id="3" uname="node3"/>', b"")
    sim = SimCluster(xml, ("node1", "node2"), two_node=True)
    sim.up = {"node1"}
    sim.membership()
    assert sim.holders("www") == set()  # wait_for_all: never seen node2
    sim.restart("node2")
    assert sim.holders("www") == {"node1"}
    sim.crash("node1")
    assert sim.holders("www") == {"node2"}  # one of two keeps quorum


def test_shutdown_moves_resources_before_leaving() -> None:
    sim = SimCluster(cib(), NODES)
    sim.membership()
    ctl = sim.ctl["node1"]
    ctl.request_shutdown(sim.now)
    sim.settle()
    assert sim.holders("www") == {"node2"}
    assert ctl.shutdown_ready()
    sim.up.discard("node1")
    sim.membership()
    model = sim.ctl["node2"].live.model()
    assert model.status["node1"].expected == "down"  # a clean leave
    audit(sim)


def test_healed_minority_dc_joins_everyone_before_it_plans() -> None:
    """The isolated node stood for election alone (a higher term); when the partition heals
    its DC may win, but it must learn what runs where before planning anything."""
    sim = SimCluster(cib(), NODES)
    sim.membership()
    sim.partition({"node1", "node2"}, {"node3"})
    assert sim.ctl["node3"].election.term > sim.ctl["node1"].election.term
    sim.partition(set(NODES))
    sim.advance(2)
    audit(sim)
    assert sim.holders("www") == {"node1"}
    assert len(sim.dcs()) == 1
    converged(sim)


def test_a_changed_parameter_restarts_the_resource_through_its_digest() -> None:
    sim = SimCluster(cib(), NODES)
    sim.membership()
    before = sim.ctl["node1"].live.to_bytes().decode()
    config = before[before.index("<configuration>") : before.index("</configuration>") + 16]
    changed = config.replace(
        '<primitive id="www" class="ocf" provider="heartbeat" type="Dummy">',
        '<primitive id="www" class="ocf" provider="heartbeat" type="Dummy">'
        '<instance_attributes id="www-ia"><nvpair id="www-ia-fake" name="fake" value="2"/>'
        "</instance_attributes>",
    )
    assert changed != config
    sim.log.clear()
    assert sim.ctl["node2"].submit([patch.ReplaceConfiguration(changed)], sim.now)
    sim.settle()
    assert any("restarted www on node1" in line for line in sim.log), sim.log
    audit(sim)
    converged(sim)
    sim.log.clear()
    sim.advance(1)
    assert not any("restarted" in line for line in sim.log)  # the new digest is recorded


def test_a_restarted_node_that_missed_the_offer_asks_to_join() -> None:
    """The DC sees the restarted node before the node knows the DC: the offer is dropped
    (unknown term). Once the node follows the DC it asks, and joins."""
    sim = SimCluster(cib(), NODES)
    sim.membership()
    sim.crash("node1")
    audit(sim)
    sim.start("node1")
    for node in ("node2", "node3"):
        sim.ctl[node].membership(sorted(sim.up), sim.now)
    sim.settle()  # the offer reaches node1, which has no DC and no term yet
    assert "node1" not in sim.ctl["node2"].sync.joined
    sim.ctl["node1"].membership(sorted(sim.up), sim.now)
    sim.settle()
    sim.advance(5)
    assert "node1" in sim.ctl["node2"].sync.joined
    audit(sim)
    assert sim.holders("www") == {"node1"}
    converged(sim)


DEVICE = '<primitive id="fence-sim" class="stonith" type="fence_netns"/>'


def fencing_cib(options: str = "") -> bytes:
    off = b'<nvpair id="o1" name="stonith-enabled" value="false"/>'
    on = b'<nvpair id="o1" name="stonith-enabled" value="true"/>'
    return cib(extra_resources=DEVICE, options=options).replace(off, on)


def test_a_crashed_node_is_fenced_before_its_resources_move_and_rejoins_clean() -> None:
    sim = SimCluster(fencing_cib(), NODES)
    sim.membership()
    assert sim.holders("www") == {"node1"}
    sim.fake["node1"].running.discard("fence-sim")  # (wherever the device ran)
    sim.crash("node1")
    audit(sim)
    assert sim.fenced == ["node1"]
    assert sim.holders("www") == {"node2"}
    verdict = "fence node1 (reboot: peer is no longer part of the cluster), moved web to node2"
    assert any(line.startswith(verdict) for line in sim.log), sim.log
    for node in ("node2", "node3"):  # every node keeps the history the DC announced
        events = sim.ctl[node].fencing.history.events()
        assert [(e.target, e.action, e.state) for e in events] == [("node1", "reboot", "done")]
    state = sim.ctl["node2"].live.root.find("status/node_state[@uname='node1']")
    assert state is not None and state.get("expected") == "down"
    assert state.find("lrm") is None or len(state.find("lrm")) == 0
    sim.restart("node1")
    audit(sim)
    assert sim.holders("www") == {"node1"}
    converged(sim)


def test_fencing_that_keeps_failing_is_given_up_and_nothing_moves() -> None:
    sim = SimCluster(fencing_cib('<nvpair id="o3" name="stonith-max-attempts" value="3"/>'), NODES)
    sim.membership()
    sim.fence_ok = False
    sim.crash("node1")
    sim.advance(2)
    assert sim.holders("www") == set()  # node1's copy is gone, and nobody took over
    dc = sim.ctl["node2"]
    assert dc.fencing.failures("node1") == 3
    warnings = [text for _, text in dc.log]
    assert warnings.count("Too many failures (3) to fence node1, giving up") == 1
    assert any("fencing of node1 failed 3 times" in v for v in sim.log), sim.log
    failed = [e for e in dc.fencing.history.events() if e.state == "failed"]
    assert failed and all(e.target == "node1" for e in failed)
    # the administrator fixes the device: a configuration change, and fencing is tried again
    sim.fence_ok = True
    dc.submit([patch.SetClusterOption("stonith-timeout", "30s")], sim.now)
    sim.settle()
    assert sim.fenced == ["node1"] and sim.holders("www") == {"node2"}
    audit(sim)


def test_a_failed_stop_on_the_dc_has_another_node_fence_it_then_the_group_moves() -> None:
    sim = SimCluster(fencing_cib(), NODES)
    sim.membership()
    assert sim.dcs() == {"node1"} and sim.holders("www") == {"node1"}
    sim.fake["node1"].fail[("www", "stop")] = 1  # on-fail=fence with fencing enabled
    sim.ctl["node1"].submit([patch.SetNodeAttr("node1", "standby", "on")], sim.now)
    sim.settle()
    assert sim.fenced == ["node1"]  # node1 asked node2's fencer: it cannot fence itself
    assert any("(node1) must be fenced: node2 will do it" in t for _, t in sim.ctl["node1"].log)
    sim.membership()  # the survivors see node1 gone
    sim.advance(2)
    audit(sim)
    assert sim.holders("www") == {"node2"}
    converged(sim)


def test_a_node_fenced_while_still_a_member_is_not_fenced_again_when_it_leaves() -> None:
    sim = SimCluster(fencing_cib(), NODES)
    sim.membership()
    sim.ctl["node1"].submit([patch.SetNodeAttr("node1", "standby", "on")], sim.now)
    sim.settle()
    assert sim.holders("www") == {"node2"}
    sim.fake["node2"].fail[("www", "stop")] = 1
    sim.ctl["node1"].submit([patch.SetNodeAttr("node2", "standby", "on")], sim.now)
    sim.settle()
    assert sim.fenced == ["node2"]  # the DC fenced it before the membership saw it go
    sim.membership()  # now the survivors see node2 gone: it is down as recorded, not unclean
    sim.advance(2)
    audit(sim)
    assert sim.fenced == ["node2"]
    assert sim.holders("www") == {"node3"}
    converged(sim)


def test_a_node_back_with_a_newer_term_joins_the_dc_that_stayed() -> None:
    """node1 crashes; node2 becomes DC.  node1 comes back with a newer term than node2's
    (saved as it stood for election just before it died) and asks for votes in it: node2
    keeps its office in that term, and the CIB layer of every node follows the new term,
    so node1 joins and the group comes back to it."""
    sim = SimCluster(cib(), NODES)
    sim.membership()
    sim.crash("node1")
    assert sim.dcs() == {"node2"} and sim.holders("www") == {"node2"}
    sim.ctl["node1"].election.term = sim.ctl["node2"].election.term + 1
    sim.restart("node1")
    sim.advance(3)
    audit(sim)
    assert sim.dcs() == {"node2"}
    assert {sim.ctl[n].sync.term for n in NODES} == {sim.ctl["node2"].election.term}
    assert sim.ctl["node2"].sync.joined >= {"node1", "node3"}
    assert sim.holders("www") == {"node1"}
    converged(sim)


def test_a_node_back_from_its_own_minority_term_leaves_the_cluster_a_dc() -> None:
    """node2 is DC (node1 crashed and came back); node3 is cut off and makes itself DC of
    its half in a newer term, then is restarted (the fence's reboot) with that term."""
    sim = SimCluster(cib(), NODES)
    sim.membership()
    sim.crash("node1")
    sim.restart("node1")
    sim.partition({"node1", "node2"}, {"node3"})
    assert sim.ctl["node3"].election.term > sim.ctl["node2"].election.term
    sim.crash("node3")
    sim.groups = [set(NODES)]
    sim.restart("node3")
    sim.advance(3)
    audit(sim)
    assert len(sim.dcs()) == 1
    assert len({sim.ctl[n].sync.term for n in NODES}) == 1
    assert all(sim.ctl[n].sync.synced for n in NODES)
    converged(sim)


def test_a_member_that_misses_the_first_join_round_is_pending_not_fenced() -> None:
    """node3 hears nothing from the DC while the first join round runs (its announcement and
    offers are lost): the round finishes without it.  Heartbeat still shows node3 in the
    partition, so it is a pending node, as in Pacemaker -- not an unclean one to fence --
    and it joins when it learns who the DC is."""
    sim = SimCluster(fencing_cib(), NODES)
    deliver = sim.deliver

    def lossy(dst: str, msg: Delivered) -> None:
        if dst == "node3" and sim.now < 2.0:
            return
        deliver(dst, msg)

    sim.deliver = lossy  # type: ignore[method-assign]
    sim.membership()
    sim.advance(1.5)
    state = sim.ctl["node1"].live.root.find("status/node_state[@uname='node3']")
    assert state is not None and state.get("join") == "pending"
    sim.advance(3)
    assert sim.fenced == []
    assert sim.ctl["node1"].sync.joined >= {"node2", "node3"}
    audit(sim)
    converged(sim)
