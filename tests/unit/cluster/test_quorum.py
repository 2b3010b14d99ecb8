"""Quorum: majority, two_node, wait_for_all (votequorum's rules)."""

from __future__ import annotations

import pytest

from pycrm.cluster.quorum import Quorum


def test_majority_of_three() -> None:
    q = Quorum(["a", "b", "c"], two_node=False, wait_for_all=False)
    assert q.needed == 2
    assert q.update(["a"]).quorate is False
    assert q.update(["a", "b"]).quorate is True
    assert q.update(["a", "b"]).text() == "quorum 2/3"
    assert q.update(["c"]).text() == "no quorum 1/3"


def test_even_cluster_needs_more_than_half() -> None:
    q = Quorum(["a", "b", "c", "d"], two_node=False, wait_for_all=False)
    assert q.update(["a", "b"]).quorate is False
    assert q.update(["a", "b", "c"]).quorate is True


def test_unknown_members_do_not_vote() -> None:
    q = Quorum(["a", "b", "c"], two_node=False, wait_for_all=False)
    assert q.update(["a", "x", "y"]).quorate is False


def test_two_node_with_wait_for_all() -> None:
    q = Quorum(["a", "b"], two_node=True, wait_for_all=True)
    first = q.update(["a"])
    assert not first.quorate and first.waiting_for_all
    assert first.text() == "waiting for all nodes 1/2"
    assert q.update(["a", "b"]).quorate
    # once both were seen, one node keeps quorum (fencing decides between them)
    assert q.update(["a"]).quorate


def test_two_node_needs_two_nodes() -> None:
    with pytest.raises(ValueError):
        Quorum(["a", "b", "c"], two_node=True, wait_for_all=True)
