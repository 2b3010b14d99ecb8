"""Bundles: what a ``<bundle>`` expands to, where its parts go, how crm_mon would list it."""

from __future__ import annotations

import cib
from cib.model import Bundle
from pycrm.scheduler import schedule
from pycrm.simulate.text import status_block
from pycrm.simulate.view import build_tree
from tests.unit.scheduler.cibtext import make, make_text, node_state, prim


def _bundle(replicas: str = 'replicas="2"', inside: str = "") -> str:
    return (
        f'<bundle id="web"><docker image="pcmk:http" {replicas}/>'
        '<network ip-range-start="192.168.122.131" host-interface="eth0" host-netmask="24">'
        '<port-mapping id="web-port" port="80"/></network>'
        f"{inside}</bundle>"
    )


_HTTPD = '<primitive id="httpd" class="ocf" provider="heartbeat" type="apache"/>'


def test_bundle_is_read() -> None:
    c = make(_bundle(inside=_HTTPD), node_state("n1"))
    bundle = c.find("web")
    assert isinstance(bundle, Bundle)
    assert (bundle.agent, bundle.image, bundle.replicas) == ("docker", "pcmk:http", 2)
    assert bundle.ports == [("80", "80")]
    assert bundle.child is not None and bundle.child.id == "httpd"
    assert c.bundle_of("httpd") is bundle


def test_replicas_default_to_promoted_max() -> None:
    c = make(_bundle('promoted-max="3"'), node_state("n1"))
    bundle = c.find("web")
    assert isinstance(bundle, Bundle) and (bundle.replicas, bundle.promoted_max) == (3, 3)
    c = make(_bundle('replicas="many"'), node_state("n1"))
    bundle = c.find("web")
    assert isinstance(bundle, Bundle) and bundle.replicas == 1  # a bad value means the default


def test_new_bundle_starts_each_replica_on_its_own_node() -> None:
    t = schedule(make(_bundle(inside=_HTTPD), node_state("n1") + node_state("n2")))
    starts = {(line.rsc, line.to_node) for line in t.summary if line.verb == "Start"}
    # containers placed like clone instances, address and connection with their container,
    # the primitive's instances each inside its own replica
    assert starts == {
        ("web-docker-0", "n1"),
        ("web-docker-1", "n2"),
        ("web-ip-192.168.122.131", "n1"),
        ("web-ip-192.168.122.132", "n2"),
        ("web-0", "n1"),
        ("web-1", "n2"),
        ("httpd:0", "web-0"),
        ("httpd:1", "web-1"),
    }
    nodes = {n.name: n.kind for n in t.nodes}
    assert nodes["web-0"] == nodes["web-1"] == "guest"


def test_address_starts_before_container_and_connection_after() -> None:
    t = schedule(make(_bundle(inside=_HTTPD), node_state("n1") + node_state("n2")))
    index = {(a.rsc, a.task, a.node): i for i, a in enumerate(t.actions)}
    ip = index[("web-ip-192.168.122.131", "start", "n1")]
    container = index[("web-docker-0", "start", "n1")]
    connection = index[("web-0", "start", "n1")]
    instance = index[("httpd:0", "start", "web-0")]
    assert ip < container < connection < instance


def test_other_resources_never_run_on_a_bundle_node() -> None:
    resources = _bundle(inside=_HTTPD) + prim("other")
    constraints = '<rsc_location id="l" rsc="other" node="web-0" score="INFINITY"/>'
    t = schedule(make(resources, node_state("n1") + node_state("n2"), constraints=constraints))
    other = next(s for s in t.target if s.id == "other")
    assert other.nodes and other.nodes[0] in ("n1", "n2")


def test_bundle_without_primitive_runs_bare_containers() -> None:
    t = schedule(make(_bundle(), node_state("n1") + node_state("n2")))
    starts = {line.rsc for line in t.summary if line.verb == "Start"}
    assert starts == {
        "web-docker-0",
        "web-docker-1",
        "web-ip-192.168.122.131",
        "web-ip-192.168.122.132",
    }
    assert all(n.kind == "cluster" for n in t.nodes)


def test_status_lists_one_line_per_replica_with_its_address() -> None:
    text = make_text(_bundle(inside=_HTTPD), node_state("n1") + node_state("n2"))
    c = cib.loads(text, "test.xml")
    t = schedule(c)
    lines = status_block("Revised", t.nodes, build_tree(c, t.target), revised=True)
    joined = "\n".join(lines)
    assert "* Container bundle set: web [pcmk:http]:" in joined
    assert "* web-0 (192.168.122.131)\t(ocf:heartbeat:apache):\t Started n1" in joined
    assert "* web-1 (192.168.122.132)\t(ocf:heartbeat:apache):\t Started n2" in joined
    assert "GuestOnline: [ web-0 web-1 ]" in joined
