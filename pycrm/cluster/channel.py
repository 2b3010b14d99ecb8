"""CRM messages on heartbeat's wire: per-sender order, fragmentation and compression.

Heartbeat's engine signs, sequences and retransmits every message; it does not promise order
(a retransmitted message arrives after later ones) and it cannot carry more than a datagram.
This core adds both, and nothing else:

* every CRM message gets the sender's next ``cseq`` (per sender process: a restarted sender,
  with a new heartbeat generation, starts again at 1);
* its payload (a JSON object) is compressed with zlib and, above ``max_fragment`` bytes, cut
  into consecutive fragments that the receiver joins back in order;
* receivers deliver a sender's messages in ``cseq`` order.  A gap waits for heartbeat's
  retransmission; if it is still open after ``gap_timeout`` seconds the stream is declared
  broken: what is buffered is delivered and a :class:`StreamBroken` tells the CRM to
  resynchronise (it never relies on a lost message arriving).
* a receiver that meets a stream in the middle (it started after the sender, or the sender
  came back from a partition) cannot know whether an earlier message is still being
  retransmitted: it holds the stream for ``start_window`` seconds, then starts from the
  lowest message it has (at once if that is the sender's first, ``cseq`` 1).

All CRM messages are broadcast; ``dest`` names the one node that should act on a message
(every node still tracks every stream, so that order holds for all).

Heartbeat fields (all strings but the payload): ``t=crm``, ``ck`` kind, ``cs`` cseq (hex),
``cf`` ``i/n`` for fragments, ``cd`` destination, ``cp`` the compressed bytes.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from heartbeat_compat.membership.fields import Fields, get_bytes, get_str, parse_hex

MSG_TYPE = "crm"
MAX_FRAGMENT = 24 * 1024  # fits a UDP datagram even base64-encoded (classic msgfmt)
MAX_FRAGMENTS = 512
MAX_PAYLOAD = 16 * 1024 * 1024  # decompressed JSON
MAX_KIND = 40
MAX_BUFFERED = 2048  # out-of-order messages kept per sender


class ChannelError(ValueError):
    """A CRM message that cannot be decoded (counted and dropped by the caller)."""


@dataclass(frozen=True)
class Delivered:
    src: str
    kind: str
    payload: dict[str, Any]
    dest: str | None


@dataclass(frozen=True)
class StreamBroken:
    """Messages from ``src`` were lost for good (or it restarted): resynchronise with it."""

    src: str
    reason: str


@dataclass
class _Part:
    kind: str
    dest: str | None
    index: int
    count: int
    data: bytes


@dataclass
class _Stream:
    generation: int
    opened: float
    next_cseq: int | None = None  # None: the start is not known yet (start window)
    parts: dict[int, _Part] = field(default_factory=dict)
    gap_since: float | None = None
    pending: list[_Part] = field(default_factory=list)  # fragments of the message in progress


def encode_payload(payload: dict[str, Any]) -> bytes:
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    return zlib.compress(text.encode("utf-8"), 6)


def decode_payload(data: bytes) -> dict[str, Any]:
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(data, MAX_PAYLOAD + 1)
    except zlib.error as exc:
        raise ChannelError(f"bad compressed payload: {exc}") from None
    if len(raw) > MAX_PAYLOAD or inflater.unconsumed_tail:
        raise ChannelError("payload too large")
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ChannelError(f"payload is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ChannelError("payload is not a JSON object")
    return value


class Channel:
    def __init__(
        self,
        me: str,
        *,
        gap_timeout: float,
        start_window: float = 0.5,
        max_fragment: int = MAX_FRAGMENT,
    ) -> None:
        self.me = me
        self.gap_timeout = gap_timeout
        self.start_window = start_window
        self.max_fragment = max_fragment
        self._cseq = 0
        self._streams: dict[str, _Stream] = {}
        self.counters: dict[str, int] = {}

    def _count(self, key: str) -> None:
        self.counters[key] = self.counters.get(key, 0) + 1

    # ------------------------------------------------------------------ sending
    def send(self, kind: str, payload: dict[str, Any], dest: str | None = None) -> list[Fields]:
        """Heartbeat message bodies (to hand to the engine, in order) for one CRM message."""
        if not kind or len(kind) > MAX_KIND:
            raise ValueError(f"bad CRM message kind {kind!r}")
        data = encode_payload(payload)
        step = self.max_fragment
        chunks = [data[i : i + step] for i in range(0, len(data), step)] or [b""]
        if len(chunks) > MAX_FRAGMENTS:
            raise ValueError(f"CRM message {kind} too large ({len(data)} bytes compressed)")
        bodies: list[Fields] = []
        for index, chunk in enumerate(chunks):
            self._cseq += 1
            body: Fields = [("t", MSG_TYPE), ("ck", kind), ("cs", f"{self._cseq:x}")]
            if len(chunks) > 1:
                body.append(("cf", f"{index}/{len(chunks)}"))
            if dest is not None:
                body.append(("cd", dest))
            body.append(("cp", chunk))
            bodies.append(body)
        self._count("sent")
        return bodies

    # ---------------------------------------------------------------- receiving
    def receive(
        self, src: str, generation: int, fields: Fields, now: float
    ) -> tuple[list[Delivered], list[StreamBroken]]:
        """Take one authenticated ``t=crm`` message from ``src``; deliver what is now in order."""
        part, cseq = self._parse(fields)
        broken: list[StreamBroken] = []
        stream = self._streams.get(src)
        if stream is None or generation > stream.generation:
            if stream is not None:
                broken.append(StreamBroken(src, "sender restarted"))
            stream = _Stream(generation, now)
            self._streams[src] = stream
        elif generation < stream.generation:
            self._count("dropped_old_generation")
            return [], broken
        if stream.next_cseq is None and (cseq == 1 or now - stream.opened >= self.start_window):
            stream.next_cseq = min(cseq, *stream.parts) if stream.parts else cseq
        if (stream.next_cseq is not None and cseq < stream.next_cseq) or cseq in stream.parts:
            self._count("dropped_duplicate")
            return [], broken
        if len(stream.parts) >= MAX_BUFFERED:
            self._count("dropped_overflow")
            broken.append(StreamBroken(src, "too many messages out of order"))
            self._skip(stream)
        stream.parts[cseq] = part
        delivered = self._drain(src, stream, now)
        return delivered, broken

    def _parse(self, fields: Fields) -> tuple[_Part, int]:
        kind = get_str(fields, "ck")
        cseq = parse_hex(get_str(fields, "cs"))
        data = get_bytes(fields, "cp")
        if not kind or len(kind) > MAX_KIND or not cseq or data is None:
            self._count("dropped_malformed")
            raise ChannelError("CRM message without kind, sequence or payload")
        index, count = 0, 1
        frag = get_str(fields, "cf")
        if frag is not None:
            left, _, right = frag.partition("/")
            if not (left.isdigit() and right.isdigit()):
                self._count("dropped_malformed")
                raise ChannelError(f"bad fragment field {frag!r}")
            index, count = int(left), int(right)
            if not 0 <= index < count <= MAX_FRAGMENTS:
                self._count("dropped_malformed")
                raise ChannelError(f"bad fragment field {frag!r}")
        dest = get_str(fields, "cd")
        return _Part(kind, dest, index, count, data), cseq

    def _drain(self, src: str, stream: _Stream, now: float) -> list[Delivered]:
        out: list[Delivered] = []
        if stream.next_cseq is None:
            return out
        moved = False
        while stream.next_cseq in stream.parts:
            part = stream.parts.pop(stream.next_cseq)
            stream.next_cseq += 1
            moved = True
            message = self._assemble(src, stream, part)
            if message is not None and (message.dest is None or message.dest == self.me):
                out.append(message)
        if not stream.parts:
            stream.gap_since = None
        elif moved or stream.gap_since is None:
            stream.gap_since = now  # a (new) gap opens now
        return out

    def _assemble(self, src: str, stream: _Stream, part: _Part) -> Delivered | None:
        if part.index == 0:
            if stream.pending:
                self._count("dropped_incomplete")
            stream.pending = []
        elif not stream.pending or part.index != len(stream.pending):
            self._count("dropped_incomplete")
            stream.pending = []
            return None
        stream.pending.append(part)
        if len(stream.pending) < part.count:
            return None
        parts, stream.pending = stream.pending, []
        if any(p.count != part.count or p.kind != part.kind for p in parts):
            self._count("dropped_incomplete")
            return None
        try:
            payload = decode_payload(b"".join(p.data for p in parts))
        except ChannelError:
            self._count("dropped_payload")
            return None
        self._count("delivered")
        return Delivered(src, part.kind, payload, part.dest)

    def _skip(self, stream: _Stream) -> None:
        """Give up on the gap: continue from the lowest buffered message."""
        if stream.parts:
            stream.next_cseq = min(stream.parts)
        stream.pending = []
        stream.gap_since = None

    # ------------------------------------------------------------------- timers
    def tick(self, now: float) -> tuple[list[Delivered], list[StreamBroken]]:
        delivered: list[Delivered] = []
        broken: list[StreamBroken] = []
        for src, stream in self._streams.items():
            if stream.next_cseq is None:
                if stream.parts and now - stream.opened >= self.start_window:
                    stream.next_cseq = min(stream.parts)
                    delivered.extend(self._drain(src, stream, now))
                continue
            if stream.gap_since is None or now - stream.gap_since < self.gap_timeout:
                continue
            self._count("gaps_given_up")
            broken.append(StreamBroken(src, f"messages lost (cseq {stream.next_cseq})"))
            self._skip(stream)
            delivered.extend(self._drain(src, stream, now))
        return delivered, broken

    def next_wakeup(self) -> float | None:
        times = [
            s.gap_since + self.gap_timeout
            for s in self._streams.values()
            if s.gap_since is not None
        ]
        times += [
            s.opened + self.start_window
            for s in self._streams.values()
            if s.next_cseq is None and s.parts
        ]
        return min(times) if times else None

    def forget(self, src: str) -> None:
        """``src`` left the membership: its next message starts a fresh stream."""
        self._streams.pop(src, None)
