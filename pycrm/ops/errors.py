"""Errors as data, with stable codes (pcs's reports, reduced to what the CLI needs).

A library function refuses with ``raise OpsError(Report(code, message))``; callers match on
``report.code``, never on the text.  ``forceable`` reports are the ones ``--force`` overrides
(the function was called without ``force=True``).  ``str(error)`` is the first message.
"""

from __future__ import annotations

from dataclasses import dataclass

# Stable codes.
RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
NODE_NOT_FOUND = "NODE_NOT_FOUND"
ATTRIBUTE_NOT_FOUND = "ATTRIBUTE_NOT_FOUND"
BAD_VALUE = "BAD_VALUE"  # a score, lifetime, attribute name or value that cannot be used
ALREADY = "ALREADY_AS_REQUESTED"  # nothing to do: the cluster is already so
NOT_ACTIVE = "RESOURCE_NOT_ACTIVE"
MULTIPLE_ACTIVE = "RESOURCE_ACTIVE_ON_SEVERAL_NODES"
CIB_INVALID = "CIB_INVALID"  # a configuration that does not validate
CIB_OLDER = "CIB_VERSION_OLDER"  # a load older than the live configuration
CIB_CHANGED = "CIB_CHANGED"  # the live configuration changed under an edit


@dataclass(frozen=True)
class Report:
    code: str
    message: str
    forceable: bool = False


class OpsError(Exception):
    """One or more reports that stop an operation (nothing was changed)."""

    def __init__(self, *reports: Report) -> None:
        if not reports:
            raise ValueError("OpsError needs at least one report")
        self.reports = reports
        super().__init__(reports[0].message)

    @property
    def code(self) -> str:
        return self.reports[0].code

    @property
    def forceable(self) -> bool:
        return all(r.forceable for r in self.reports)


def fail(code: str, message: str, *, forceable: bool = False) -> OpsError:
    """``raise fail(CODE, "...")``: an OpsError with one report."""
    return OpsError(Report(code, message, forceable))
