"""Netstring (`###` ... `%%%`) encoding, as cluster-glue `cl_netstring.c` does it.

```
message  = "###" LF *( len ":" "(" type ")" name "=" value "," ) "%%%" LF [ trailer ]
trailer  = len ":" authidx SP token ","
```

`len` is the decimal byte length of what follows up to the ','. Values are raw bytes
(strings, binary), a nested `###`...`%%%` message (struct, type 5), the packed list,
or the compressed nested message (type 4).

The reader is strict where cluster-glue is trusting: lengths must be canonical
decimal and stay inside the buffer, every field must carry a `(0)`-`(5)` type prefix
and a non-empty name, and a nested message must fill its value exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .errors import DecodeError, DropReason, EncodeError
from .limits import Limits, ParseContext
from .message import Field, FieldType, Message
from .values import (
    EncodeContext,
    add_list,
    algorithm_of,
    check_list_name,
    compress_field,
    decode_name,
    decoded_names,
    decompress_field,
    encode_name,
    encoded_names,
    pack_list,
    to_bytes,
    unpack_list,
)

START = b"###\n"
END = b"%%%\n"
_MAX_LEN_DIGITS = 7  # > MAXUNCOMPRESSED
_ZERO = 0x30
_COMMA = 0x2C
_LPAREN = 0x28
_RPAREN = 0x29
_TYPES = tuple(FieldType)
_NTYPES = len(_TYPES)
_ENC = "utf-8"
_ERRORS = "surrogateescape"
_NESTED = (FieldType.STRUCT, FieldType.UNCOMPRESS)
_TYPE_TAG = {t: b"(%d)" % t for t in FieldType}
_STRING = FieldType.STRING  # module constants: an enum attribute costs a lookup each time
_BINARY = FieldType.BINARY


# -- encoding ------------------------------------------------------------------------
def _encode_value(fields: Sequence[Field], index: int, depth: int, ctx: EncodeContext) -> bytes:
    f = fields[index]
    value = f.value
    if f.type is FieldType.STRING and isinstance(value, str):
        return to_bytes(value, f.name)
    if f.type is FieldType.BINARY and isinstance(value, bytes):
        return value
    if f.type is FieldType.LIST and isinstance(value, tuple):
        check_list_name(fields, index)
        return pack_list(f.name, value, classic=False)
    if f.type is FieldType.COMPRESS and isinstance(value, Message):
        return compress_field(value, algorithm_of(fields), depth, ctx)
    if f.type in _NESTED and isinstance(value, Message):
        if depth + 1 > ctx.limits.max_depth:
            raise EncodeError("message nested too deeply")
        return encode_message(value, depth + 1, ctx)
    raise EncodeError(f"field {f.name!r}: value does not match type {f.type.name}")


def encode_message(msg: Message, depth: int, ctx: EncodeContext) -> bytes:
    """`###\\n` fields `%%%\\n` (no auth trailer)."""
    fields = msg.fields
    limits = ctx.limits
    names = encoded_names(limits)
    parts = [START]
    for index, f in enumerate(fields):
        name = names.get(f.name) or encode_name(f.name, limits)
        if f.type is _STRING and isinstance(f.value, str):  # most fields
            try:
                value = f.value.encode(_ENC, _ERRORS)  # to_bytes, without a call
            except UnicodeEncodeError:
                value = to_bytes(f.value, f.name)  # raises the EncodeError
        else:
            value = _encode_value(fields, index, depth, ctx)
        parts.append(b"%d:%b%b=%b," % (4 + len(name) + len(value), _TYPE_TAG[f.type], name, value))
    parts.append(END)
    return b"".join(parts)


def trailer(auth_string: str) -> bytes:
    raw = auth_string.encode("ascii")
    return b"%d:%b," % (len(raw), raw)


# -- decoding ------------------------------------------------------------------------
# The head of a well-formed field, `len:(type)name=`: a canonical length of at most
# _MAX_LEN_DIGITS digits, a type digit and a name of bytes other than '=' (which
# `decode_name` checks further). One match replaces a dozen checks per field; a field
# that does not match (or whose '=' lies beyond its length) is diagnosed by `_field_error`.
_FIELD_HEAD = re.compile(rb"([1-9][0-9]{0,6}):\(([0-5])\)([^=]+)=")  # 7 digits, 6 types


def _field_error(data: bytes, pos: int, limits: Limits) -> DecodeError:
    """Why the field at `pos` is not acceptable (the checks in the order they apply)."""
    size = len(data)
    if pos >= size:
        return DecodeError(DropReason.TRUNCATED, "no %%% end marker")
    colon = data.find(b":", pos, pos + _MAX_LEN_DIGITS + 1)
    if colon <= pos:
        return DecodeError(DropReason.BAD_LENGTH, "no field length")
    digits = data[pos:colon]
    if not digits.isdigit() or digits[0] == _ZERO:
        return DecodeError(DropReason.BAD_LENGTH, "non-canonical field length")
    start = colon + 1
    length = int(digits)
    if length > limits.max_field_len:
        return DecodeError(DropReason.BAD_LENGTH, f"field of {length} bytes")
    stop = start + length
    if stop >= size or data[stop] != _COMMA:
        return DecodeError(DropReason.BAD_LENGTH, "field length overruns")
    # data[start:stop] = "(" digit ")" name "=" value
    if stop - start < 5 or data[start] != _LPAREN or data[start + 2] != _RPAREN:
        return DecodeError(DropReason.BAD_TYPE, "field without (type) prefix")
    if not 0 <= data[start + 1] - _ZERO < _NTYPES:
        return DecodeError(DropReason.BAD_TYPE, f"type byte {data[start + 1]:#x}")
    eq = data.find(b"=", start + 3, stop)
    if eq < 0:
        return DecodeError(DropReason.MALFORMED, "field without '='")
    decode_name(data[start + 3 : eq], limits)  # raises for the empty name
    return DecodeError(DropReason.MALFORMED, "bad field")  # not reached


# Most fields are plain: a string or binary value without ',', under a name seen before.
# `_read_plain_run` reads the run of such fields at `pos` with two regex calls instead
# of a dozen operations per field: _PLAIN_RUN (anchored) finds where fields of the plain
# shape stop following one another, findall splits that run into the same fields (each
# one's extent is fixed by where it starts), and each is accepted, in order, only if its
# name is known and its declared length is what was matched (a ',' in a value ends the
# match early). The first one that is not ends the run; `_read_field` reads it and
# anything else, with every check and the exact reason for a drop.
_PLAIN_FIELD = re.compile(rb"([1-9][0-9]{0,6}):\(([01])\)([^=]+)=([^,]*),")
_PLAIN_RUN = re.compile(rb"(?:[1-9][0-9]{0,6}:\([01]\)[^=]+=[^,]*,)*")


def _read_plain_run(
    data: bytes, pos: int, fields: list[Field], names: dict[bytes, str], limits: Limits
) -> int:
    """Append the plain fields that follow one another from `pos`; return where they end."""
    run = _PLAIN_RUN.match(data, pos)  # matches, if only the empty run
    end = run.end() if run else pos
    found = _PLAIN_FIELD.findall(data, pos, end)
    room = limits.max_fields - len(fields)  # the field over the limit is left to _read_field
    max_field_len = limits.max_field_len
    first = len(fields)
    for digits, tdigit, raw_name, value in found[:room]:
        name = names.get(raw_name)
        length = int(digits)  # of "(t)" name "=" value
        if name is None or length != 4 + len(raw_name) + len(value) or length > max_field_len:
            break
        if tdigit == b"0":
            fields.append(Field(name, value.decode(_ENC, _ERRORS), _STRING))
        else:
            fields.append(Field(name, value, _BINARY))
    taken = len(fields) - first
    if taken == len(found):
        return end
    return pos + sum(len(digits) + 2 + int(digits) for digits, *_ in found[:taken])


def _read_field(
    data: bytes,
    pos: int,
    depth: int,
    ctx: ParseContext,
    fields: list[Field],
    compressed: list[tuple[int, bytes]],
    names: dict[bytes, str],
) -> int:
    """Append the field at `pos`, of any type; return the position after it."""
    limits = ctx.limits
    m = _FIELD_HEAD.match(data, pos)
    if m is None:
        raise _field_error(data, pos, limits)
    digits, tdigit, raw_name = m.groups()
    length = int(digits)
    start = m.end()  # the value's first byte
    stop = pos + len(digits) + 1 + length  # the ',' after the value
    if length > limits.max_field_len or start > stop or data[stop : stop + 1] != b",":
        raise _field_error(data, pos, limits)
    name = names.get(raw_name) or decode_name(raw_name, limits)
    value = data[start:stop]
    if tdigit == b"0":
        fields.append(Field(name, value.decode(_ENC, _ERRORS), _STRING))
    elif tdigit == b"1":
        fields.append(Field(name, value, _BINARY))
    elif tdigit == b"3":
        add_list(fields, name, unpack_list(value, limits), limits)
    elif tdigit == b"4":
        compressed.append((len(fields), value))
        fields.append(Field(name, value, _BINARY))
    else:  # 2, 5
        ftype = _TYPES[tdigit[0] - _ZERO]
        fields.append(Field(name, parse_nested(value, depth + 1, ctx), ftype))
    return stop + 1


def parse_fields(data: bytes, pos: int, depth: int, ctx: ParseContext) -> tuple[Message, int]:
    """Parse fields from `pos` up to a `%%%\\n`; return the message and the offset after it."""
    limits = ctx.limits
    names = decoded_names(limits)
    fields: list[Field] = []
    compressed: list[tuple[int, bytes]] = []
    while True:
        pos = _read_plain_run(data, pos, fields, names, limits)
        if data.startswith(END, pos):
            break
        pos = _read_field(data, pos, depth, ctx, fields, compressed, names)
        if len(fields) > limits.max_fields:
            raise DecodeError(DropReason.TOO_MANY_FIELDS, "too many fields")
    ctx.count_fields(len(fields))
    msg = Message._from_trusted(fields)
    if compressed:
        algorithm = msg.get_str("_compression_algorithm")
        for index, raw in compressed:
            sub = decompress_field(raw, algorithm, depth, ctx)
            fields[index] = Field(fields[index].name, sub, FieldType.COMPRESS)
    return msg, pos + len(END)


def parse_nested(value: bytes, depth: int, ctx: ParseContext) -> Message:
    """A complete nested message that must fill `value` exactly."""
    ctx.check_depth(depth)
    if not value.startswith(START):
        raise DecodeError(DropReason.BAD_VALUE, "nested message without ###")
    msg, end = parse_fields(value, len(START), depth, ctx)
    if end != len(value):
        raise DecodeError(DropReason.TRAILING_GARBAGE, "bytes after nested %%%")
    return msg


def parse_message(
    data: bytes, depth: int, ctx: ParseContext, *, allow_trailing_nul: bool
) -> Message:
    """Parse an unauthenticated netstring message (compression payloads)."""
    if not data.startswith(START):
        raise DecodeError(DropReason.BAD_MAGIC, "no ###")
    msg, end = parse_fields(data, len(START), depth, ctx)
    rest = data[end:]
    if rest and not (allow_trailing_nul and rest == b"\0"):
        raise DecodeError(DropReason.TRAILING_GARBAGE, "bytes after %%%")
    return msg


def split_trailer(data: bytes) -> tuple[int, bytes]:
    """Locate the auth trailer: (length of the signed part, auth string bytes).

    The signed part ends with the last `%%%\\n` in the packet: the trailer itself
    (`len:idx token,`) cannot contain `%`, so this is found without trusting any
    length field of the body.
    """
    end = data.rfind(END)
    if end < len(START):
        raise DecodeError(DropReason.TRUNCATED, "no %%% end marker")
    signed_len = end + len(END)
    tail = data[signed_len:]
    if not tail:
        raise DecodeError(DropReason.NO_AUTH, "no auth trailer")
    colon = tail.find(b":", 0, 4)
    digits = tail[:colon]
    if colon <= 0 or not digits.isdigit() or digits[0] == _ZERO:
        raise DecodeError(DropReason.BAD_AUTH_FORMAT, "auth trailer length")
    n = int(digits)
    if len(tail) != colon + 1 + n + 1 or tail[-1] != 0x2C:
        raise DecodeError(DropReason.BAD_AUTH_FORMAT, "auth trailer length mismatch")
    return signed_len, tail[colon + 1 : -1]
