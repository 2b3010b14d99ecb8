"""OCF result codes and executor statuses, with Pacemaker 2.1.5's values and names.

An operation result has two numbers, as in Pacemaker: the agent's OCF exit code (``rc``,
after the class-specific mapping) and the executor status (``op_status``, Pacemaker's
``PCMK_EXEC_*``) that says whether the agent ran to completion at all.
"""

from __future__ import annotations

# OCF exit codes (include/crm/services.h enum ocf_exitcode).
OCF_OK = 0
OCF_UNKNOWN_ERROR = 1
OCF_INVALID_PARAM = 2
OCF_UNIMPLEMENT_FEATURE = 3
OCF_INSUFFICIENT_PRIV = 4
OCF_NOT_INSTALLED = 5
OCF_NOT_CONFIGURED = 6
OCF_NOT_RUNNING = 7
OCF_RUNNING_PROMOTED = 8
OCF_FAILED_PROMOTED = 9
OCF_DEGRADED = 190
OCF_DEGRADED_PROMOTED = 191

OCF_NAMES = {
    OCF_OK: "ok",
    OCF_UNKNOWN_ERROR: "error",
    OCF_INVALID_PARAM: "invalid parameter",
    OCF_UNIMPLEMENT_FEATURE: "unimplemented feature",
    OCF_INSUFFICIENT_PRIV: "insufficient privileges",
    OCF_NOT_INSTALLED: "not installed",
    OCF_NOT_CONFIGURED: "not configured",
    OCF_NOT_RUNNING: "not running",
    OCF_RUNNING_PROMOTED: "promoted",
    OCF_FAILED_PROMOTED: "promoted (failed)",
    OCF_DEGRADED: "OCF_DEGRADED",
    OCF_DEGRADED_PROMOTED: "promoted (degraded)",
}

# Executor statuses (include/crm/common/results.h enum pcmk_exec_status).
EXEC_PENDING = -1
EXEC_DONE = 0
EXEC_CANCELLED = 1
EXEC_TIMEOUT = 2
EXEC_NOT_SUPPORTED = 3
EXEC_ERROR = 4
EXEC_ERROR_HARD = 5
EXEC_ERROR_FATAL = 6
EXEC_NOT_INSTALLED = 7
EXEC_NOT_CONNECTED = 8
EXEC_INVALID = 9
EXEC_NO_FENCE_DEVICE = 10
EXEC_NO_SECRETS = 11

EXEC_NAMES = {
    EXEC_PENDING: "pending",
    EXEC_DONE: "complete",
    EXEC_CANCELLED: "Cancelled",
    EXEC_TIMEOUT: "Timed Out",
    EXEC_NOT_SUPPORTED: "NOT SUPPORTED",
    EXEC_ERROR: "Error",
    EXEC_ERROR_HARD: "Hard error",
    EXEC_ERROR_FATAL: "Fatal error",
    EXEC_NOT_INSTALLED: "Not installed",
    EXEC_NOT_CONNECTED: "Internal communication failure",
    EXEC_INVALID: "Cannot execute now",
    EXEC_NO_FENCE_DEVICE: "No fence device",
    EXEC_NO_SECRETS: "CIB secrets unavailable",
}

# Results that say the resource is active (used to trust a main-PID cookie).
RUNNING_RCS = frozenset({OCF_OK, OCF_RUNNING_PROMOTED, OCF_DEGRADED, OCF_DEGRADED_PROMOTED})


def effective_rc(rc: int) -> int:
    """The rc the controller compares with the expected one: degraded counts as success
    (Pacemaker's ``pcmk__effective_rc``)."""
    if rc == OCF_DEGRADED:
        return OCF_OK
    if rc == OCF_DEGRADED_PROMOTED:
        return OCF_RUNNING_PROMOTED
    return rc
