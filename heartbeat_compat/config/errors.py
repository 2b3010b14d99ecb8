"""The one error type of the ha.d parsers: data first, a one-line message second."""

from __future__ import annotations


class HaConfigError(Exception):
    """A fatal problem in a Heartbeat configuration file.

    Attributes (stable, for programs):
      code       stable upper-case identifier, e.g. ``HACF_BAD_TIME``
      file       path of the offending file (as given)
      line       1-based line number, or 0 when the problem is not tied to a line
      directive  the directive / element concerned ('' when none)
      message    human-readable explanation

    ``str(err)`` is ``"file:line: directive: message"`` (the ``line`` part is left
    out when it is 0 and the ``directive`` part when it is empty), which is what
    command-line tools print as their single error line.
    """

    def __init__(
        self,
        code: str,
        file: str,
        line: int,
        directive: str,
        message: str,
    ) -> None:
        self.code = code
        self.file = file
        self.line = line
        self.directive = directive
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line > 0 else self.file
        if self.directive:
            return f"{where}: {self.directive}: {self.message}"
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"HaConfigError(code={self.code!r}, file={self.file!r}, line={self.line}, "
            f"directive={self.directive!r}, message={self.message!r})"
        )
