from __future__ import annotations

from pathlib import Path

import pytest

import cib
from cib import errors
from cib.model import Clone, Primitive

HEAD = '<cib validate-with="pacemaker-3.9" admin_epoch="0" epoch="3" num_updates="2">\n'


def doc(resources: str = "", constraints: str = "", extra: str = "") -> str:
    return (
        HEAD
        + "<configuration>\n<crm_config/>\n<nodes/>\n"
        + f"<resources>\n{resources}</resources>\n"
        + f"<constraints>\n{constraints}</constraints>\n{extra}"
        + "</configuration>\n<status/>\n</cib>\n"
    )


P1 = '<primitive id="A" class="ocf" provider="heartbeat" type="Dummy"/>\n'
P2 = '<primitive id="B" class="ocf" provider="heartbeat" type="Dummy"/>\n'


def fails(text: str, code: str) -> cib.CibError:
    with pytest.raises(cib.CibError) as info:
        cib.loads(text, source="t.xml")
    assert info.value.code == code, str(info.value)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("t.xml:")
    return info.value


def test_minimal_ok() -> None:
    c = cib.loads(doc(P1 + P2, '<rsc_order id="o" first="A" then="B"/>\n'))
    assert c.version == (0, 3, 2)
    assert c.orders[0].kind == "Mandatory" and c.orders[0].symmetrical is None


def test_malformed_xml() -> None:
    e = fails(HEAD + "<configuration>\n<nodes>\n</configuration>", errors.XML_SYNTAX)
    assert e.line is not None and e.line >= 3


def test_dangling_idref_names_line_and_id() -> None:
    e = fails(
        doc(P1, '<rsc_colocation id="c1" rsc="A" with-rsc="nope" score="10"/>\n'),
        errors.DANGLING_IDREF,
    )
    assert e.element_id == "c1" and e.line == 9
    assert str(e) == "t.xml:9: c1: with-rsc references an unknown resource 'nope'"


def test_dangling_resource_ref_in_set() -> None:
    cons = (
        '<rsc_order id="o"><resource_set id="s"><resource_ref id="A"/>'
        '<resource_ref id="Z"/></resource_set></rsc_order>\n'
    )
    fails(doc(P1, cons), errors.DANGLING_IDREF)


def test_bad_score() -> None:
    e = fails(doc(P1, '<rsc_location id="l" rsc="A" node="n1" score="lots"/>\n'), errors.BAD_SCORE)
    assert e.element_id == "l"


def test_unknown_element() -> None:
    fails(doc(P1 + "<frobnicate id='x'/>\n"), errors.UNKNOWN_ELEMENT)
    fails(doc(P1, extra="<gizmos/>\n"), errors.UNKNOWN_ELEMENT)
    fails(
        doc('<primitive id="A" class="ocf" provider="p" type="t"><bogus/></primitive>'),
        errors.UNKNOWN_ELEMENT,
    )


def test_duplicate_id() -> None:
    e = fails(doc(P1 + P1.replace('id="A"', 'id="A" ')), errors.DUPLICATE_ID)
    assert e.element_id == "A" and e.line == 7


def test_unsupported_and_missing() -> None:
    e = fails(doc('<bundle id="b"/>'), errors.INVALID)  # bundles are read; this one is empty
    assert "docker, podman or rkt" in e.message
    fails(doc('<primitive id="A" class="ocf" type="Dummy"/>'), errors.MISSING_ATTRIBUTE)
    fails(doc('<primitive class="lsb" type="x"/>'), errors.MISSING_ID)
    bad_time = (
        '<primitive id="A" class="lsb" type="x"><operations>'
        '<op id="m" name="monitor" interval="10 fortnights"/></operations></primitive>'
    )
    fails(doc(bad_time), errors.BAD_TIME)


def test_doctype_and_entities_refused() -> None:
    evil = (
        '<?xml version="1.0"?>\n<!DOCTYPE cib [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        + doc(P1).replace('type="Dummy"', 'type="&x;"')
    )
    fails(evil, errors.XML_SYNTAX)


def test_billion_laughs_refused() -> None:
    lol = (
        '<?xml version="1.0"?><!DOCTYPE cib [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><cib/>'
    )
    fails(lol, errors.XML_SYNTAX)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(cib.CibError) as info:
        cib.load(tmp_path / "nope.xml")
    assert info.value.code == errors.IO and "nope.xml:0" in str(info.value)


def test_id_ref_resolution() -> None:
    res = (
        '<primitive id="A" class="ocf" provider="heartbeat" type="Dummy">'
        '<meta_attributes id="shared"><nvpair id="s1" name="target-role" value="Stopped"/>'
        "</meta_attributes></primitive>\n"
        '<primitive id="B" class="ocf" provider="heartbeat" type="Dummy">'
        '<meta_attributes id-ref="shared"/></primitive>\n'
    )
    cons = (
        '<rsc_location id="l1" rsc="A"><rule id="r1" score="5">'
        '<expression id="e1" attribute="#uname" operation="eq" value="n1"/></rule></rsc_location>\n'
        '<rsc_location id="l2" rsc="B"><rule id-ref="r1"/></rsc_location>\n'
    )
    c = cib.loads(doc(res, cons))
    b = c.find("B")
    assert isinstance(b, Primitive)
    assert b.meta_sets[0].values == {"target-role": "Stopped"}
    assert c.locations[1].rules[0].id == "r1" and c.locations[1].rules[0].score == 5
    fails(
        doc(
            P1 + '<primitive id="B" class="lsb" type="x"><meta_attributes id-ref="gone"/>'
            "</primitive>"
        ),
        errors.DANGLING_IDREF,
    )


def test_master_and_legacy_roles() -> None:
    res = '<master id="M"><primitive id="C" class="ocf" provider="p" type="t"/></master>\n'
    cons = '<rsc_location id="l" rsc="M" role="Master" node="n1" score="+INFINITY"/>\n'
    c = cib.loads(doc(res, cons))
    m = c.find("M")
    assert isinstance(m, Clone) and m.promotable and m.legacy_master
    assert c.locations[0].role == "Promoted" and c.locations[0].score == 1_000_000


def test_error_str_format() -> None:
    e = cib.CibError("CIB_X", "bad\nthing  here", file="f.xml", line=4, element_id="r")
    assert str(e) == "f.xml:4: r: bad thing here"
    many = cib.CibErrors([e, cib.CibError("CIB_Y", "other")])
    assert many.code == "CIB_X" and len(many) == 2 and many.lines()[1] == "<string>:0: -: other"


def test_acl_and_tag_references_are_not_ids() -> None:
    extra = (
        '<acls><acl_role id="ro"><acl_permission id="ro-p" kind="read" xpath="/cib"/></acl_role>'
        '<acl_target id="A"><role id="ro"/></acl_target></acls>'
        '<tags><tag id="t1"><obj_ref id="A"/></tag></tags>\n'
    )
    c = cib.loads(doc(P1, '<rsc_location id="l" rsc="t1" node="n1" score="5"/>\n', extra))
    assert c.tags == {"t1": ["A"]}


def test_errors_pickle() -> None:
    import pickle

    e = cib.CibError("CIB_X", "m", file="f", line=2, element_id="i")
    back = pickle.loads(pickle.dumps(e))  # noqa: S301 - our own bytes
    assert (back.code, str(back)) == ("CIB_X", "f:2: i: m")
    many = pickle.loads(pickle.dumps(cib.CibErrors([e, e])))  # noqa: S301
    assert len(many) == 2 and str(many) == "f:2: i: m"
