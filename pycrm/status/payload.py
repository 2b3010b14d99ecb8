"""The ``status`` command's payload: what the daemon sends, what the client renders.

The daemon does no rendering: its ``status`` handler returns
``status_payload(cib_xml, snapshot)`` -- the live CIB as it is (bytes, status section
included) and its `DaemonSnapshot` -- and `pycrm status` turns that back into both with
`parse_status_payload`, then collects and renders in its own process::

    {"format": "pycrm-status-payload/1",
     "cib": "<cib ...>...</cib>",       # the CIB bytes, decoded as UTF-8 (surrogateescape)
     "snapshot": {...}}                  # DaemonSnapshot.to_dict()
"""

from __future__ import annotations

from typing import Any

from pycrm.status.snapshot import DaemonSnapshot

STATUS_COMMAND = "status"
PAYLOAD_FORMAT = "pycrm-status-payload/1"


class PayloadError(ValueError):
    """The daemon's answer is not a status payload this client understands."""


def status_payload(cib_xml: bytes, snapshot: DaemonSnapshot) -> dict[str, Any]:
    """What the daemon's ``status`` handler returns (cheap: no parsing, no rendering)."""
    return {
        "format": PAYLOAD_FORMAT,
        "cib": cib_xml.decode("utf-8", "surrogateescape"),
        "snapshot": snapshot.to_dict(),
    }


def parse_status_payload(payload: object) -> tuple[bytes, DaemonSnapshot]:
    """Inverse of `status_payload`. Raises PayloadError naming what is wrong."""
    if not isinstance(payload, dict):
        raise PayloadError("status payload is not an object")
    if payload.get("format") != PAYLOAD_FORMAT:
        raise PayloadError(f"unknown status payload format {payload.get('format')!r}")
    cib = payload.get("cib")
    snap = payload.get("snapshot")
    if not isinstance(cib, str) or not isinstance(snap, dict):
        raise PayloadError("status payload lacks the CIB or the snapshot")
    try:
        return cib.encode("utf-8", "surrogateescape"), DaemonSnapshot.from_dict(snap)
    except (ValueError, UnicodeError) as exc:
        raise PayloadError(str(exc)) from exc
