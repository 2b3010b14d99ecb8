"""Value helpers shared by both encodings: names, strings, string lists, compressed fields."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .compress import COMPRESS_NAME, DEFAULT_ALGORITHM, compress, decompress
from .errors import DecodeError, DropReason, EncodeError
from .limits import Limits, ParseContext
from .message import Field, FieldType, Message

_ENC = "utf-8"
_ERRORS = "surrogateescape"  # any byte string survives bytes -> str -> bytes

_FORBIDDEN_IN_NAME = (b"=", b"\n", b"\0")


def to_bytes(text: str, name: str, what: str = "field") -> bytes:
    """`text` as wire bytes; `what` and `name` say whose it is if it cannot be."""
    try:
        return text.encode(_ENC, _ERRORS)
    except UnicodeEncodeError:
        raise EncodeError(f"{what} {name!r} is not encodable text") from None


def to_str(raw: bytes) -> str:
    return raw.decode(_ENC, _ERRORS)


def name_problem(raw: bytes, limits: Limits) -> str | None:
    """Why `raw` cannot be a field name in either encoding (None if it can)."""
    if not raw:
        return "empty name"
    if len(raw) > limits.max_name_len:
        return "name too long"
    if raw[:1] == b"(" or raw.startswith(b">>>"):
        return "name starts with '(' or '>>>'"
    for bad in _FORBIDDEN_IN_NAME:
        if bad in raw:
            return "name contains '=', newline or NUL"
    return None


# Names already checked (heartbeat uses a few dozen) skip the checks: look a name up in
# `encoded_names(limits)` / `decoded_names(limits)` first (`names.get(name) or
# encode_name(name, limits)`), which is all most fields need. One table per name length
# limit (the only limit that applies to names); each is bounded.
_ENCODED_NAMES: dict[int, dict[str, bytes]] = {}
_DECODED_NAMES: dict[int, dict[bytes, str]] = {}
_NAME_CACHE_MAX = 4096


def encoded_names(limits: Limits) -> dict[str, bytes]:
    """Names already accepted for sending under `limits`."""
    names = _ENCODED_NAMES.get(limits.max_name_len)
    if names is None:
        names = _ENCODED_NAMES.setdefault(limits.max_name_len, {})
    return names


def encode_name(name: str, limits: Limits) -> bytes:
    """Check a name for sending (EncodeError if it cannot be sent) and encode it."""
    raw = to_bytes(name, name, "field name")
    problem = name_problem(raw, limits)
    if problem is not None:
        raise EncodeError(f"field {name!r}: {problem}")
    names = encoded_names(limits)
    if len(names) < _NAME_CACHE_MAX:
        names[name] = raw
    return raw


def decoded_names(limits: Limits) -> dict[bytes, str]:
    """Received names already accepted under `limits`."""
    names = _DECODED_NAMES.get(limits.max_name_len)
    if names is None:
        names = _DECODED_NAMES.setdefault(limits.max_name_len, {})
    return names


def decode_name(raw: bytes, limits: Limits) -> str:
    """Check a received name (DecodeError if it is not acceptable) and decode it."""
    problem = name_problem(raw, limits)
    if problem is not None:
        raise DecodeError(DropReason.BAD_NAME, problem)
    name = raw.decode(_ENC, _ERRORS)
    names = decoded_names(limits)
    if len(names) < _NAME_CACHE_MAX:
        names[raw] = name
    return name


# -- string lists: "<len>:<elem>," repeated (cl_msg_types.c string_list_pack) ------
def pack_list(name: str, items: tuple[str, ...], *, classic: bool) -> bytes:
    if not items:
        raise EncodeError(f"list field {name!r} is empty")
    out = bytearray()
    for item in items:
        raw = to_bytes(item, name, "list field")
        if not raw or b"\0" in raw or (classic and b"\n" in raw):
            raise EncodeError(f"list field {name!r}: empty element, NUL or newline")
        out += b"%d:%b," % (len(raw), raw)
    return bytes(out)


def add_list(fields: list[Field], name: str, items: tuple[str, ...], limits: Limits) -> None:
    """Add a LIST field as cluster-glue's `add_list_field` does.

    A list whose name is already used is merged into that earlier list (its elements
    appended); if the earlier field of that name is not a list the message is invalid.
    """
    for i, f in enumerate(fields):
        if f.name == name:
            if not isinstance(f.value, tuple):
                raise DecodeError(DropReason.BAD_VALUE, f"list {name!r} reuses a field name")
            merged = f.value + items
            if len(merged) > limits.max_list_items:
                raise DecodeError(DropReason.BAD_VALUE, "too many list elements")
            fields[i] = Field(name, merged, FieldType.LIST)
            return
    fields.append(Field(name, items, FieldType.LIST))


def check_list_name(fields: Sequence[Field], index: int) -> None:
    """Encoder side of `add_list`: the list `fields[index]` must not reuse an earlier
    field's name (it would be merged into that field when received)."""
    name = fields[index].name
    if any(f.name == name for f in fields[:index]):
        raise EncodeError(f"list field {name!r}: name already used in this message")


