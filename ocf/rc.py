"""OCF exit codes and the exception agents raise to leave with one."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

_CODES = (
    *(("SUCCESS", 0), ("ERR_GENERIC", 1), ("ERR_ARGS", 2), ("ERR_UNIMPLEMENTED", 3)),
    *(("ERR_PERM", 4), ("ERR_INSTALLED", 5), ("ERR_CONFIGURED", 6), ("NOT_RUNNING", 7)),
    *(("RUNNING_PROMOTED", 8), ("FAILED_PROMOTED", 9), ("DEGRADED", 190)),
    ("DEGRADED_PROMOTED", 191),
)


class RC(int):
    """OCF return codes (OCF 1.1, with Pacemaker's names).

    An int with a `.name`, behaving like the IntEnum it replaces (`RC.SUCCESS`,
    `RC(7)` -> RC.NOT_RUNNING, ValueError for an unknown code) without
    importing `enum`, which with functools and collections costs ~5 ms of
    start-up on every agent call.
    """

    __slots__ = ()

    SUCCESS: ClassVar[RC]
    ERR_GENERIC: ClassVar[RC]
    ERR_ARGS: ClassVar[RC]
    ERR_UNIMPLEMENTED: ClassVar[RC]
    ERR_PERM: ClassVar[RC]
    ERR_INSTALLED: ClassVar[RC]
    ERR_CONFIGURED: ClassVar[RC]
    NOT_RUNNING: ClassVar[RC]
    RUNNING_PROMOTED: ClassVar[RC]
    FAILED_PROMOTED: ClassVar[RC]
    DEGRADED: ClassVar[RC]
    DEGRADED_PROMOTED: ClassVar[RC]

    def __new__(cls, value: int) -> RC:
        try:
            return _MEMBERS[int(value)]
        except KeyError:
            raise ValueError(f"{value!r} is not a valid RC") from None

    @property
    def name(self) -> str:
        return _NAMES[int(self)]

    @property
    def value(self) -> int:
        return int(self)

    def __repr__(self) -> str:
        return f"<RC.{self.name}: {int(self)}>"

    __str__ = int.__repr__

    def __reduce__(self) -> tuple[type[RC], tuple[int]]:
        return (RC, (int(self),))


_MEMBERS: dict[int, RC] = {}
_NAMES: dict[int, str] = {}
for _name, _value in _CODES:
    _member = int.__new__(RC, _value)
    _MEMBERS[_value] = _member
    _NAMES[_value] = _name
    setattr(RC, _name, _member)


class OCFError(Exception):
    """Leave the current action with `rc`; `reason` becomes the exit reason.

    Pacemaker stores the exit reason in the operation history and crm_mon
    shows it, so it must be one short, specific line.
    """

    def __init__(self, rc: RC, reason: str = "") -> None:
        super().__init__(reason or rc.name)
        self.rc = rc
        self.reason = reason
