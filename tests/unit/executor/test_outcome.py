"""How an agent's process ended -> rc, op-status and exit reason (Pacemaker's rules)."""

from __future__ import annotations

import errno

import pytest

from pycrm.daemon.executor.classes import CLASSES
from pycrm.daemon.executor.codes import (
    EXEC_CANCELLED,
    EXEC_DONE,
    EXEC_ERROR,
    EXEC_NOT_INSTALLED,
    EXEC_TIMEOUT,
)
from pycrm.daemon.executor.outcome import (
    SIGNAL_REASON,
    TIMEOUT_REASON,
    Outcome,
    ProcessEnd,
    outcome,
)


@pytest.mark.parametrize(
    ("cls", "action", "end", "expected"),
    [
        ("ocf", "start", ProcessEnd("exited", 0), Outcome(0, EXEC_DONE, "why")),
        ("ocf", "monitor", ProcessEnd("exited", 42), Outcome(1, EXEC_DONE, "why")),
        ("lsb", "status", ProcessEnd("exited", 3), Outcome(7, EXEC_DONE)),
        ("ocf", "start", ProcessEnd("timeout"), Outcome(1, EXEC_TIMEOUT, TIMEOUT_REASON)),
        ("ocf", "monitor", ProcessEnd("cancelled"), Outcome(0, EXEC_CANCELLED)),
        ("lsb", "start", ProcessEnd("signaled", 9), Outcome(1, EXEC_ERROR, SIGNAL_REASON)),
        (
            "ocf",
            "start",
            ProcessEnd("exec_error", errno.ENOENT),
            Outcome(5, EXEC_NOT_INSTALLED, "No such file or directory"),
        ),
        (
            "lsb",
            "status",
            ProcessEnd("exec_error", errno.ENOEXEC),
            Outcome(5, EXEC_NOT_INSTALLED, "Exec format error"),
        ),
        (
            "ocf",
            "stop",
            ProcessEnd("exec_error", errno.EACCES),
            Outcome(4, EXEC_ERROR, "Permission denied"),
        ),
        (
            "ocf",
            "stop",
            ProcessEnd("exec_error", errno.ENOMEM),
            Outcome(1, EXEC_ERROR, "Cannot allocate memory"),
        ),
    ],
)
def test_process_end_to_result(cls: str, action: str, end: ProcessEnd, expected: Outcome) -> None:
    assert outcome(CLASSES[cls], action, end, exit_reason="why") == expected
