"""The engine + wire codec reproduce packets captured from heartbeat 3.0.6 byte for byte.

Vectors: /work/shared/reference/hbv1-captures/test-vectors.json (read at test time).
The engine is given the capture's identity (uuid, generation), clock and load
average; what it builds must then encode exactly as the real daemon did.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from heartbeat_compat.membership.codec import WireCodec
from heartbeat_compat.membership.engine import EngineConfig, MembershipEngine
from heartbeat_compat.membership.fields import Fields, get_str
from heartbeat_compat.membership.outgoing import MessageFactory
from heartbeat_compat.membership.timing import Timing
from heartbeat_compat.wire import AuthKeys
from tests.fixtures.tools import SHARED, require_path

VECTORS = SHARED / "reference/hbv1-captures/test-vectors.json"
KEYS = AuthKeys.from_mapping(
    {1: ("sha1", "hbv1-sha1-secret"), 2: ("md5", "hbv1-md5-secret"), 3: ("crc", None)}, active=1
)


@pytest.fixture(scope="module")
def vectors() -> dict[str, dict[str, Any]]:
    require_path(VECTORS, "the heartbeat capture vectors")
    data = json.loads(VECTORS.read_text())
    return {v["name"]: v for v in data["vectors"]}


def field(vec: dict[str, Any], name: str) -> str | bytes:
    for f in vec["fields"]:
        if f["name"] == name:
            return base64.b64decode(f["value_b64"]) if f["type"] == 1 else str(f["value"])
    raise KeyError(name)


def engine_like(vec: dict[str, Any], me: str, loads: Iterator[str], ts: str) -> MembershipEngine:
    uuid = field(vec, "srcuuid")
    assert isinstance(uuid, bytes)
    generation = int(str(field(vec, "hg")), 16)
    factory = MessageFactory(
        me,
        uuid,
        generation,
        3,
        wallclock=lambda: float(int(ts, 16)),
        loadavg=lambda: next(loads),
        load_period=0.0,  # heartbeat reads the load for every message
    )
    cfg = EngineConfig(
        me=me,
        nodes=("hbv1a", "hbv1b"),
        links=("hb0",),
        timing=Timing(keepalive_ms=1000, deadtime_ms=12000, initdead_ms=15000),
        uuid=uuid,
        generation=generation,
    )
    return MembershipEngine(cfg, factory)


def netstring(msg: Fields) -> bytes:
    codec = WireCodec(KEYS, fmt="netstring")
    return codec.encode(msg)


def test_startup_status_packets_are_byte_exact(vectors: dict[str, dict[str, Any]]) -> None:
    v1, v2 = vectors["01-status-init-sha1"], vectors["02-status-up-sha1"]
    loads = iter([str(field(v1, "ld")), str(field(v2, "ld"))])
    engine = engine_like(v1, "hbv1a", loads, str(field(v1, "ts")))
    engine.start(0.0)
    init, up = engine.outbox[:2]
    assert netstring(init).hex() == v1["payload_hex"]
    assert netstring(up).hex() == v2["payload_hex"]


def test_repnodes_answer_is_byte_exact(vectors: dict[str, dict[str, Any]]) -> None:
    req, rep = vectors["04-reqnodes-sha1"], vectors["05-repnodes-sha1"]
    engine = engine_like(rep, "hbv1b", iter([str(field(rep, "ld"))] * 10), str(field(rep, "ts")))
    engine.started_at = 0.0
    codec = WireCodec(KEYS)
    # The requester's status messages first (they teach its uuid), then its reqnodes.
    for name in ("01-status-init-sha1", "02-status-up-sha1"):
        fields = codec.decode(bytes.fromhex(vectors[name]["payload_hex"]))
        assert fields is not None
        engine.receive(1.0, fields, "hb0")
    engine.factory.seq = int(str(field(rep, "seq")), 16) - 1
    engine.outbox.clear()
    fields = codec.decode(bytes.fromhex(req["payload_hex"]))
    assert fields is not None
    engine.receive(1.0, fields, "hb0")
    answers = [m for m in engine.outbox if get_str(m, "t") == "repnodes"]
    assert len(answers) == 1
    assert netstring(answers[0]).hex() == rep["payload_hex"]


def peer_status(src: str, uuid: bytes, seq: int, gen: str = "6b024f75") -> Fields:
    return [
        ("t", "status"),
        ("st", "up"),
        ("dt", "2ee0"),
        ("protocol", "1"),
        ("src", src),
        ("srcuuid", uuid),
        ("seq", f"{seq:x}"),
        ("hg", gen),
        ("ts", gen),
        ("ld", "0.00 0.00 0.00 1/1 1"),
        ("ttl", "3"),
    ]


def test_ack_is_byte_exact(vectors: dict[str, dict[str, Any]]) -> None:
    ack = vectors["03-ackmsg-sha1"]
    engine = engine_like(ack, "hbv1a", iter(["x"] * 10), str(field(ack, "ts")))
    peer_uuid = field(ack, "destuuid")
    assert isinstance(peer_uuid, bytes)
    beta = engine.nodes.get("hbv1b")
    assert beta is not None
    beta.ack_trigger = 2
    engine.outbox.clear()
    for seq in (1, 2):
        engine.receive(1.0, peer_status("hbv1b", peer_uuid, seq), "hb0")
    acks = [m for m in engine.outbox if get_str(m, "t") == "NS_ackmsg"]
    assert len(acks) == 1
    assert netstring(acks[0]).hex() == ack["payload_hex"]


def test_rexmit_request_is_byte_exact(vectors: dict[str, dict[str, Any]]) -> None:
    req = vectors["23-rexmit-request"]
    assert req["auth_method"] == "md5"
    engine = engine_like(req, "hbv1a", iter(["x"] * 10), str(field(req, "ts")))
    peer_uuid = field(req, "destuuid")
    assert isinstance(peer_uuid, bytes)
    engine.receive(1.0, peer_status("hbv1b", peer_uuid, 109), "hb0")
    engine.receive(1.1, peer_status("hbv1b", peer_uuid, 111), "hb0")
    assert [e.text for e in engine.events][-1] == "1 lost packet(s) for [hbv1b] [109:111]"
    engine.outbox.clear()
    engine.tick(1.1 + 0.26)  # the first request is due within max_rexmit_delay
    reqs = [m for m in engine.outbox if get_str(m, "t") == "NS_rexmit"]
    assert len(reqs) == 1
    md5 = AuthKeys.from_mapping({2: ("md5", "hbv1-md5-secret")}, active=2)
    assert WireCodec(md5, fmt="netstring").encode(reqs[0]).hex() == req["payload_hex"]
