"""The codec's shortcuts give the answers of the plain definitions they replace.

Each shortcut is compared, on generated and on damaged input, with the slower code it
stands in for: the result must be the same message, bytes or drop reason.
"""

from __future__ import annotations

import hmac
import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from heartbeat_compat.wire import (
    AuthKey,
    DecodeError,
    EncodeError,
    FieldType,
    Limits,
    Message,
    encode,
    netstring,
)
from heartbeat_compat.wire import classic as classic_format
from heartbeat_compat.wire.auth import keyed_hmac
from heartbeat_compat.wire.decode import parse_payload
from heartbeat_compat.wire.encode import context, sign_classic
from heartbeat_compat.wire.limits import DEFAULT_LIMITS, ParseContext
from heartbeat_compat.wire.message import Field
from heartbeat_compat.wire.values import decoded_names

from .strategies import messages, names, netstring_messages

KEY = AuthKey.of(1, "sha1", "fast-path-secret")
CTX = context()
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("digest", ["sha1", "md5"])
def test_precomputed_hmac_is_rfc2104_for_every_key_length(digest: str) -> None:
    rng = random.Random(2104)
    for key_len in [1, 20, 63, 64, 65, 128, 200]:
        secret = rng.randbytes(key_len)
        mac = keyed_hmac(digest, secret)
        for data_len in [0, 1, 55, 56, 64, 300, 5000]:
            data = rng.randbytes(data_len)
            assert mac(data) == hmac.digest(secret, data, digest).hex()
        key = AuthKey.of(1, digest, secret)
        assert key.token(b"x") == hmac.digest(secret, b"x", digest).hex()
        assert key == AuthKey.of(1, digest, secret)  # the precomputed state is not compared


# -- encode: the classic packet is built from one serialisation of the fields ------------
def _outcome(make: Callable[[], bytes]) -> bytes | str:
    try:
        return make()
    except EncodeError:
        return "EncodeError"


_AUTH_VALUES: list[str | bytes] = ["1 abc", "", "x\ny", b"\x01"]


@st.composite
def with_auth_fields(draw: st.DrawFn) -> Message:
    """A message with 0-2 `auth` fields anywhere (strings, sometimes a binary one)."""
    fields = list(draw(messages).fields)
    for _ in range(draw(st.integers(0, 2))):
        auth = draw(st.sampled_from(_AUTH_VALUES))
        fields.insert(draw(st.integers(0, len(fields))), Field.make("auth", auth))
    return Message(fields)


@SETTINGS
@given(msg=with_auth_fields() | netstring_messages)
def test_classic_encoding_is_the_signed_message_serialised(msg: Message) -> None:
    got = _outcome(lambda: encode(msg, fmt="classic", auth=KEY))
    plain = _outcome(lambda: classic_format.encode_message(sign_classic(msg, KEY, CTX), 0, CTX))
    assert got == plain


@SETTINGS
@given(msg=with_auth_fields(), inner_auth=st.booleans())
def test_netstring_encoding_is_the_signed_message_serialised(
    msg: Message, inner_auth: bool
) -> None:
    def plain() -> bytes:
        signed = sign_classic(msg, KEY, CTX) if inner_auth else msg
        body = netstring.encode_message(signed, 0, CTX)
        return body + netstring.trailer(KEY.auth_string(body))

    got = _outcome(lambda: encode(msg, fmt="netstring", auth=KEY, inner_auth=inner_auth))
    assert got == _outcome(plain)


# -- decode: netstring plain runs read what the field-by-field reader reads ------------
def _field_by_field(data: bytes, limits: Limits) -> tuple[list[Field], int] | str:
    """What parse_fields did before plain runs: `_read_field` from start to `%%%`."""
    ctx = ParseContext(limits, parse_payload)
    fields: list[Field] = []
    compressed: list[tuple[int, bytes]] = []
    pos = len(netstring.START)
    try:
        while not data.startswith(netstring.END, pos):
            pos = netstring._read_field(
                data, pos, 0, ctx, fields, compressed, decoded_names(limits)
            )
            if len(fields) > limits.max_fields:
                return "too_many_fields"
    except DecodeError as exc:
        return str(exc.reason)
    return fields, pos + len(netstring.END)


def _with_runs(data: bytes, limits: Limits) -> tuple[list[Field], int] | str:
    try:
        ctx = ParseContext(limits, parse_payload)
        msg, end = netstring.parse_fields(data, len(netstring.START), 0, ctx)
    except DecodeError as exc:
        return str(exc.reason)
    return list(msg.fields), end


_SEPARATORS = [b",", b":", b"=", b"%%%\n", b"(0)", b"(1)", b"1:", b"0", b"\0"]


@st.composite
def netstring_bodies(draw: st.DrawFn) -> bytes:
    """Encoded messages with plain fields (binary ones full of ','), often damaged."""
    fields = draw(
        st.lists(
            st.tuples(
                names | st.sampled_from(["t", "src", "seq", "auth"]),
                st.text(max_size=12) | st.binary(max_size=12) | st.sampled_from([b",", b",,x"]),
            ),
            max_size=8,
        )
    )
    msg = Message.from_pairs(fields)
    if draw(st.booleans()):  # other types end a plain run (a list first: no name clash)
        msg = Message([Field("l", ("x", "y,z"), FieldType.LIST), *msg.fields])
        msg.add(draw(names), Message.of(a="1"), FieldType.STRUCT)
    data = bytearray(netstring.encode_message(msg, 0, CTX) if len(msg) else b"###\n%%%\n")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "flip"]))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(_SEPARATORS))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 4))]
        elif at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


@SETTINGS
@given(
    data=netstring_bodies(),
    limits=st.builds(
        Limits, max_fields=st.sampled_from([2, 5, 1024]), max_name_len=st.integers(1, 9)
    )
    | st.builds(Limits, max_field_len=st.sampled_from([9, 20])),
)
def test_plain_runs_read_what_the_field_reader_reads(data: bytes, limits: Limits) -> None:
    assume(data.startswith(netstring.START))
    runs = _with_runs(data, limits)  # the first time, names are new to the runs
    assert runs == _field_by_field(data, limits)
    assert _with_runs(data, limits) == runs  # now known


def test_a_comma_in_a_value_only_ends_a_plain_run() -> None:
    msg = Message.of(t="status", cp=b"a,b", z=b",", src="n1")
    data = netstring.encode_message(msg, 0, CTX)
    got = _with_runs(data, DEFAULT_LIMITS)
    assert got == _field_by_field(data, DEFAULT_LIMITS)
    assert got == (list(msg.fields), len(data))


# -- decode: the classic auth line where senders put it ---------------------------------
_LINES = st.sampled_from(
    [b"t=status", b"auth=1 ab", b"(1)auth=x", b"(1)x=auth=", b"xauth=1", b"a=auth=", b"(=)auth=1"]
)


@SETTINGS
@given(lines=st.lists(_LINES | st.binary(min_size=1, max_size=6).filter(lambda b: b"\n" not in b)))
def test_classic_auth_line_shortcut(lines: list[bytes]) -> None:
    def outcome(split: Callable[[list[bytes]], tuple[bytes, bytes]]) -> object:
        try:
            return split(lines)
        except DecodeError as exc:
            return exc.reason

    assert outcome(classic_format.split_auth) == outcome(classic_format.split_auth_anywhere)
