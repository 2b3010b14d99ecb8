"""Value lexing shared by the ha.d parsers, byte-for-byte with heartbeat/cluster-glue.

* `parse_msec`  = cluster-glue `cl_get_msec` (times in ha.cf)
* `parse_boolean` = `cl_str_to_boolean`
* `c_atoi`      = C `atoi` (heartbeat reads most integers with it)
* `split_options` = how `parse_config` cuts an ordinary directive's value
"""

from __future__ import annotations

import re

# parse_config(): the directive ends at WHITESPACE, values are cut at DELIMS.
WHITESPACE = " \t\n\r\f"
DELIMS = ", \t\n\r\f"
_NUMCHARS = "0123456789."
_FLOAT_PREFIX = re.compile(r"[0-9]*(?:\.[0-9]*)?")
_ATOI = re.compile(r"[ \t\n\r\f\v]*([+-]?[0-9]+)")


def parse_msec(text: str) -> int | None:
    """A heartbeat time value in milliseconds, or None when invalid.

    ``<number>[<blanks>][unit]``: the number may be fractional (``0.5``); no unit
    means **seconds**; a unit starting with ``ms`` (any case, so ``ms`` and
    ``msec``) means milliseconds; one starting with ``us`` microseconds. Any other
    unit (``s``, ``sec``, ``min``, ``2s``) is invalid. The result is rounded half
    up to whole milliseconds (``499us`` -> 0, ``501us`` -> 1).
    """
    cp = text.lstrip(WHITESPACE)
    num_end = 0
    while num_end < len(cp) and cp[num_end] in _NUMCHARS:
        num_end += 1
    units = cp[num_end:].lstrip(WHITESPACE)
    if cp and cp[0] not in _NUMCHARS:
        return None
    low = units[:2].lower()
    if low == "ms":
        multiplier, divisor = 1.0, 1.0
    elif low == "us":
        multiplier, divisor = 1.0, 1000.0
    elif units and units[0] not in "\n\r":
        return None
    else:
        multiplier, divisor = 1000.0, 1.0
    match = _FLOAT_PREFIX.match(cp[:num_end])
    number_text = match.group(0) if match else ""
    number = float(number_text) if number_text not in ("", ".") else 0.0
    return int(number * multiplier / divisor + 0.5)


_TRUE = frozenset({"true", "on", "yes", "y", "1"})
_FALSE = frozenset({"false", "off", "no", "n", "0"})


def parse_boolean(text: str) -> bool | None:
    """``true on yes y 1`` / ``false off no n 0`` (any case); None otherwise."""
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None


def c_atoi(text: str) -> int:
    """C ``atoi``: optional blanks and sign, then digits; anything else gives 0."""
    match = _ATOI.match(text)
    if match is None:
        return 0
    return int(match.group(1))


def split_options(rest: str) -> list[str]:
    """Cut the value part of an ordinary ha.cf directive at spaces, tabs and commas."""
    return [tok for tok in re.split(r"[, \t\n\r\f]+", rest) if tok]


def split_words(rest: str) -> list[str]:
    """Cut a whole-line directive's value at blanks only (commas stay in tokens)."""
    return [tok for tok in re.split(r"[ \t\n\r\f]+", rest) if tok]
