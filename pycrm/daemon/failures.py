"""When does the next failure expire (``failure-timeout``)?  The DC plans again then."""

from __future__ import annotations

from cib.model import Cib
from cib.nvsets import resolve
from cib.timespec import parse_timeout_ms

PREFIX = "last-failure-"


def failure_timeouts(model: Cib) -> dict[str, int]:
    """Primitive id -> failure-timeout in seconds (resources that set one)."""
    out: dict[str, int] = {}
    for prim in model.primitives():
        meta: dict[str, str] = {}
        resolve(prim.meta_sets, into=meta)
        for parent in model.parents(prim.id):
            resolve(parent.meta_sets, into=meta)
        resolve(model.rsc_defaults, into=meta)
        text = meta.get("failure-timeout")
        if not text:
            continue
        try:
            seconds = parse_timeout_ms(text) // 1000
        except ValueError:
            continue
        if seconds > 0:
            out[prim.id] = seconds
    return out


def _resource_of(attr: str) -> str:
    name = attr[len(PREFIX) :]
    name = name.split("#", 1)[0]
    return name.split(":", 1)[0]


def next_expiry(model: Cib, now_wall: float) -> float | None:
    """Epoch seconds of the earliest failure that has not expired yet, or None."""
    timeouts = failure_timeouts(model)
    if not timeouts:
        return None
    best: float | None = None
    for status in model.status.values():
        for attr, value in status.transient.items():
            if not attr.startswith(PREFIX):
                continue
            timeout = timeouts.get(_resource_of(attr))
            if timeout is None or not value.isdigit():
                continue
            expiry = int(value) + timeout
            if expiry > now_wall and (best is None or expiry < best):
                best = float(expiry)
    return best
