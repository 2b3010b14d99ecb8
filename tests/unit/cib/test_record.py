"""cib._record: hand-written value classes keep the semantics of the dataclasses they replaced."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError

import pytest

from cib.model import Cib, Expression, NvSet, Op
from pycrm.scheduler.state import WRsc
from pycrm.scheduler.types import Action


def test_frozen_value_class() -> None:
    a = Op(id="o1", name="monitor", interval_ms=10000)
    b = Op("o1", "monitor", 10000)
    assert a == b and a != Op("o2", "monitor", 10000)
    e = Expression("e", "#uname", "eq", "n1")
    assert hash(e) == hash(Expression("e", "#uname", "eq", "n1")) and {e} == {copy.copy(e)}
    with pytest.raises(TypeError):
        hash(a)  # list fields: unhashable, as with the dataclass
    assert repr(a).startswith("Op(id='o1', name='monitor', interval_ms=10000, ")
    assert a.instance_sets == [] and a.instance_sets is not b.instance_sets  # fresh default
    with pytest.raises(FrozenInstanceError):
        a.name = "start"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del a.name
    assert pickle.loads(pickle.dumps(a)) == a and copy.deepcopy(a) == a  # noqa: S301 (own data)
    assert not hasattr(a, "__dict__")
    with pytest.raises(TypeError):
        hash(NvSet(id="n", kind="meta", values={"a": "1"}))  # a dict field: unhashable, as before


def test_hidden_fields_and_mutable_classes() -> None:
    c = Cib(validate_with=None, admin_epoch=0, epoch=1, num_updates=2)
    assert "_index" not in repr(c) and c == Cib(None, 0, 1, 2)
    act = Action(id="a", rsc="r", task="start", node="n1")
    act.optional = True
    assert act == Action("a", "r", "start", "n1", optional=True)
    with pytest.raises(TypeError):
        hash(act)
    parent = WRsc(id="g", variant="group", base_id="g", config_id="g")
    child = WRsc(id="c", variant="primitive", base_id="c", config_id="c", parent=parent)
    parent.children.append(child)
    assert child != WRsc(
        id="c", variant="primitive", base_id="c", config_id="c"
    )  # identity equality
    assert "parent=WRsc(id='g'" in repr(child) and "children=[...]" in repr(child)
