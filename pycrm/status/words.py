"""Pacemaker 2.1.5's words for results, statuses and durations, as crm_mon prints them."""

from __future__ import annotations

import time

# OCF exit codes as crm_mon 2.1.5 words them (services_ocf_exitcode_str)
RC_TEXT = {
    0: "ok",
    1: "error",
    2: "invalid parameter",
    3: "unimplemented feature",
    4: "insufficient privileges",
    5: "not installed",
    6: "not configured",
    7: "not running",
    8: "promoted",
    9: "promoted (failed)",
    190: "OCF_DEGRADED",
    191: "promoted (degraded)",
}
# executor statuses as crm_mon 2.1.5 words them (pcmk_exec_status_str)
EXEC_TEXT = {
    -1: "pending",
    0: "complete",
    1: "Cancelled",
    2: "Timed Out",
    3: "NOT SUPPORTED",
    4: "Error",
    5: "Hard error",
    6: "Fatal error",
    7: "Not installed",
    8: "Internal communication failure",
    9: "Cannot execute now",
    10: "No fence device",
    11: "CIB secrets unavailable",
}


def rc_text(rc: int) -> str:
    return RC_TEXT.get(rc, "unknown")


def exec_text(status: int) -> str:
    return EXEC_TEXT.get(status, "Unrecognized status (bug?)")


_MS_S = 1000
_MS_M = 60 * _MS_S
_MS_H = 60 * _MS_M
_MS_D = 24 * _MS_H


def readable_interval(ms: int) -> str:
    """Pacemaker 2.1.5's interval words: ``10s``, ``1.500s``, ``1m1000ms``, ``60m``, ``24h``.

    Each unit is used only when the rest is strictly more than one of it, as 2.1.5 does.
    """
    out = ""
    for size, unit in ((_MS_D, "d"), (_MS_H, "h"), (_MS_M, "m")):
        if ms > size:
            out += f"{ms // size}{unit}"
            ms %= size
    if ms > _MS_S:
        out += f"{ms // _MS_S}"
        if ms % _MS_S:
            out += f".{ms % _MS_S:03d}"
        return out + "s"
    if ms > 0:
        return out + f"{ms}ms"
    return out or "0s"


def crm_time(epoch: float, zone_separator: str = " ") -> str:
    """A time as Pacemaker's crm_time_as_string writes it with the date, the time of day
    and the zone: ``2026-12-07 16:57:48Z`` (UTC) or ``2026-12-07 17:57:48 +01:00``."""
    local = time.localtime(epoch)
    text = time.strftime("%Y-%m-%d %H:%M:%S", local)
    offset = local.tm_gmtoff or 0
    if offset == 0:
        return text + "Z"
    sign = "+" if offset > 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{text}{zone_separator}{sign}{hours:02d}:{minutes:02d}"


def iso_time(epoch: float) -> str:
    """``2023-11-14 22:15:00Z`` (``+hh:mm`` right after the time when not UTC), as crm_mon's
    failures and fencing history write it."""
    return crm_time(epoch, zone_separator="")
