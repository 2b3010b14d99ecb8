from __future__ import annotations

import pytest

from cib.scores import SCORE_INF, add_scores, format_score, parse_score


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("INFINITY", SCORE_INF),
        ("+INFINITY", SCORE_INF),
        ("-INFINITY", -SCORE_INF),
        ("inf", SCORE_INF),
        ("-inf", -SCORE_INF),
        ("0", 0),
        ("-50", -50),
        ("+7", 7),
        (" 12 ", 12),
        ("5000000", SCORE_INF),
        ("-5000000", -SCORE_INF),
    ],
)
def test_parse(text: str, value: int) -> None:
    assert parse_score(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1.5", "INFINITYX", "--1"])
def test_parse_bad(text: str) -> None:
    with pytest.raises(ValueError):
        parse_score(text)


def test_add() -> None:
    inf = SCORE_INF
    assert add_scores(inf, -inf) == -inf
    assert add_scores(-inf, inf) == -inf
    assert add_scores(inf, 5) == inf
    assert add_scores(-inf, 5) == -inf
    assert add_scores(999_999, 10) == inf
    assert add_scores(-999_999, -10) == -inf
    assert add_scores(3, -5) == -2


def test_format() -> None:
    assert format_score(SCORE_INF) == "INFINITY"
    assert format_score(-SCORE_INF) == "-INFINITY"
    assert format_score(42) == "42"
    assert format_score(-3) == "-3"
