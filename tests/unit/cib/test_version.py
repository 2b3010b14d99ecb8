from __future__ import annotations

import pytest
from lxml import etree

import cib
from cib.version import Version, classify_change, compare, next_version

BASE = (
    '<cib validate-with="pacemaker-3.9" admin_epoch="{a}" epoch="{e}" num_updates="{n}">'
    "<configuration><crm_config/><nodes/><resources>{r}</resources><constraints/>"
    "</configuration><status>{s}</status></cib>"
)
PRIM = '<primitive id="A" class="ocf" provider="heartbeat" type="Dummy"/>'


def root(a: int = 0, e: int = 5, n: int = 3, r: str = PRIM, s: str = "") -> etree._Element:
    return etree.fromstring(BASE.format(a=a, e=e, n=n, r=r, s=s))


def test_ordering_is_lexicographic() -> None:
    assert Version(1, 0, 0) > Version(0, 99, 99)
    assert Version(0, 2, 0) > Version(0, 1, 50)
    assert Version(0, 1, 2) > Version(0, 1, 1)
    assert compare(Version(0, 1, 1), Version(0, 1, 1)) == 0
    assert compare(Version(0, 1, 1), Version(0, 1, 2)) == -1
    assert max([Version(0, 3, 1), Version(1, 0, 0), Version(0, 9, 9)]) == Version(1, 0, 0)


def test_bumps() -> None:
    v = Version(2, 5, 3)
    assert v.bump_config() == Version(2, 6, 0)
    assert v.bump_status() == Version(2, 5, 4)
    assert v.bump_admin() == Version(3, 5, 3)
    assert str(v) == "2.5.3" and Version.parse("2.5.3") == v
    with pytest.raises(ValueError):
        Version.parse("1.2")


def test_of_model_and_apply() -> None:
    r = root()
    assert Version.of(cib.loads(etree.tostring(r))) == Version(0, 5, 3)
    Version(1, 2, 3).apply(r)
    assert (r.get("admin_epoch"), r.get("epoch"), r.get("num_updates")) == ("1", "2", "3")


def test_classify_and_next_version() -> None:
    old = root()
    assert classify_change(old, root()) == "none"
    spaced = etree.fromstring(BASE.format(a=0, e=5, n=3, r="\n  " + PRIM + "\n", s=""))
    assert classify_change(old, spaced) == "none"  # whitespace is not a change
    assert classify_change(old, root(e=9, n=0)) == "none"  # bookkeeping only
    changed = root(r=PRIM.replace("Dummy", "Stateful"))
    assert classify_change(old, changed) == "configuration"
    assert next_version(old, changed) == Version(0, 6, 0)
    status = root(s='<node_state id="1" uname="n1" in_ccm="true"/>')
    assert classify_change(old, status) == "status"
    assert next_version(old, status) == Version(0, 5, 4)
    assert next_version(old, root()) == Version(0, 5, 3)
    admin = root(a=1, e=0, n=0)
    assert next_version(old, admin) == Version(1, 0, 0)
