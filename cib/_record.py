"""Small bases for value classes that behave like dataclasses but cost nothing to create.

Creating a dataclass runs generated code through ``exec`` for every method: ~0.5-0.8 ms per
class, which added up to ~25 ms at every start of ``pycrm simulate``.  A class built on these
bases writes its ``__slots__``, ``__match_args__`` (the fields, in order) and ``__init__`` by
hand and gets the rest from here, with the semantics of the dataclass it replaces:

* :class:`Record` -- ``repr`` only (``@dataclass(eq=False)``): ``Name(a=1, b='x')``, ``...``
  for a recursive reference, fields named in ``_hidden`` left out.
* :class:`ValueRecord` -- plus ``==`` over the fields (same class only) and unhashable
  (``@dataclass``).
* :class:`FrozenRecord` -- plus ``hash`` over the fields, assignment and deletion raise
  :class:`dataclasses.FrozenInstanceError`, pickling/copying by field values
  (``@dataclass(frozen=True)``).  Set fields in ``__init__`` with :data:`setattr_`.

Fields named in ``_hidden`` take no part in ``repr``, ``==`` and ``hash``
(``field(repr=False, compare=False)``).  :func:`replace` is ``dataclasses.replace``.
"""

from __future__ import annotations

from reprlib import recursive_repr

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar, dataclass_transform

    _R = TypeVar("_R", bound="Record")
else:

    def dataclass_transform(**_: object) -> object:  # typing costs ~3 ms to import
        return lambda cls: cls


setattr_ = object.__setattr__


class _Factory:
    """Default of a parameter whose value is made fresh per instance (``default_factory``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


FACTORY: Any = _Factory()


class Record:
    __slots__ = ()
    __match_args__: tuple[str, ...] = ()
    _hidden: tuple[str, ...] = ()
    _shown: tuple[str, ...] = ()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._shown = tuple(n for n in cls.__match_args__ if n not in cls._hidden)

    @recursive_repr()
    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._shown)
        return f"{self.__class__.__qualname__}({fields})"


class _Comparable(Record):  # noqa: PLW1641  (ValueRecord and FrozenRecord set __hash__)
    __slots__ = ()

    def _values(self) -> tuple[object, ...]:
        return tuple([getattr(self, n) for n in self._shown])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Comparable) and other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented


class ValueRecord(_Comparable):
    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]


@dataclass_transform(frozen_default=True)  # lets mypy flag assignments, as for dataclasses
class FrozenRecord(_Comparable):
    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: object) -> None:
        from dataclasses import FrozenInstanceError  # only on this error path: ~1 ms at start-up

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, n) for n in self.__match_args__]

    def __setstate__(self, state: list[object]) -> None:
        for name, value in zip(self.__match_args__, state, strict=False):
            setattr_(self, name, value)


def replace(record: _R, **changes: object) -> _R:
    """A new record like ``record`` with some fields changed (``dataclasses.replace``).

    The fields are the class's ``__match_args__``, which are also its constructor's
    parameter names.
    """
    values: dict[str, object] = {name: getattr(record, name) for name in record.__match_args__}
    unknown = changes.keys() - values.keys()
    if unknown:
        raise TypeError(f"{type(record).__qualname__} has no field {sorted(unknown)[0]!r}")
    values.update(changes)
    return type(record)(**values)
