"""Unique, valid XML IDs for the generated CIB."""

from __future__ import annotations

import re

_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


def sanitize(text: str) -> str:
    """Turn arbitrary text into an XML NCName-ish ID fragment (``/srv/www`` -> ``srv_www``)."""
    out = _BAD.sub("_", text).strip("_.-")
    out = re.sub(r"_+", "_", out)
    if not out:
        return "x"
    if not (out[0].isalpha() or out[0] == "_"):
        out = "_" + out
    return out


class IdAllocator:
    """Hands out IDs, appending ``-2``, ``-3`` ... on collisions."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def reserve(self, wanted: str) -> str:
        base = sanitize(wanted)
        candidate = base
        n = 2
        while candidate in self._used:
            candidate = f"{base}-{n}"
            n += 1
        self._used.add(candidate)
        return candidate

    def __contains__(self, item: str) -> bool:
        return item in self._used
