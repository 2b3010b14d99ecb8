"""Reading CRM message payloads: typed, bounded fields or a ProtocolError.

Payloads arrive authenticated (heartbeat's HMAC) and decoded by the channel into JSON
objects; they are still checked for shape before any core acts on them, so that a bug or a
version skew on one node costs a counted, logged drop, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cib import patch
from cib.version import Version

MAX_TEXT = 4 * 1024 * 1024
MAX_NAME = 256
MAX_CHANGES = 100_000


class ProtocolError(ValueError):
    pass


def integer(payload: Mapping[str, Any], name: str, *, minimum: int = 0) -> int:
    value = payload.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ProtocolError(f"field {name!r} must be an integer >= {minimum}")
    return value


def text(payload: Mapping[str, Any], name: str, *, limit: int = MAX_NAME) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or len(value) > limit:
        raise ProtocolError(f"field {name!r} must be a string of at most {limit} characters")
    return value


def optional_text(payload: Mapping[str, Any], name: str, *, limit: int = MAX_NAME) -> str | None:
    if payload.get(name) is None:
        return None
    return text(payload, name, limit=limit)


def boolean(payload: Mapping[str, Any], name: str) -> bool:
    value = payload.get(name)
    if not isinstance(value, bool):
        raise ProtocolError(f"field {name!r} must be a boolean")
    return value


def mapping(payload: Mapping[str, Any], name: str) -> dict[str, str]:
    value = payload.get(name)
    if not isinstance(value, dict) or len(value) > 10_000:
        raise ProtocolError(f"field {name!r} must be an object")
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str) or len(key) > MAX_NAME:
            raise ProtocolError(f"field {name!r} must map names to strings")
        out[key] = item
    return out


def version(payload: Mapping[str, Any], name: str) -> Version:
    value = payload.get(name)
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
    ):
        raise ProtocolError(f"field {name!r} must be a version [admin_epoch, epoch, num_updates]")
    return Version(value[0], value[1], value[2])


def version_value(v: Version) -> list[int]:
    return [v.admin_epoch, v.epoch, v.num_updates]


def changes(payload: Mapping[str, Any], name: str = "changes") -> list[patch.Change]:
    value = payload.get(name)
    if not isinstance(value, list) or len(value) > MAX_CHANGES:
        raise ProtocolError(f"field {name!r} must be a list of changes")
    try:
        return [patch.from_dict(item) for item in value]
    except patch.PatchError as exc:
        raise ProtocolError(f"field {name!r}: {exc.message}") from None


def changes_value(items: list[patch.Change]) -> list[dict[str, Any]]:
    return [patch.to_dict(c) for c in items]
