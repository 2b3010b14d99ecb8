"""The membership layer's view of a message: its ordered (name, value) fields.

Strings are `str`, binary fields (UUIDs) `bytes`. The wire codec converts to
and from its own message type; keeping this representation here lets the
membership state machine be tested without any encoding.
"""

from __future__ import annotations

Value = str | bytes
Fields = list[tuple[str, Value]]

# Message types (heartbeat `T_*`).
T_STATUS = "status"
T_NS_STATUS = "NS_st"
T_ACKMSG = "NS_ackmsg"
T_REXMIT = "NS_rexmit"
T_NAKREXMIT = "NS_nak_rexmit"
T_REQNODES = "reqnodes"
T_REPNODES = "repnodes"
T_SHUTDONE = "shutdone"
T_STARTING = "starting"
T_RESOURCES = "resource"


def get_str(fields: Fields, name: str) -> str | None:
    """The first field called `name` if it is a string."""
    for key, value in fields:
        if key == name:
            return value if isinstance(value, str) else None
    return None


def get_bytes(fields: Fields, name: str) -> bytes | None:
    for key, value in fields:
        if key == name:
            return value if isinstance(value, bytes) else None
    return None


def parse_hex(text: str | None) -> int | None:
    """heartbeat's `%lx` numbers: lowercase hex, no 0x; None when unparsable."""
    if text is None or not text or len(text) > 16:
        return None
    try:
        return int(text, 16)
    except ValueError:
        return None


def parse_dec(text: str | None) -> int | None:
    if text is None or not text.isdigit() or len(text) > 20:
        return None
    return int(text)
