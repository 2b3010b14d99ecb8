from __future__ import annotations

from pathlib import Path

import pytest

import cib
from cib.model import Clone, Group, Primitive
from tests.fixtures.tools import require, require_path

from .conftest import CASES_DIR, SAMPLES_DIR, case_files, sample_cibs


def _need_cases() -> None:
    require_path(CASES_DIR, "the stored Pacemaker scheduler cases")


def test_sixty_cases_present() -> None:
    _need_cases()
    assert len(case_files()) == 60


# Without the shared directory there is nothing to parametrize over: one
# placeholder keeps the test (and its require) instead of pytest's silent
# "empty parameter set" skip.
@pytest.mark.parametrize(
    "path", case_files() + sample_cibs() or [None], ids=lambda p: p.name if p else "missing"
)
def test_parses(path: Path | None) -> None:
    require(path is not None, f"needs the CIBs in {CASES_DIR} and {SAMPLES_DIR}")
    assert path is not None
    c = cib.load(path)
    assert c.source == str(path)
    assert c.validate_with is not None and c.validate_with.startswith("pacemaker-")
    ids = [p.id for p in c.primitives()]
    assert len(ids) == len(set(ids))
    for p in c.primitives():
        assert c.find(p.id) is p
    for loc in c.locations:
        assert loc.rsc is None or c.find(loc.rsc) is not None


def _load(name: str) -> cib.Cib:
    _need_cases()
    return cib.load(CASES_DIR / f"{name}.xml")


def test_promotable_clone_meta() -> None:
    c = _load("promoted-3")
    clone = c.find("rsc1")
    assert isinstance(clone, Clone) and clone.promotable and not clone.legacy_master
    assert isinstance(clone.child, Primitive) and clone.child.id == "child_rsc1"
    assert c.parents("child_rsc1") == [clone]
    loc = c.locations[0]
    assert [r.role for r in loc.rules] == ["Promoted", "Promoted"]
    assert loc.rules[1].score == -1_000_000
    expr = loc.rules[0].expressions[0]
    assert expr.attribute == "#uname" and expr.value == "node2"  # type: ignore[union-attr]


def test_score_attribute_rule_and_transient_attrs() -> None:
    c = _load("attrs8")
    rule = c.locations[0].rules[0]
    assert rule.score is None and rule.score_attribute == "pingd"
    assert c.status["node2"].transient["pingd"] == "400"
    assert c.status["node1"].online
    assert [s.id for s in c.crm_config] == ["no-stonith", "cib-bootstrap-options"]
    assert c.crm_config[0].values == {"stonith-enabled": "false"}
    assert c.version == (0, 1, 1)


def test_status_op_history() -> None:
    c = _load("rec-rsc-2")
    ops = next(iter(c.status.values())).resources["rsc1"].ops
    mon = next(o for o in ops if o.operation == "monitor")
    assert (mon.interval_ms, mon.rc_code, mon.op_status, mon.target_rc) == (1, 1, 4, 0)
    assert mon.call_id == 2 and mon.operation_key == "rsc1_monitor_1"


def test_ops_and_orders() -> None:
    c = _load("monitor-onfail-stop")
    prim = next(p for p in c.primitives() if p.ops)
    mon = prim.ops[0]
    assert (mon.name, mon.interval_ms, mon.timeout_ms, mon.on_fail) == (
        "monitor",
        20000,
        30000,
        "stop",
    )
    o = _load("order-optional").orders[0]
    assert (o.first, o.then, o.kind, o.first_action, o.then_action) == (
        "rsc1",
        "rsc2",
        "Optional",
        "start",
        "start",
    )
    col = _load("coloc-group").colocations[0]
    assert (col.rsc, col.with_rsc, col.score) == ("group1", "rsc1", 1_000_000)
    g = _load("coloc-group").find("group1")
    assert isinstance(g, Group) and c is not None


def test_demo_sample_structure(shared_dir: Path) -> None:
    path = shared_dir / "reference/tool-output-samples/pcmk_demo_cib_running.xml"
    c = cib.load(path)
    clone = c.find("drbd-data-clone")
    assert isinstance(clone, Clone) and clone.promotable
    web = c.find("web")
    assert isinstance(web, Group)
    assert [p.id for p in web.children] == ["fs-data", "ClusterIP", "WebSite"]
    assert c.parents("WebSite") == [web]
    assert c.parent("web") is None
    drbd = c.find("drbd-data")
    assert isinstance(drbd, Primitive)
    assert drbd.agent == "ocf:linbit:drbd"
    assert [(o.role, o.interval_ms) for o in drbd.ops] == [
        ("Promoted", 29000),
        ("Unpromoted", 31000),
    ]
    assert c.colocations[0].with_rsc_role == "Promoted"
    assert c.orders[0].first_action == "promote" and c.orders[0].then_action == "start"
    assert [p.id for p in c.primitives()][:2] == ["drbd-data", "fs-data"]
