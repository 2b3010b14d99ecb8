"""Checked reads of JSON objects that arrive from the network (types and bounds).

Every reader raises :class:`FieldError` naming the field; nothing is coerced (a string is
never read as a number, a bool never as an int).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MAX_TEXT = 65_536  # longest string value accepted (an instance attribute, an output tail)
MAX_NAME = 256  # longest identifier (resource, node, parameter name ...)
MAX_ITEMS = 1024  # most entries in one name/value map

# An environment variable name may hold anything but "=" and NUL; keep to printable ASCII.
ENV_NAME = re.compile(r"[A-Za-z0-9_.:#@+-]{1,256}")


class FieldError(ValueError):
    """A field of a decoded message is missing, of the wrong type or out of bounds."""


def _get(obj: Mapping[str, object], key: str) -> object:
    if key not in obj:
        raise FieldError(f"{key}: missing")
    return obj[key]


def text(
    obj: Mapping[str, object],
    key: str,
    *,
    max_len: int = MAX_NAME,
    pattern: re.Pattern[str] | None = None,
    allow_empty: bool = False,
) -> str:
    value = _get(obj, key)
    if not isinstance(value, str):
        raise FieldError(f"{key}: expected a string, got {type(value).__name__}")
    return check_text(key, value, max_len=max_len, pattern=pattern, allow_empty=allow_empty)


def check_text(
    key: str,
    value: str,
    *,
    max_len: int = MAX_NAME,
    pattern: re.Pattern[str] | None = None,
    allow_empty: bool = False,
) -> str:
    if not value and not allow_empty:
        raise FieldError(f"{key}: must not be empty")
    if len(value) > max_len:
        raise FieldError(f"{key}: longer than {max_len} characters")
    if "\0" in value:
        raise FieldError(f"{key}: contains a NUL character")
    if pattern is not None and value and pattern.fullmatch(value) is None:
        raise FieldError(f"{key}: {value[:64]!r} is not allowed")
    return value


def opt_text(
    obj: Mapping[str, object],
    key: str,
    *,
    max_len: int = MAX_NAME,
    pattern: re.Pattern[str] | None = None,
) -> str | None:
    if obj.get(key) is None:
        return None
    return text(obj, key, max_len=max_len, pattern=pattern)


def integer(obj: Mapping[str, object], key: str, lo: int, hi: int) -> int:
    value = _get(obj, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(f"{key}: expected an integer, got {type(value).__name__}")
    return check_int(key, value, lo, hi)


def check_int(key: str, value: int, lo: int, hi: int) -> int:
    if not lo <= value <= hi:
        raise FieldError(f"{key}: {value} is outside {lo}..{hi}")
    return value


def opt_integer(obj: Mapping[str, object], key: str, lo: int, hi: int) -> int | None:
    if obj.get(key) is None:
        return None
    return integer(obj, key, lo, hi)


def number(obj: Mapping[str, object], key: str, lo: float, hi: float) -> float:
    value = _get(obj, key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(f"{key}: expected a number, got {type(value).__name__}")
    if not lo <= value <= hi:  # also rejects NaN
        raise FieldError(f"{key}: {value} is outside {lo}..{hi}")
    return float(value)


def boolean(obj: Mapping[str, object], key: str) -> bool:
    value = _get(obj, key)
    if not isinstance(value, bool):
        raise FieldError(f"{key}: expected true or false, got {type(value).__name__}")
    return value


def name_map(obj: Mapping[str, object], key: str) -> dict[str, str]:
    """A {name: value} object whose names are usable in an environment variable name."""
    return check_name_map(key, _get(obj, key))


def check_name_map(key: str, value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise FieldError(f"{key}: expected an object, got {type(value).__name__}")
    if len(value) > MAX_ITEMS:
        raise FieldError(f"{key}: more than {MAX_ITEMS} entries")
    out: dict[str, str] = {}
    for name, item in value.items():
        if not isinstance(name, str) or ENV_NAME.fullmatch(name) is None:
            raise FieldError(f"{key}: bad name {str(name)[:64]!r}")
        if not isinstance(item, str):
            raise FieldError(f"{key}.{name}: expected a string, got {type(item).__name__}")
        out[name] = check_text(f"{key}.{name}", item, max_len=MAX_TEXT, allow_empty=True)
    return out


def mapping(obj: object, what: str) -> Mapping[str, object]:
    if not isinstance(obj, dict):
        raise FieldError(f"{what}: expected an object, got {type(obj).__name__}")
    return obj
