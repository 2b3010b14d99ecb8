from __future__ import annotations

from pathlib import Path

import pytest

import cib
from cib import errors, schema
from cib.model import Primitive
from cib.validate import check_file, check_text, semantic_errors, semantic_issues
from tests.fixtures.tools import require_path

from .conftest import case_files, sample_cibs

RNG = schema.SCHEMA_DIR / "pacemaker-3.9.rng"


def doc(prim_body: str = "", constraints: str = "", meta: str = "", props: str = "") -> str:
    return f"""<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">{props}</cluster_property_set>
    </crm_config>
    <nodes><node id="1" uname="n1"/></nodes>
    <resources>
      <primitive id="A" class="ocf" provider="heartbeat" type="Dummy">{prim_body}</primitive>
      <primitive id="B" class="ocf" provider="heartbeat" type="Dummy">{meta}</primitive>
    </resources>
    <constraints>{constraints}</constraints>
  </configuration>
  <status/>
</cib>
"""


def need_schema() -> None:
    require_path(RNG, "Pacemaker's RelaxNG schemas")


@pytest.mark.parametrize("path", case_files() + sample_cibs(), ids=lambda p: p.name)
def test_reference_cibs_are_valid(path: Path) -> None:
    need_schema()
    assert check_file(path, use_schema=True) == []


def test_schema_error_like_crm_verify() -> None:
    need_schema()
    found = check_text(
        doc(constraints='<rsc_colocation id="c" rsc="A" with-rsc="B" score="abc"/>'),
        "bad.xml",
        use_schema=True,
    )
    assert len(found) == 1
    err = found[0]
    assert err.code == errors.SCHEMA and err.line == 10 and err.element_id == "c"
    assert str(err).startswith("bad.xml:10: c: element rsc_colocation: Relax-NG validity error")
    assert "Invalid attribute score" in str(err)


def test_schema_catches_dangling_idref() -> None:
    need_schema()
    found = check_text(
        doc(constraints='<rsc_order id="o" first="A" then="nope"/>'), use_schema=True
    )
    assert found[0].code == errors.SCHEMA and "nope" in found[0].message


def test_without_schema_the_parser_still_catches_it() -> None:
    found = check_text(
        doc(constraints='<rsc_order id="o" first="A" then="nope"/>'), use_schema=False
    )
    assert [e.code for e in found] == [errors.DANGLING_IDREF]


def test_schema_names_and_unavailable(tmp_path: Path) -> None:
    assert schema.schema_file("../../etc/passwd") is None
    assert schema.schema_file("pacemaker-3.9", tmp_path) == tmp_path / "pacemaker-3.9.rng"
    assert not schema.available("pacemaker-3.9", tmp_path)
    with pytest.raises(cib.CibError) as info:
        schema.load("pacemaker-3.9", tmp_path)
    assert info.value.code == errors.SCHEMA_UNAVAILABLE
    text = doc()
    assert check_text(text, use_schema=None, schema_dir=tmp_path) == []  # auto: skipped
    assert (
        check_text(text, use_schema=True, schema_dir=tmp_path)[0].code == errors.SCHEMA_UNAVAILABLE
    )
    none = text.replace('validate-with="pacemaker-3.9"', 'validate-with="none"')
    assert check_text(none, use_schema=True) == []


OPS = "<operations>{}</operations>"


def codes(text: str) -> list[str]:
    return [e.code for e in check_text(text, "t.xml", use_schema=False)]


def test_duplicate_op_is_error() -> None:
    body = OPS.format(
        '<op id="m1" name="monitor" interval="10s"/><op id="m2" name="monitor" interval="10"/>'
    )
    found = check_text(doc(body), "t.xml", use_schema=False)
    assert [e.element_id for e in found] == ["m2"]
    assert "duplicates 'm1'" in found[0].message


def test_recurring_start_is_error() -> None:
    assert codes(doc(OPS.format('<op id="s" name="start" interval="10s"/>'))) == [errors.INVALID]


def test_bad_target_role_is_error_other_meta_warns() -> None:
    meta = (
        '<meta_attributes id="bm"><nvpair id="b1" name="target-role" value="bogus"/>'
        '<nvpair id="b2" name="is-managed" value="maybe"/>'
        '<nvpair id="b3" name="priority" value="1.0"/></meta_attributes>'
    )
    c = cib.loads(doc(meta=meta), source="t.xml")
    assert [e.message for e in semantic_errors(c)] == [
        "target-role='bogus' is not a valid role value"
    ]
    assert [e.message for e in semantic_issues(c)[1]] == [
        "is-managed='maybe' is not a valid bool value"
    ]
    ok_role = meta.replace("bogus", "started")  # Pacemaker reads roles case-insensitively
    assert semantic_errors(cib.loads(doc(meta=ok_role))) == []


def test_bad_cluster_option_is_error() -> None:
    props = '<nvpair id="p1" name="no-quorum-policy" value="bogus"/>'
    assert codes(doc(props=props)) == [errors.BAD_VALUE]


def test_self_constraints_and_demote_are_warnings() -> None:
    cons = (
        '<rsc_colocation id="c" rsc="A" with-rsc="A" score="10"/>'
        '<rsc_order id="o" first="A" then="A"/>'
    )
    body = OPS.format('<op id="m" name="monitor" interval="10s" on-fail="demote"/>')
    c = cib.loads(doc(body, cons))
    assert semantic_errors(c) == []
    assert sorted(str(e.element_id) for e in semantic_issues(c)[1]) == ["c", "m", "o"]


def test_bad_rsc_pattern() -> None:
    cons = '<rsc_location id="l" rsc-pattern="([" node="n1" score="5"/>'
    assert codes(doc(constraints=cons)) == [errors.BAD_VALUE]


def test_check_file_io_and_syntax(tmp_path: Path) -> None:
    assert check_file(tmp_path / "missing.xml")[0].code == errors.IO
    bad = tmp_path / "bad.xml"
    bad.write_text("<cib><configuration>")
    assert check_file(bad)[0].code == errors.XML_SYNTAX


def test_unparsable_date_spec_is_a_warning() -> None:
    cons = (
        '<rsc_location id="l" rsc="A"><rule id="r" score="5"><date_expression id="d" '
        'operation="date_spec"><date_spec id="ds" hours="9 - 17"/></date_expression></rule>'
        "</rsc_location>"
    )
    c = cib.loads(doc(constraints=cons))
    assert semantic_errors(c) == []
    assert [e.element_id for e in semantic_issues(c)[1]] == ["ds"]


def test_iso_timeout_is_ignored_like_pacemaker() -> None:
    body = OPS.format('<op id="m" name="monitor" interval="PT10S" timeout="PT30S"/>')
    c = cib.loads(doc(body))
    prim = c.find("A")
    assert prim is not None and isinstance(prim, Primitive)
    op = prim.ops[0]
    assert (op.interval_ms, op.timeout_ms, op.extra) == (10_000, None, {"timeout": "PT30S"})
    assert semantic_errors(c) == []
    assert [e.code for e in semantic_issues(c)[1]] == [errors.BAD_TIME]
