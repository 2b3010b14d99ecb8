"""Classic (`>>>` ... `<<<`) encoding, as cluster-glue `cl_msg.c` reads and writes it.

```
message = ">>>" LF *( ["(" type ")"] name "=" value LF ) "<<<" LF
```

* strings: raw, with LF written as byte 0x13 (and 0x13 read back as LF);
* binary and compressed: standard base64 with padding;
* struct: the nested classic message with its LFs replaced by `SPECIAL_SYMS[depth]`
  (depth of the message that holds the field);
* list: the packed `len:elem,` value.

Differences from the C reader, all on the strict side: the `<<<` line is required,
only a single NUL may follow it, NUL bytes elsewhere, type digits other than 1-4,
non-canonical lengths and malformed base64 drop the packet.
"""

from __future__ import annotations

import binascii
from binascii import a2b_base64, b2a_base64
from collections.abc import Sequence

from .errors import DecodeError, DropReason, EncodeError
from .limits import ParseContext
from .message import AUTH_FIELD, Field, FieldType, Message
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

START = b">>>\n"
END = b"<<<\n"
STRING_NL = 0x13  # SPECIAL_SYM: LF inside string values
SPECIAL_SYMS = bytes([20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 15, 16, 17, 18])

_STRING = FieldType.STRING  # module constant: an enum attribute costs a lookup each time
_ENC = "utf-8"
_ERRORS = "surrogateescape"  # as values.to_bytes / to_str, inlined in the field loops
_LPAREN = 0x28
_RPAREN = 0x29
_NL_TO_SYM = bytes.maketrans(b"\n", b"\x13")
_SYM_TO_NL = bytes.maketrans(b"\x13", b"\n")
_TYPE_PREFIX = {t: b"(%d)" % t for t in FieldType}
_CLASSIC_TYPES = {ord("1"): FieldType.BINARY, ord("2"): FieldType.STRUCT}
_CLASSIC_TYPES[ord("3")] = FieldType.LIST
_CLASSIC_TYPES[ord("4")] = FieldType.COMPRESS


# -- encoding ------------------------------------------------------------------------
def _string_value(name: str, value: str) -> bytes:
    try:
        raw = value.encode(_ENC, _ERRORS)  # to_bytes, without a call
    except UnicodeEncodeError:
        raw = to_bytes(value, name)  # raises the EncodeError
    if not raw or b"\0" in raw or b"\x13" in raw:
        raise EncodeError(f"field {name!r}: empty, NUL or 0x13 in a classic string")
    return raw.translate(_NL_TO_SYM)


def _encode_value(fields: Sequence[Field], index: int, depth: int, ctx: EncodeContext) -> bytes:
    f = fields[index]
    value = f.value
    if f.type is FieldType.STRING and isinstance(value, str):
        return _string_value(f.name, value)
    if f.type is FieldType.BINARY and isinstance(value, bytes):
        if not value:
            raise EncodeError(f"field {f.name!r}: empty binary value cannot be classic")
        return b2a_base64(value, newline=False)
    if f.type is FieldType.LIST and isinstance(value, tuple):
        check_list_name(fields, index)
        return pack_list(f.name, value, classic=True)
    if f.type is FieldType.STRUCT and isinstance(value, Message):
        if depth + 1 > min(ctx.limits.max_depth, len(SPECIAL_SYMS)):
            raise EncodeError("message nested too deeply")
        child = encode_message(value, depth + 1, ctx)
        sym = SPECIAL_SYMS[depth : depth + 1]
        if sym in child:
            raise EncodeError(f"field {f.name!r}: nested message contains byte {sym!r}")
        return child.replace(b"\n", sym)
    if f.type is FieldType.COMPRESS and isinstance(value, Message):
        return b2a_base64(compress_field(value, algorithm_of(fields), depth, ctx), newline=False)
    raise EncodeError(f"field {f.name!r}: no classic encoding for {f.type.name} of this value")


def field_lines(
    msg: Message, depth: int, ctx: EncodeContext, *, skip_auth: bool = False
) -> list[bytes]:
    """One `[(t)]name=value\\n` line per field."""
    fields = msg.fields
    limits = ctx.limits
    names = encoded_names(limits)
    lines = []
    for index, f in enumerate(fields):
        if skip_auth and f.name == AUTH_FIELD:
            continue
        name = names.get(f.name) or encode_name(f.name, limits)
        if f.type is _STRING and isinstance(f.value, str):  # most fields
            lines.append(name + b"=" + _string_value(f.name, f.value) + b"\n")
        else:
            value = _encode_value(fields, index, depth, ctx)
            lines.append(_TYPE_PREFIX[f.type] + name + b"=" + value + b"\n")
    return lines


def encode_message(msg: Message, depth: int, ctx: EncodeContext) -> bytes:
    return START + b"".join(field_lines(msg, depth, ctx)) + END


def signed_text(msg: Message, ctx: EncodeContext) -> bytes:
    """What the classic `auth` field signs: every field line except `auth` ones."""
    return b"".join(field_lines(msg, 0, ctx, skip_auth=True))


def auth_line(auth_string: str) -> bytes:
    """The line of an `auth` field (an auth string never holds LF, NUL or 0x13)."""
    return b"auth=" + auth_string.encode("ascii") + b"\n"


