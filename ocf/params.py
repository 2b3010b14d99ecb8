"""Agent parameters: declared once, parsed from OCF_RESKEY_*, rendered into meta-data."""

from __future__ import annotations

from ocf.rc import RC, OCFError

# typing and dataclasses are not imported at run time: together they cost
# ~18 ms of start-up on every agent call (mypy still sees the Literal).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Literal

    ParamType = Literal["string", "integer", "boolean", "time"]

_TRUE = frozenset({"yes", "true", "1", "on", "y"})
_FALSE = frozenset({"no", "false", "0", "off", "n", ""})


class Param:
    """One instance parameter of an agent.

    `default` is what the meta-data advertises and what the agent uses when
    the parameter is absent. `supported=False` marks a parameter that is
    accepted for compatibility with the shell agent but has no effect here:
    it is documented as such and a warning is logged when it is set.
    """

    __slots__ = (
        *("default", "longdesc", "name", "required", "shortdesc", "supported", "type"),
        "unique",
    )

    def __init__(
        self,
        name: str,
        shortdesc: str,
        longdesc: str,
        type: ParamType = "string",
        default: str | None = None,
        required: bool = False,
        unique: bool = False,
        supported: bool = True,
    ) -> None:
        self.name = name
        self.shortdesc = shortdesc
        self.longdesc = longdesc
        self.type: ParamType = type
        self.default = default
        self.required = required
        self.unique = unique
        self.supported = supported

    def _key(self) -> tuple[str, str, str, str, str | None, bool, bool, bool]:
        return (
            *(self.name, self.shortdesc, self.longdesc, self.type, self.default),
            *(self.required, self.unique, self.supported),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Param) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Param({self.name!r}, type={self.type!r}, default={self.default!r},"
            f" required={self.required}, unique={self.unique}, supported={self.supported})"
        )


def is_true(value: str) -> bool:
    """resource-agents' ocf_is_true: yes/true/1/on (any case) are true."""
    return value.strip().lower() in _TRUE


class Values:
    """The parameter values of one invocation, typed on access.

    Values come from the environment (OCF_RESKEY_<name>); absent ones take the
    declared default. Type errors raise OCFError(ERR_CONFIGURED) naming the
    parameter, since a malformed value is wrong on every node.
    """

    def __init__(self, params: Sequence[Param], env: Mapping[str, str]) -> None:
        self._params = {p.name: p for p in params}
        self._raw: dict[str, str] = {}
        self._given: set[str] = set()
        for p in params:
            raw = env.get(f"OCF_RESKEY_{p.name}")
            if raw is not None:
                self._given.add(p.name)
                self._raw[p.name] = raw
            elif p.default is not None:
                self._raw[p.name] = p.default

    def given(self, name: str) -> bool:
        """True when the parameter was set explicitly (not from its default)."""
        return name in self._given

    def get(self, name: str) -> str:
        self._check(name)
        return self._raw.get(name, "")

    def opt(self, name: str) -> str | None:
        """The value, or None when it is absent or empty."""
        self._check(name)
        value = self._raw.get(name, "")
        return value if value != "" else None

    def integer(self, name: str) -> int:
        text = self.get(name).strip()
        try:
            return int(text)
        except ValueError:
            raise OCFError(
                RC.ERR_CONFIGURED, f"parameter {name}={text!r} is not an integer"
            ) from None

    def flag(self, name: str) -> bool:
        text = self.get(name).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise OCFError(RC.ERR_CONFIGURED, f"parameter {name}={text!r} is not a boolean")

    def unsupported_given(self) -> list[str]:
        return [n for n in sorted(self._given) if not self._params[n].supported]

    def missing_required(self) -> list[str]:
        return [
            p.name for p in self._params.values() if p.required and not self._raw.get(p.name, "")
        ]

    def _check(self, name: str) -> None:
        if name not in self._params:
            raise KeyError(f"agent bug: undeclared parameter {name!r}")
