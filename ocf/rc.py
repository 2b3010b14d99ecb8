"""OCF exit codes and the exception agents raise to leave with one."""

from __future__ import annotations

from enum import IntEnum


class RC(IntEnum):
    """OCF return codes (OCF 1.1, with Pacemaker's names)."""

    SUCCESS = 0
    ERR_GENERIC = 1
    ERR_ARGS = 2
    ERR_UNIMPLEMENTED = 3
    ERR_PERM = 4
    ERR_INSTALLED = 5
    ERR_CONFIGURED = 6
    NOT_RUNNING = 7
    RUNNING_PROMOTED = 8
    FAILED_PROMOTED = 9
    DEGRADED = 190
    DEGRADED_PROMOTED = 191


class OCFError(Exception):
    """Leave the current action with `rc`; `reason` becomes the exit reason.

    Pacemaker stores the exit reason in the operation history and crm_mon
    shows it, so it must be one short, specific line.
    """

    def __init__(self, rc: RC, reason: str = "") -> None:
        super().__init__(reason or rc.name)
        self.rc = rc
        self.reason = reason
