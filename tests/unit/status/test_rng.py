"""`pycrm status --output-as=xml` validates against the installed api-result-2.25.rng.

Checked on every scheduler case, every daemon-like scenario (with the snapshot a daemon
sends: answering node, membership, DC from the daemon) and random clusters.
"""

from __future__ import annotations

import time
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

import cib
from pycrm.simulate.cibspec import to_xml
from pycrm.status import xmlout
from pycrm.status.collect import collect
from pycrm.status.snapshot import DaemonSnapshot, LastChange
from tests.fixtures.tools import require_path
from tests.support.cibgen import Generated, clusters
from tests.support.statuscib import SCENARIOS, scenario_xml
from tests.unit.status.golden import CASES_DIR, RNG, case_names, crm_mon, status_of


@cache
def _schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(RNG)))


def _assert_valid(document: str) -> None:
    require_path(RNG, "Pacemaker's API schema")
    schema = _schema()
    doc = etree.fromstring(document.encode())
    assert schema.validate(doc), schema.error_log.filter_from_errors()


def test_the_schema_accepts_crm_mon_itself() -> None:
    """The validator set-up is right: crm_mon's own output passes, a broken one does not."""
    path = CASES_DIR / "promoted-3.xml"
    _assert_valid(crm_mon(path, "--output-as=xml"))
    broken = crm_mon(path, "--output-as=xml").replace('<status code="0"', '<status cod="0"')
    assert not _schema().validate(etree.fromstring(broken.encode()))


@pytest.mark.parametrize("name", case_names())
def test_scheduler_cases_validate(name: str) -> None:
    st = status_of((CASES_DIR / f"{name}.xml").read_bytes())
    _assert_valid(xmlout.render(st, "pycrm status --output-as=xml"))


def _daemon_snapshot(model: cib.model.Cib) -> DaemonSnapshot:
    names = [n.uname for n in model.nodes]
    return DaemonSnapshot(
        cluster_name="web",
        stack="pycrm",
        local_node=names[0] if names else None,
        dc=names[-1] if names else None,
        dc_version="0.1.0",
        have_quorum=False,
        last_updated=time.time(),
        membership={**{n: "member" for n in names}, "node9": "lost", "node8": "member"},
        last_change=LastChange(time=1_700_000_000.0, user="root", client="pycrm", origin="n"),
        cib_version=model.version,
    )


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_daemon_like_cibs_validate(name: str) -> None:
    model = cib.loads(scenario_xml(name))
    _assert_valid(xmlout.render(collect(model, _daemon_snapshot(model)), "pycrm status"))


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(gen=clusters())
def test_random_clusters_validate(gen: Generated) -> None:
    model = cib.loads(to_xml(gen.spec).encode())
    _assert_valid(xmlout.render(collect(model, _daemon_snapshot(model)), "pycrm status"))
