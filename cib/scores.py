"""Pacemaker score arithmetic (``char2score``, ``pcmk__add_scores``, ``pcmk_readable_score``)."""

from __future__ import annotations

import re
from functools import lru_cache

SCORE_INF = 1_000_000
SCORE_MINUS_INF = -SCORE_INF

_INT_RE = re.compile(r"[+-]?\d+")
_POS_INF = frozenset({"infinity", "+infinity", "inf", "+inf"})
_NEG_INF = frozenset({"-infinity", "-inf"})


@lru_cache(maxsize=4096)
def parse_score(text: str) -> int:
    """Parse a score: ``INFINITY``, ``+INFINITY``, ``-INFINITY``, ``inf`` or an integer.

    Integers beyond +/-INFINITY are clamped, like Pacemaker.  Raises ValueError otherwise.
    """
    s = text.strip()
    low = s.lower()
    if low in _POS_INF:
        return SCORE_INF
    if low in _NEG_INF:
        return SCORE_MINUS_INF
    if not _INT_RE.fullmatch(s):
        raise ValueError(f"invalid score {text!r}")
    return clamp(int(s))


def is_score(text: str) -> bool:
    try:
        parse_score(text)
    except ValueError:
        return False
    return True


def clamp(value: int) -> int:
    if value >= SCORE_INF:
        return SCORE_INF
    if value <= SCORE_MINUS_INF:
        return SCORE_MINUS_INF
    return value


def add_scores(a: int, b: int) -> int:
    """Saturating addition; -INFINITY wins over +INFINITY (pcmk__add_scores)."""
    if a <= SCORE_MINUS_INF or b <= SCORE_MINUS_INF:
        return SCORE_MINUS_INF
    if a >= SCORE_INF or b >= SCORE_INF:
        return SCORE_INF
    return clamp(a + b)


def format_score(score: int) -> str:
    """Render like pcmk_readable_score: ``INFINITY``, ``-INFINITY`` or the integer."""
    if score >= SCORE_INF:
        return "INFINITY"
    if score <= SCORE_MINUS_INF:
        return "-INFINITY"
    return str(score)
