"""Errors carried as data, with stable codes (pcs style).

``str(err)`` is always one line: ``file:line: id: message``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# Stable codes.  Callers match on these, never on the message text.
XML_SYNTAX = "CIB_XML_SYNTAX"
IO = "CIB_IO"
DANGLING_IDREF = "CIB_DANGLING_IDREF"
BAD_SCORE = "CIB_BAD_SCORE"
BAD_TIME = "CIB_BAD_TIME"
BAD_VALUE = "CIB_BAD_VALUE"
UNKNOWN_ELEMENT = "CIB_UNKNOWN_ELEMENT"
UNSUPPORTED = "CIB_UNSUPPORTED"
DUPLICATE_ID = "CIB_DUPLICATE_ID"
DUPLICATE_OP = "CIB_DUPLICATE_OP"  # same op name+interval twice: Pacemaker goes on
MISSING_ATTRIBUTE = "CIB_MISSING_ATTRIBUTE"
MISSING_ID = "CIB_MISSING_ID"
SCHEMA = "CIB_SCHEMA"
SCHEMA_UNAVAILABLE = "CIB_SCHEMA_UNAVAILABLE"
INVALID = "CIB_INVALID"
DIGEST_MISMATCH = "CIB_DIGEST_MISMATCH"


class CibError(Exception):
    """One problem in a CIB, located by file, line and element id."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        file: str = "<string>",
        line: int | None = None,
        element_id: str | None = None,
    ) -> None:
        self.code = code
        self.message = " ".join(message.split())  # always one line
        self.file = file
        self.line = line
        self.element_id = element_id
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line if self.line is not None else 0}"
        ident = self.element_id if self.element_id else "-"
        return f"{where}: {ident}: {self.message}"

    def __repr__(self) -> str:
        return f"CibError({self.code!r}, {str(self)!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # keyword-only constructor arguments: rebuild through a helper (pickle/multiprocessing)
        return (_rebuild, (self.code, self.message, self.file, self.line, self.element_id))

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "id": self.element_id,
            "message": self.message,
        }


def _rebuild(
    code: str, message: str, file: str, line: int | None, element_id: str | None
) -> CibError:
    return CibError(code, message, file=file, line=line, element_id=element_id)


class CibErrors(CibError):
    """Several errors found at once (validation); behaves like the first one."""

    def __init__(self, errors: Iterable[CibError]) -> None:
        self.errors: list[CibError] = list(errors)
        if not self.errors:
            raise ValueError("CibErrors needs at least one error")
        first = self.errors[0]
        super().__init__(
            first.code,
            first.message,
            file=first.file,
            line=first.line,
            element_id=first.element_id,
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (CibErrors, (self.errors,))

    def __iter__(self) -> Iterator[CibError]:
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def lines(self) -> list[str]:
        return [str(e) for e in self.errors]
