"""From how an agent process ended to an operation result (rc, op-status, exit reason).

Pure; follows Pacemaker 2.1.5's ``async_action_complete`` and ``services__handle_exec_error``:

* exited normally: the class maps the exit status (see :mod:`.classes`), op-status done,
  and for OCF agents the exit reason read from stderr;
* killed at its timeout: generic error (1), op-status timeout (2), "Process did not exit
  within specified timeout";
* killed because its recurring operation was cancelled: ok (0), op-status cancelled (1);
* killed by any other signal: generic error, op-status error (4), "Process interrupted by
  signal";
* could not be executed: ENOENT, EISDIR, ENOTDIR, EINVAL, ENOEXEC are "not installed"
  (rc 5, op-status 7), EACCES and EPERM "insufficient privileges" (rc 4, op-status 4),
  anything else a generic error (op-status 4); the reason is the system's error text.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from typing import Literal

from pycrm.daemon.executor.classes import AgentClass
from pycrm.daemon.executor.codes import (
    EXEC_CANCELLED,
    EXEC_DONE,
    EXEC_ERROR,
    EXEC_NOT_INSTALLED,
    EXEC_TIMEOUT,
    OCF_INSUFFICIENT_PRIV,
    OCF_NOT_INSTALLED,
    OCF_OK,
    OCF_UNKNOWN_ERROR,
)

TIMEOUT_REASON = "Process did not exit within specified timeout"
SIGNAL_REASON = "Process interrupted by signal"
NOT_INSTALLED_REASON = "Agent not found"

_NOT_INSTALLED_ERRNOS = frozenset(
    {errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.EINVAL, errno.ENOEXEC}
)
_PERMISSION_ERRNOS = frozenset({errno.EACCES, errno.EPERM})

EndKind = Literal["exited", "signaled", "timeout", "cancelled", "exec_error"]


@dataclass(frozen=True)
class ProcessEnd:
    """How the agent's process ended: ``code`` is the exit status, the signal number or
    the errno of a failed exec, depending on ``kind``."""

    kind: EndKind
    code: int = 0


@dataclass(frozen=True)
class Outcome:
    rc: int
    op_status: int
    exit_reason: str = ""


def not_installed(reason: str = NOT_INSTALLED_REASON) -> Outcome:
    return Outcome(OCF_NOT_INSTALLED, EXEC_NOT_INSTALLED, reason)


def outcome(
    agent_class: AgentClass,
    action: str,
    end: ProcessEnd,
    *,
    stdout: str = "",
    exit_reason: str = "",
) -> Outcome:
    """The result of running ``action`` (as run: "status" for an LSB monitor)."""
    if end.kind == "exited":
        rc = agent_class.map_exit(action, end.code, stdout)
        return Outcome(rc, EXEC_DONE, exit_reason if agent_class.exit_reasons else "")
    if end.kind == "timeout":
        return Outcome(OCF_UNKNOWN_ERROR, EXEC_TIMEOUT, TIMEOUT_REASON)
    if end.kind == "cancelled":
        return Outcome(OCF_OK, EXEC_CANCELLED)
    if end.kind == "signaled":
        return Outcome(OCF_UNKNOWN_ERROR, EXEC_ERROR, SIGNAL_REASON)
    return exec_error(end.code)


def exec_error(err: int) -> Outcome:
    text = os.strerror(err)
    if err in _NOT_INSTALLED_ERRNOS:
        return not_installed(text)
    if err in _PERMISSION_ERRNOS:
        return Outcome(OCF_INSUFFICIENT_PRIV, EXEC_ERROR, text)
    return Outcome(OCF_UNKNOWN_ERROR, EXEC_ERROR, text)
