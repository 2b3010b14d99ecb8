"""Time, boolean and integer lexing exactly like cluster-glue."""

from __future__ import annotations

import pytest

from heartbeat_compat.config.lexer import (
    c_atoi,
    parse_boolean,
    parse_msec,
    split_options,
    split_words,
)


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("1", 1000),
        ("30", 30000),
        ("1000ms", 1000),
        ("1000msec", 1000),
        ("250MS", 250),
        ("1000000us", 1000),
        ("1000usec", 1),
        ("0.1", 100),
        ("0.001", 1),
        ("499us", 0),
        ("501us", 1),
        ("1.5", 1500),
        (".5", 500),
        ("1 ms", 1),
        ("  2", 2000),
        ("0", 0),
        ("1.2.3", 1200),
    ],
)
def test_parse_msec_valid(text: str, ms: int) -> None:
    assert parse_msec(text) == ms


@pytest.mark.parametrize("text", ["2s", "2sec", "1min", "abc", "-1", "1h", "1e3", "x1"])
def test_parse_msec_invalid(text: str) -> None:
    assert parse_msec(text) is None


@pytest.mark.parametrize("word", ["true", "ON", "Yes", "y", "1"])
def test_boolean_true(word: str) -> None:
    assert parse_boolean(word) is True


@pytest.mark.parametrize("word", ["false", "OFF", "no", "N", "0"])
def test_boolean_false(word: str) -> None:
    assert parse_boolean(word) is False


@pytest.mark.parametrize("word", ["enable", "2", "", "legacy"])
def test_boolean_invalid(word: str) -> None:
    assert parse_boolean(word) is None


@pytest.mark.parametrize(
    ("text", "value"), [("12", 12), (" 7x", 7), ("-3", -3), ("+4", 4), ("x", 0), ("", 0)]
)
def test_c_atoi(text: str, value: int) -> None:
    assert c_atoi(text) == value


def test_split_options_cuts_at_commas_and_blanks() -> None:
    assert split_options("a, b\tc,,d ") == ["a", "b", "c", "d"]


def test_split_words_keeps_commas() -> None:
    assert split_words(" uid=a,b  gid=c ") == ["uid=a,b", "gid=c"]
