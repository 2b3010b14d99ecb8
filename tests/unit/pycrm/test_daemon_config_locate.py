"""The TOML key locator: tables, arrays of tables, dotted and quoted keys, values to skip."""

from __future__ import annotations

import tomllib

from pycrm.daemon.config_locate import locate

DOC = '''\
# a comment with key = value and [table]
top = 1

[cluster]
name = "web = [x]"   # a string that looks like a key and a table
nodes = [
  "a",   # comment inside an array
  "b",
]
motd = """
not_a_key = 1
[not_a_table]
"""
"quoted key" = 'x'
dotted.inner = 3

[[link]]
type = "ucast"
peers = ["1", "2"]

[[link]]
type = "bcast"
extra = { a = 1, b = [1,
  2] }
after = true

[ping.groups]
uplink = ["10.0.0.1"]
'''


def test_doc_is_valid_toml() -> None:
    tomllib.loads(DOC)


def test_lines_of_tables_and_keys() -> None:
    loc = locate(DOC)
    assert loc.exact(("top",)) == 2
    assert loc.exact(("cluster",)) == 4
    assert loc.exact(("cluster", "name")) == 5
    assert loc.exact(("cluster", "nodes")) == 6
    assert loc.exact(("cluster", "motd")) == 10
    assert loc.exact(("cluster", "quoted key")) == 14
    assert loc.exact(("cluster", "dotted")) == 15
    assert loc.exact(("cluster", "dotted", "inner")) == 15
    assert loc.exact(("link", 0)) == 17
    assert loc.exact(("link", 0, "peers")) == 19
    assert loc.exact(("link", 1)) == 21
    assert loc.exact(("link", 1, "type")) == 22
    assert loc.exact(("link", 1, "extra")) == 23
    assert loc.exact(("link", 1, "after")) == 25
    assert loc.exact(("ping", "groups")) == 27
    assert loc.exact(("ping", "groups", "uplink")) == 28


def test_values_are_not_keys() -> None:
    loc = locate(DOC)
    assert loc.exact(("cluster", "not_a_key")) is None
    assert loc.exact(("not_a_table",)) is None
    assert loc.exact(("link", 1, "a")) is None


def test_unknown_paths_fall_back_to_the_closest_parent() -> None:
    loc = locate(DOC)
    assert loc.line(("link", 1, "missing")) == 21
    assert loc.line(("cluster", "dotted", "other")) == 15
    assert loc.line(("nowhere", "x")) == 0


def test_nested_arrays_of_tables_count_per_parent() -> None:
    text = "[[a]]\n[[a.b]]\n[[a.b]]\nx = 1\n[[a]]\n[[a.b]]\ny = 2\n"
    tomllib.loads(text)
    loc = locate(text)
    assert loc.exact(("a", 0, "b", 1, "x")) == 4
    assert loc.exact(("a", 1, "b", 0, "y")) == 7


def test_multiline_literal_and_escaped_quotes() -> None:
    text = "[t]\na = '''\nb = 1\n'''\nc = \"x\\\"y = 2\"\nd = 4\n"
    tomllib.loads(text)
    loc = locate(text)
    assert loc.exact(("t", "b")) is None
    assert loc.exact(("t", "c")) == 5
    assert loc.exact(("t", "d")) == 6