def unpack_list(raw: bytes, limits: Limits) -> tuple[str, ...]:
    """Strict inverse of `pack_list`: canonical lengths, every element followed by ','."""
    items: list[str] = []
    pos = 0
    end = len(raw)
    if end == 0:
        raise DecodeError(DropReason.BAD_VALUE, "empty list")
    while pos < end:
        colon = raw.find(b":", pos, pos + 8)
        if colon <= pos:
            raise DecodeError(DropReason.BAD_LENGTH, "list element length")
        digits = raw[pos:colon]
        if not digits.isdigit() or digits[:1] == b"0":
            raise DecodeError(DropReason.BAD_LENGTH, "list element length")
        n = int(digits)
        start = colon + 1
        stop = start + n
        if stop >= end or raw[stop] != 0x2C:  # ','
            raise DecodeError(DropReason.BAD_LENGTH, "list element overruns")
        elem = raw[start:stop]
        if b"\0" in elem:
            raise DecodeError(DropReason.BAD_VALUE, "NUL in list element")
        items.append(to_str(elem))
        if len(items) > limits.max_list_items:
            raise DecodeError(DropReason.BAD_VALUE, "too many list elements")
        pos = stop + 1
    return tuple(items)


# -- field-level compression (FT_COMPRESS) -------------------------------------------
PayloadEncoder = Callable[[Message, int, "EncodeContext"], bytes]


@dataclass(frozen=True, slots=True)
class EncodeContext:
    limits: Limits
    encode_payload: PayloadEncoder


def algorithm_of(fields: Iterable[Field]) -> str:
    """The compression algorithm a message names for its COMPRESS fields (the first
    `_compression_algorithm` field, if it is a non-empty string), else the default."""
    for f in fields:
        if f.name == COMPRESS_NAME:
            return f.value if isinstance(f.value, str) and f.value else DEFAULT_ALGORITHM
    return DEFAULT_ALGORITHM


def compress_field(child: Message, algorithm: str, depth: int, ctx: EncodeContext) -> bytes:
    """Wire bytes of a COMPRESS field whose parent message is at `depth`."""
    if depth + 1 > ctx.limits.max_depth:
        raise EncodeError("message nested too deeply")
    payload = ctx.encode_payload(child, depth + 1, ctx)
    if len(payload) > ctx.limits.max_uncompressed:
        raise EncodeError("compressed field too large before compression")
    return compress(payload, algorithm)


def decompress_field(raw: bytes, algorithm: str | None, depth: int, ctx: ParseContext) -> Message:
    """The nested message of a COMPRESS field whose parent message is at `depth`."""
    if algorithm is None:
        raise DecodeError(DropReason.UNKNOWN_COMPRESSION, "no _compression_algorithm field")
    ctx.check_depth(depth + 1)
    limits = ctx.limits
    budget = min(limits.max_uncompressed, limits.max_decompressed_total - ctx.decompressed)
    payload = decompress(raw, algorithm, max(budget, 0))
    ctx.decompressed += len(payload)
    return ctx.parse_payload(payload, depth + 1, ctx)
