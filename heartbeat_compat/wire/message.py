"""The typed heartbeat message model: an ordered list of (name, type, value) fields.

Mirrors `struct ha_msg` (cluster-glue `include/ha_msg.h`): field order is significant
(it is part of what gets signed), duplicate names are allowed, and lookups return the
first field of a name.

Value types per field type:

| FieldType      | Python value          | wire                                             |
|----------------|-----------------------|--------------------------------------------------|
| STRING (0)     | `str`                 | raw bytes (UTF-8; other bytes via surrogateescape) |
| BINARY (1)     | `bytes`               | base64 (classic) / raw (netstring)               |
| STRUCT (2)     | `Message`             | nested message                                   |
| LIST (3)       | `tuple[str, ...]`     | packed `len:elem,` sequence                      |
| COMPRESS (4)   | `Message`             | the nested message, compressed on the wire       |
| UNCOMPRESS (5) | `Message`             | netstring-only nested message with type digit 5  |
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from enum import IntEnum
from typing import NamedTuple, Union

# `Message` is forward-declared inside the union, hence typing.Union.
Value = Union[str, bytes, "Message", tuple[str, ...]]
InputValue = Union[str, bytes, "Message", Sequence[str]]

AUTH_FIELD = "auth"


class FieldType(IntEnum):
    """`enum cl_netstring_type`; the number is the wire type digit."""

    STRING = 0
    BINARY = 1
    STRUCT = 2
    LIST = 3
    COMPRESS = 4
    UNCOMPRESS = 5


_MESSAGE_TYPES = (FieldType.STRUCT, FieldType.COMPRESS, FieldType.UNCOMPRESS)


def infer_type(value: InputValue) -> FieldType:
    if isinstance(value, str):
        return FieldType.STRING
    if isinstance(value, bytes | bytearray | memoryview):
        return FieldType.BINARY
    if isinstance(value, Message):
        return FieldType.STRUCT
    return FieldType.LIST


def _normalise(value: InputValue, ftype: FieldType) -> Value:
    """Check that `value` fits `ftype` and return its stored (immutable) form."""
    if ftype is FieldType.STRING:
        if isinstance(value, str):
            return value
    elif ftype is FieldType.BINARY:
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value)
    elif ftype in _MESSAGE_TYPES:
        if isinstance(value, Message):
            return value
    elif isinstance(value, list | tuple) and all(isinstance(e, str) for e in value):
        return tuple(value)
    raise TypeError(f"value of type {type(value).__name__} does not fit field type {ftype.name}")


class Field(NamedTuple):
    """One field. Built with `make` (type inferred and value checked) unless the value is
    known to fit the type. A named tuple: the codec builds one per field of every packet,
    and this is the cheapest immutable record to build (less than half the cost of a
    frozen dataclass)."""

    name: str
    value: Value
    type: FieldType

    @classmethod
    def make(cls, name: str, value: InputValue, ftype: FieldType | None = None) -> Field:
        if ftype is None:  # the common cases first, without the checks
            if type(value) is str:
                return cls(name, value, FieldType.STRING)
            if type(value) is bytes:
                return cls(name, value, FieldType.BINARY)
        ft = infer_type(value) if ftype is None else FieldType(ftype)
        return cls(name, _normalise(value, ft), ft)


FieldSpec = Field | tuple[str, InputValue] | tuple[str, InputValue, FieldType]


class Message:
    """An ordered, mutable heartbeat message.

    Mapping-like reads (`msg["t"]`, `msg.get("seq")`, `"dest" in msg`) see the first
    field of a name, as `ha_msg_value` does. `add` appends (`ha_msg_add`); `set`
    replaces the first field of that name or appends (`ha_msg_mod`).
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: Iterable[FieldSpec] = ()) -> None:
        self._fields: list[Field] = []
        for spec in fields:
            if isinstance(spec, Field):
                self._fields.append(spec)
            elif len(spec) == 2:
                self._fields.append(Field.make(spec[0], spec[1]))
            else:
                self._fields.append(Field.make(spec[0], spec[1], spec[2]))

    # -- construction -------------------------------------------------------------
    @classmethod
    def of(cls, **fields: InputValue) -> Message:
        """`Message.of(t="status", st="up")`: fields in keyword order, types inferred."""
        return cls(fields.items())

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, InputValue]]) -> Message:
        return cls._from_trusted([Field.make(*pair) for pair in pairs])

    @classmethod
    def _from_trusted(cls, fields: list[Field]) -> Message:
        msg = cls.__new__(cls)
        msg._fields = fields
        return msg

    def copy(self) -> Message:
        """A shallow copy (nested messages are shared)."""
        return Message._from_trusted(list(self._fields))

    # -- mutation -----------------------------------------------------------------
    def add(self, name: str, value: InputValue, ftype: FieldType | None = None) -> Message:
        self._fields.append(Field.make(name, value, ftype))
        return self

    def set(self, name: str, value: InputValue, ftype: FieldType | None = None) -> Message:
        new = Field.make(name, value, ftype)
        for i, f in enumerate(self._fields):
            if f.name == name:
                self._fields[i] = new
                return self
        self._fields.append(new)
        return self

    def setdefault(self, name: str, value: InputValue, ftype: FieldType | None = None) -> Message:
        """Append the field only if no field of that name exists."""
        if name not in self:
            self.add(name, value, ftype)
        return self

    def remove(self, name: str) -> Message:
        """Remove every field called `name`."""
        self._fields = [f for f in self._fields if f.name != name]
        return self

    # -- reading ------------------------------------------------------------------
    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(self._fields)

    def field(self, name: str) -> Field | None:
        for f in self._fields:
            if f.name == name:
                return f
        return None

    def __getitem__(self, name: str) -> Value:
        f = self.field(name)
        if f is None:
            raise KeyError(name)
        return f.value

    def get(self, name: str, default: Value | None = None) -> Value | None:
        f = self.field(name)
        return default if f is None else f.value

    def get_str(self, name: str) -> str | None:
        f = self.field(name)
        return f.value if f is not None and isinstance(f.value, str) else None

    def get_bytes(self, name: str) -> bytes | None:
        f = self.field(name)
        return f.value if f is not None and isinstance(f.value, bytes) else None

    def get_message(self, name: str) -> Message | None:
        f = self.field(name)
        return f.value if f is not None and isinstance(f.value, Message) else None

    def get_list(self, name: str) -> tuple[str, ...] | None:
        f = self.field(name)
        return f.value if f is not None and isinstance(f.value, tuple) else None

    def get_all(self, name: str) -> list[Value]:
        return [f.value for f in self._fields if f.name == name]

    def __contains__(self, name: object) -> bool:
        return any(f.name == name for f in self._fields)

    def __iter__(self) -> Iterator[str]:
        return (f.name for f in self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def keys(self) -> list[str]:
        return [f.name for f in self._fields]

    def items(self) -> list[tuple[str, Value]]:
        return [(f.name, f.value) for f in self._fields]

    def pairs(self) -> list[tuple[str, str | bytes]]:
        """String and binary fields as (name, value) pairs, in order (others skipped)."""
        return [(f.name, f.value) for f in self._fields if isinstance(f.value, str | bytes)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self._fields == other._fields

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{f.name}={f.value!r}"
            if f.type is FieldType.STRING
            else f"({int(f.type)}){f.name}={f.value!r}"
            for f in self._fields
        )
        return f"Message({inner})"
