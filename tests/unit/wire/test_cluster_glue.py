"""Differential test against the real cluster-glue 1.0.12 message library (libplumb).

Whatever we encode, heartbeat's own C code parses and writes back byte for byte the
same — for every field type (string with LF, binary, nested struct at several depths,
string list), both encodings, field-level zlib/bz2 compression and the whole-message
compressed envelope. (The 29 captured packets cover what the daemon itself sends.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heartbeat_compat.wire import AuthKey, FieldType, Message, encode
from heartbeat_compat.wire.classic import encode_message as classic_message
from heartbeat_compat.wire.encode import context
from heartbeat_compat.wire.netstring import encode_message as netstring_message
from tests.fixtures.tools import Spawned, require_path

from .strategies import messages

PLUMB = "/usr/lib/libplumb.so.2"
PILS = "/usr/lib/libpils.so.2"
ORACLE = Path(__file__).with_name("glue_oracle.py")
CTX = context()


class Glue:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc

    def ask(self, data: bytes, struct: str | None = None) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"data": data.hex(), "struct": struct}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "cluster-glue oracle died"
        reply: dict[str, Any] = json.loads(line)
        return reply

    def reencode(self, data: bytes) -> tuple[bytes, bytes]:
        reply = self.ask(data)
        assert reply["parsed"], data
        return bytes.fromhex(reply["netstring"]), bytes.fromhex(reply["classic"])


@pytest.fixture(scope="module")
def glue() -> Iterator[Glue]:
    require_path(PLUMB, "cluster-glue's libplumb (Debian libplumb2, pulled in by heartbeat)")
    require_path(PILS, "cluster-glue's libpils (Debian libpils2, pulled in by heartbeat)")
    tracker = Spawned()
    proc = tracker.popen(
        [sys.executable, str(ORACLE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield Glue(proc)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        tracker.close()


GLUE_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def test_every_field_type_in_both_encodings(glue: Glue) -> None:
    msg = Message.of(
        t="x",
        info="two\nlines",
        b=b"\x00\xff\n,=",
        l=("abc", "de f"),
        st=Message.of(a="1", deeper=Message.of(b="2", l=("x",))),
    )
    ours_ns = netstring_message(msg, 0, CTX)
    ours_cl = classic_message(msg, 0, CTX)
    assert glue.reencode(ours_ns) == (ours_ns, ours_cl)
    assert glue.reencode(ours_cl) == (ours_ns, ours_cl)


@GLUE_SETTINGS
@given(msg=messages)
def test_generated_messages_match_cluster_glue(glue: Glue, msg: Message) -> None:
    ours_ns = netstring_message(msg, 0, CTX)
    ours_cl = classic_message(msg, 0, CTX)
    assert glue.reencode(ours_ns) == (ours_ns, ours_cl)
    assert glue.reencode(ours_cl) == (ours_ns, ours_cl)


@pytest.mark.parametrize("algorithm", ["zlib", "bz2"])
@pytest.mark.parametrize("fmt", ["netstring", "classic"])
def test_compressed_fields_inflate_in_cluster_glue(glue: Glue, algorithm: str, fmt: str) -> None:
    child = Message.of(cib="x" * 400, n="1", sub=Message.of(a="b"))
    msg = Message.of(t="cib").add("c", child, FieldType.COMPRESS)
    msg.add("_compression_algorithm", algorithm)
    data = netstring_message(msg, 0, CTX) if fmt == "netstring" else classic_message(msg, 0, CTX)
    reply = glue.ask(data, struct="c")
    assert reply["parsed"]
    assert bytes.fromhex(reply["struct_classic"]) == classic_message(child, 0, CTX)


@st.composite
def _big(draw: st.DrawFn) -> Message:
    msg = draw(messages)
    msg.add("padding", "p" * draw(st.integers(300, 3000)))
    return msg


@settings(GLUE_SETTINGS, max_examples=30)
@given(msg=_big(), algorithm=st.sampled_from(["zlib", "bz2"]))
def test_whole_message_compression_inflates_in_cluster_glue(
    glue: Glue, msg: Message, algorithm: str
) -> None:
    key = AuthKey.of(1, "sha1", "s")
    packet = encode(msg, fmt="classic", auth=key, compress_threshold=256, compression=algorithm)
    assert b"_compressed_payload" in packet
    envelope = packet[: packet.rindex(b"%%%\n") + 4]
    _, classic = glue.reencode(envelope)  # wirefmt2msg inflates the envelope
    assert classic == encode(msg, fmt="classic", auth=key)