# -- decoding ------------------------------------------------------------------------
def split_lines(data: bytes, *, allow_trailing_nul: bool) -> list[bytes]:
    """The non-empty field lines of a classic message (without their LF)."""
    if not data.startswith(START):
        raise DecodeError(DropReason.BAD_MAGIC, "no >>>")
    end = data.find(b"\n<<<\n", len(START) - 1)
    if end < 0:
        raise DecodeError(DropReason.TRUNCATED, "no <<< line")
    rest = data[end + 5 :]
    if rest and not (allow_trailing_nul and rest == b"\0"):
        raise DecodeError(DropReason.TRAILING_GARBAGE, "bytes after <<<")
    body = data[len(START) : end]
    if b"\0" in body:
        raise DecodeError(DropReason.MALFORMED, "NUL inside a classic message")
    return [line for line in body.split(b"\n") if line]


def split_auth(lines: list[bytes]) -> tuple[bytes, bytes]:
    """(the signed text: every line but the one `auth` line, each + LF; the auth string).

    DecodeError if there is no `auth` line, more than one, or one with a type prefix.
    """
    if lines and lines[-1].startswith(b"auth="):  # where senders put it
        signed = b"\n".join([*lines[:-1], b""])
        if b"auth=" not in signed:  # then no other line names auth, typed or not
            return signed, lines[-1][5:]
    return split_auth_anywhere(lines)


def split_auth_anywhere(lines: list[bytes]) -> tuple[bytes, bytes]:
    """`split_auth`, line by line, wherever the `auth` line is."""
    found = [index for index, line in enumerate(lines) if line.startswith(b"auth=")]
    for line in lines:  # "(t)auth=": the first '=' right after the name auth
        if line[:1] == b"(" and line[3:8] == b"auth=" and b"=" not in line[:3]:
            raise DecodeError(DropReason.BAD_AUTH_FORMAT, "typed auth field")
    if not found:
        raise DecodeError(DropReason.NO_AUTH, "no auth field")
    if len(found) > 1:
        raise DecodeError(DropReason.BAD_AUTH_FORMAT, "more than one auth field")
    at = found[0]
    return b"\n".join([*lines[:at], *lines[at + 1 :], b""]), lines[at][5:]


def parse_lines(lines: list[bytes], depth: int, ctx: ParseContext) -> Message:
    limits = ctx.limits
    if len(lines) > limits.max_fields:
        raise DecodeError(DropReason.TOO_MANY_FIELDS, f"{len(lines)} fields")
    ctx.count_fields(len(lines))
    fields: list[Field] = []
    compressed: list[tuple[int, bytes]] = []
    max_field_len = limits.max_field_len
    names = decoded_names(limits)
    for line in lines:
        if len(line) > max_field_len:
            raise DecodeError(DropReason.BAD_LENGTH, f"line of {len(line)} bytes")
        raw_name, eq, value = line.partition(b"=")
        if not eq or not raw_name:
            raise DecodeError(DropReason.MALFORMED, "line without name=value")
        if not value:
            raise DecodeError(DropReason.BAD_VALUE, "empty value")
        if raw_name[0] != _LPAREN:  # no type prefix: a string, like most fields
            name = names.get(raw_name) or decode_name(raw_name, limits)
            text = value.translate(_SYM_TO_NL).decode(_ENC, _ERRORS)
            fields.append(Field(name, text, _STRING))
            continue
        if len(raw_name) < 4 or raw_name[2] != _RPAREN:
            raise DecodeError(DropReason.BAD_TYPE, "bad type prefix")
        ftype = _CLASSIC_TYPES.get(raw_name[1])
        if ftype is None:
            raise DecodeError(DropReason.BAD_TYPE, "unknown classic type digit")
        raw_name = raw_name[3:]
        name = names.get(raw_name) or decode_name(raw_name, limits)
        if ftype is FieldType.BINARY or ftype is FieldType.COMPRESS:
            try:
                raw = a2b_base64(value, strict_mode=True)  # = b64decode(validate=True)
            except (binascii.Error, ValueError):
                raise DecodeError(DropReason.BAD_VALUE, "bad base64") from None
            if ftype is FieldType.COMPRESS:
                compressed.append((len(fields), raw))
            fields.append(Field(name, raw, FieldType.BINARY))
        elif ftype is FieldType.LIST:
            add_list(fields, name, unpack_list(value, limits), limits)
        else:  # STRUCT
            ctx.check_depth(depth + 1)
            if depth >= len(SPECIAL_SYMS):
                raise DecodeError(DropReason.TOO_DEEP, "no special symbol at this depth")
            child = value.replace(SPECIAL_SYMS[depth : depth + 1], b"\n")
            sub = parse_lines(split_lines(child, allow_trailing_nul=False), depth + 1, ctx)
            fields.append(Field(name, sub, ftype))
    msg = Message._from_trusted(fields)
    if compressed:
        algorithm = msg.get_str("_compression_algorithm")
        for index, raw in compressed:
            sub = decompress_field(raw, algorithm, depth, ctx)
            fields[index] = Field(fields[index].name, sub, FieldType.COMPRESS)
    return msg


def parse_message(
    data: bytes, depth: int, ctx: ParseContext, *, allow_trailing_nul: bool
) -> Message:
    """Parse a classic message without authenticating it (nested and payload use)."""
    return parse_lines(split_lines(data, allow_trailing_nul=allow_trailing_nul), depth, ctx)
