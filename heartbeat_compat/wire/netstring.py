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

from .errors import DecodeError, DropReason, EncodeError
from .limits import ParseContext
from .message import Field, FieldType, Message
from .values import (
    EncodeContext,
    add_list,
    algorithm_of,
    check_list_names,
    compress_field,
    decode_name,
    decompress_field,
    encode_name,
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


# -- encoding ------------------------------------------------------------------------
def _encode_value(f: Field, depth: int, algorithm: str, ctx: EncodeContext) -> bytes:
    value = f.value
    if f.type is FieldType.STRING and isinstance(value, str):
        return to_bytes(value, f"field {f.name!r}")
    if f.type is FieldType.BINARY and isinstance(value, bytes):
        return value
    if f.type is FieldType.LIST and isinstance(value, tuple):
        return pack_list(f.name, value, classic=False)
    if f.type is FieldType.COMPRESS and isinstance(value, Message):
        return compress_field(value, algorithm, depth, ctx)
    if f.type in _NESTED and isinstance(value, Message):
        if depth + 1 > ctx.limits.max_depth:
            raise EncodeError("message nested too deeply")
        return encode_message(value, depth + 1, ctx)
    raise EncodeError(f"field {f.name!r}: value does not match type {f.type.name}")


def encode_message(msg: Message, depth: int, ctx: EncodeContext) -> bytes:
    """`###\\n` fields `%%%\\n` (no auth trailer)."""
    algorithm = algorithm_of(msg)
    check_list_names(msg)
    parts = [START]
    for f in msg.fields:
        name = encode_name(f.name, ctx.limits)
        value = _encode_value(f, depth, algorithm, ctx)
        parts.append(b"%d:(%d)%b=%b," % (4 + len(name) + len(value), f.type, name, value))
    parts.append(END)
    return b"".join(parts)


def trailer(auth_string: str) -> bytes:
    raw = auth_string.encode("ascii")
    return b"%d:%b," % (len(raw), raw)


# -- decoding ------------------------------------------------------------------------
def parse_fields(data: bytes, pos: int, depth: int, ctx: ParseContext) -> tuple[Message, int]:
    """Parse fields from `pos` up to a `%%%\n`; return the message and the offset after it."""
    limits = ctx.limits
    max_fields = limits.max_fields
    max_field_len = limits.max_field_len
    size = len(data)
    fields: list[Field] = []
    compressed: list[tuple[int, bytes]] = []
    while not data.startswith(END, pos):
        if pos >= size:
            raise DecodeError(DropReason.TRUNCATED, "no %%% end marker")
        colon = data.find(b":", pos, pos + _MAX_LEN_DIGITS + 1)
        if colon <= pos:
            raise DecodeError(DropReason.BAD_LENGTH, "no field length")
        digits = data[pos:colon]
        if not digits.isdigit() or digits[0] == _ZERO:
            raise DecodeError(DropReason.BAD_LENGTH, "non-canonical field length")
        start = colon + 1
        length = int(digits)
        if length > max_field_len:
            raise DecodeError(DropReason.BAD_LENGTH, f"field of {length} bytes")
        stop = start + length
        if stop >= size or data[stop] != _COMMA:
            raise DecodeError(DropReason.BAD_LENGTH, "field length overruns")
        pos = stop + 1
        # data[start:stop] = "(" digit ")" name "=" value
        if stop - start < 5 or data[start] != _LPAREN or data[start + 2] != _RPAREN:
            raise DecodeError(DropReason.BAD_TYPE, "field without (type) prefix")
        tdigit = data[start + 1] - _ZERO
        if not 0 <= tdigit < _NTYPES:
            raise DecodeError(DropReason.BAD_TYPE, f"type byte {data[start + 1]:#x}")
        ftype = _TYPES[tdigit]
        eq = data.find(b"=", start + 3, stop)
        if eq < 0:
            raise DecodeError(DropReason.MALFORMED, "field without '='")
        name = decode_name(data[start + 3 : eq], limits)
        value = data[eq + 1 : stop]
        if ftype is FieldType.STRING:
            fields.append(Field(name, value.decode(_ENC, _ERRORS), ftype))
        elif ftype is FieldType.BINARY:
            fields.append(Field(name, value, ftype))
        elif ftype is FieldType.LIST:
            add_list(fields, name, unpack_list(value, limits), limits)
        elif ftype is FieldType.COMPRESS:
            compressed.append((len(fields), value))
            fields.append(Field(name, value, FieldType.BINARY))
        else:
            fields.append(Field(name, parse_nested(value, depth + 1, ctx), ftype))
        if len(fields) > max_fields:
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
