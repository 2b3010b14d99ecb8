"""Host lists, host maps and delay maps, parsed as Pacemaker 2.1.5's fencer parses them."""

from __future__ import annotations

import pytest

from pycrm.fencing.targets import (
    contains,
    lookup,
    parse_delay_map,
    parse_host_map,
    parse_targets,
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, []),
        ("", []),
        ("node1 node2", ["node1", "node2"]),
        ("node1,node2;node3\tnode4", ["node1", "node2", "node3", "node4"]),
        ("node1,,  ;node2", ["node1", "node2"]),
        # the list output of fence-agents: "plug,alias" per line
        ("ns-a,\nns-b,alias-b\n", ["ns-a", "ns-b", "alias-b"]),
        # an escaped newline ends a line too (the fencer API escapes newlines)
        ("a\\nb", ["a", "b"]),
        # status words are dropped, whatever their case
        ("vm1 ON\nvm2 off", ["vm1", "vm2"]),
        # complaints about parameters are skipped whole
        ("Parse error: invalid option\nnode1", ["node1"]),
        ("undefined variable x\nnode2", ["node2"]),
        # an entry stops at its first character outside [a-zA-Z0-9_.-]
        ("node1:plug1 node-2.example", ["node1", "node-2.example"]),
        ("@bad node3", ["node3"]),
    ],
)
def test_parse_targets(spec: str | None, expected: list[str]) -> None:
    assert parse_targets(spec) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, {}),
        ("node1:plug1;node2:plug2", {"node1": "plug1", "node2": "plug2"}),
        ("node1=1 node2=2\tnode3=3", {"node1": "1", "node2": "2", "node3": "3"}),
        # the value can hold commas (several plugs)
        ("node1:1,2;node2:3", {"node1": "1,2", "node2": "3"}),
        # a backslash escapes a delimiter and disappears from the value
        ("node1:a\\;b;node2:c", {"node1": "a;b", "node2": "c"}),
        # a name without a value is not a mapping
        ("node1;node2:p2", {"node2": "p2"}),
        # several assignment characters: the last name before the value wins
        ("x:node1=p1", {"node1": "p1"}),
    ],
)
def test_parse_host_map(spec: str | None, expected: dict[str, str]) -> None:
    assert parse_host_map(spec) == expected


def test_lookups_ignore_case() -> None:
    mapping = parse_host_map("Node1:p1")
    assert lookup(mapping, "node1") == "p1"
    assert lookup(mapping, "NODE1") == "p1"
    assert lookup(mapping, "node2") is None
    assert contains(["Node1"], "node1")
    assert not contains(["node10"], "node1")


@pytest.mark.parametrize(
    ("spec", "target", "expected"),
    [
        (None, "node1", None),
        ("5s", "node1", "5s"),
        ("5s", None, "5s"),
        ("node1:2s;node2:10s", "node2", "10s"),
        ("node1:2s node2:10s", "node1", "2s"),
        # a map without the target gives no delay
        ("node1:2s;node2:10s", "node3", None),
        # the mapped name is compared as a prefix, case-insensitively (strncasecmp)
        ("NODE1:3s", "node1", "3s"),
        ("node1:3s", "node10", "3s"),
        # an empty mapped value is skipped
        ("node1:;node1:4s", "node1", "4s"),
    ],
)
def test_parse_delay_map(spec: str | None, target: str | None, expected: str | None) -> None:
    assert parse_delay_map(spec, target) == expected
