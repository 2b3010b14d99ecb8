#!/usr/bin/env python3
"""Fuzz the Heartbeat v1 wire decoder (not part of the test suite).

Feeds N inputs (default 1,000,000) through `heartbeat_compat.wire.decode`:

* mutations of the 29 packets captured from real heartbeat 3.0.6
  (/work/shared/reference/hbv1-captures/test-vectors.json) and of structure-aware
  random messages (every field type, nesting, compression, all three auth methods,
  both encodings);
* mutators: bit flips, interesting bytes, token insertion (`###`, `%%%`, `>>>`,
  `<<<`, separators, special symbols), deletions, duplications, truncation,
  splicing, length-prefix lies, type-digit swaps, deep nesting, compression bombs;
* about half the mutants are re-signed with a valid key so they get past
  authentication and exercise the parsers proper.

Each decode runs under a per-input wall-clock alarm (`--timeout`, default 1 s): an input
that does not return in time counts as a HANG. Any exception escaping `decode` (whose
documented drop path is "return None and count"), and any drop counted as
`internal_error` (the decoder's safety net caught an exception), counts as a CRASH.
Accepted messages must re-encode in their own format and decode back to the same
message (a "re-encode error" otherwise). Failing inputs are written to `--out` (a
fresh temporary directory).

    /opt/pycrm/venv/bin/python bench/fuzz_wire.py [--inputs 1000000] [--workers 2]
"""

from __future__ import annotations

import argparse
import bz2
import json
import multiprocessing
import os
import random
import signal
import sys
import tempfile
import time
import traceback
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heartbeat_compat.wire import (
    AuthKey,
    AuthKeys,
    DecodeStats,
    DropReason,
    EncodeError,
    FieldType,
    Message,
    decode,
    encode,
)
from heartbeat_compat.wire.message import Field

VECTORS = Path(__file__).resolve().parents[2] / "shared/reference/hbv1-captures/test-vectors.json"
KEYS = AuthKeys.from_mapping(
    {1: ("sha1", "hbv1-sha1-secret"), 2: ("md5", "hbv1-md5-secret"), 3: ("crc", None)}, active=1
)
KEY_LIST = [KEYS[1], KEYS[2], KEYS[3]]
SLOW_S = 0.05  # reported, not fatal

TOKENS = [
    b"###\n", b"%%%\n", b">>>\n", b"<<<\n", b"\n", b",", b":", b"=", b"(", b")", b"\0",
    b"(0)", b"(1)", b"(2)", b"(3)", b"(4)", b"(5)", b"(9)", b"auth=", b"auth=1 ",
    b"_compressed_payload", b"_compression_algorithm=zlib", b"\x13", b"\x14", b"\x15",
    b"\x1f", b"\x0f", b"\xff", b"0", b"1", b"9", b"99999", b"4294967296", b"-1",
]  # fmt: skip
LIES = [b"0", b"1", b"2", b"7", b"255", b"256", b"65535", b"99999", b"2147483648", b"9" * 40]


class Hang(BaseException):
    """Raised from SIGALRM inside a decode that overran the per-input bound."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang


# -- structure-aware generation --------------------------------------------------------
def _text(rng: random.Random, *, allow_empty: bool = False) -> str:
    n = rng.randint(0 if allow_empty else 1, 12)
    alphabet = "abcxyz019 .-_/\t\n"
    return "".join(rng.choice(alphabet) for _ in range(n)) or "a"


def gen_message(rng: random.Random, depth: int = 0) -> Message:
    fields: list[Field] = []
    for _ in range(rng.randint(1, 6)):
        name = rng.choice(["t", "st", "src", "seq", "hg", "ts", "ld", "ttl", "dest", "x"])
        name += str(rng.randint(0, 3)) if rng.random() < 0.3 else ""
        kind = rng.random()
        if kind < 0.55 or depth >= 3:
            fields.append(Field.make(name, _text(rng)))
        elif kind < 0.7:
            fields.append(Field.make(name, rng.randbytes(rng.randint(1, 20))))
        elif kind < 0.8:
            fields.append(Field.make(name, [_text(rng) for _ in range(rng.randint(1, 3))]))
        elif kind < 0.93:
            fields.append(Field.make(name, gen_message(rng, depth + 1)))
        else:
            fields.append(Field.make(name, gen_message(rng, depth + 1), FieldType.COMPRESS))
            fields.append(Field.make("_compression_algorithm", rng.choice(["zlib", "bz2"])))
    return Message(fields)


def gen_packet(rng: random.Random) -> bytes:
    while True:
        msg = gen_message(rng)
        fmt = rng.choice(["classic", "netstring"])
        threshold = rng.choice([None, None, None, 0, 64])
        key = rng.choice(KEY_LIST)
        try:
            return encode(msg, fmt=fmt, auth=key, compress_threshold=threshold)  # type: ignore[arg-type]
        except EncodeError:  # e.g. a value classic cannot carry, a list reusing a name
            pass
        try:
            return encode(msg, fmt="netstring", auth=key, inner_auth=False)
        except EncodeError:
            continue


def resign(packet: bytes, key: AuthKey) -> bytes:
    """Give a mutant a valid signature so the parser behind authentication is reached."""
    if packet.startswith(b"###\n"):
        end = packet.rfind(b"%%%\n")
        if end < 0:
            return packet
        body = packet[: end + 4]
        auth = key.auth_string(body).encode()
        return body + b"%d:%b," % (len(auth), auth)
    if packet.startswith(b">>>\n"):
        end = packet.find(b"\n<<<\n", 3)
        if end < 0:
            return packet
        lines = [ln for ln in packet[4:end].split(b"\n") if ln and not ln.startswith(b"auth=")]
        text = b"".join(ln + b"\n" for ln in lines)
        return b">>>\n" + text + b"auth=" + key.auth_string(text).encode() + b"\n<<<\n"
    return packet


def bombs() -> list[bytes]:
    """Signed packets whose compressed payload inflates past the 2 MiB bound."""
    out = []
    for size, algorithm in ((3_000_000, "zlib"), (10_000_000, "zlib"), (10_000_000, "bz2")):
        text = b">>>\na=" + b"x" * size + b"\n<<<\n"
        payload = zlib.compress(text, 9) if algorithm == "zlib" else bz2.compress(text, 9)
        env = Message.of(_compressed_payload=payload, _compression_algorithm=algorithm)
        out.append(encode(env, fmt="netstring", auth=KEYS[1], inner_auth=False))
        field_bomb = Message([("t", "x"), ("c", payload, FieldType.BINARY)])
        field_bomb.add("_compression_algorithm", algorithm)
        raw = encode(field_bomb, fmt="netstring", auth=KEYS[1], inner_auth=False)
        out.append(resign(raw.replace(b"(1)c=", b"(4)c=", 1), KEYS[1]))
    return out


def mutate(rng: random.Random, data: bytes, seeds: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 5])):
        n = len(buf)
        i = rng.randrange(n) if n else 0
        op = rng.randrange(11)
        if op == 0 and n:
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            buf[i] = rng.choice([0, 0x0A, 0x13, 0x14, 0x25, 0x23, 0x2C, 0x3A, 0x3D, 0x7F, 0xFF])
        elif op == 2:
            buf[i:i] = rng.choice(TOKENS)
        elif op == 3:
            del buf[i : i + rng.randint(1, 16)]
        elif op == 4:
            buf[i:i] = buf[i : i + rng.randint(1, 64)]
        elif op == 5:
            del buf[i:]
        elif op == 6:
            other = rng.choice(seeds)
            j = rng.randrange(len(other)) if other else 0
            buf[i:] = other[j:]
        elif op == 7:  # lie in a length prefix
            colon = buf.find(b":", i)
            start = colon
            while start > 0 and 0x30 <= buf[start - 1] <= 0x39:
                start -= 1
            if colon > 0 and start < colon:
                buf[start:colon] = rng.choice(LIES)
        elif op == 8:  # swap a type digit
            paren = buf.find(b"(", i)
            if 0 <= paren < n - 1:
                buf[paren + 1] = rng.choice(b"0123456789x(")
        elif op == 9:  # deep nesting
            buf[i:i] = rng.choice([b"###\n", b"(2)s=>>>\x14", b"9:(2)s=###\n"]) * rng.randint(
                2, 400
            )
        else:
            buf[i:i] = rng.randbytes(rng.randint(1, 8))
    return bytes(buf)


# -- the worker --------------------------------------------------------------------------
@dataclass
class Result:
    inputs: int = 0
    crashes: int = 0
    hangs: int = 0
    slow: int = 0
    reencode_errors: int = 0
    accepted: int = 0
    max_seconds: float = 0.0
    dropped: Counter[str] = field(default_factory=Counter)
    samples: list[tuple[str, str, str]] = field(default_factory=list)


def reencode_problem(msg: Message, data: bytes) -> str | None:
    """Oracle for accepted input: it re-encodes in its own format and decodes back equal."""
    classic = data.startswith(b">>>") and b"_compressed_payload" not in data
    fmt = "classic" if classic else "netstring"
    try:
        again = encode(msg, fmt=fmt, auth=KEYS[1], inner_auth=False)  # type: ignore[arg-type]
        back = decode(again, keys=KEYS, stats=DecodeStats())
    except Exception:
        return traceback.format_exc()
    if back is None or back.copy().remove("auth") != msg.copy().remove("auth"):
        return f"{fmt} re-encoding does not decode back to the same message"
    return None


def load_seeds() -> list[bytes]:
    if not VECTORS.exists():
        return []
    doc = json.loads(VECTORS.read_text())
    return [bytes.fromhex(v["payload_hex"]) for v in doc["vectors"]]


def _save(result: Result, out: Path, kind: str, data: bytes, detail: str) -> None:
    if len(result.samples) >= 50:
        return
    fd, name = tempfile.mkstemp(prefix=f"{kind}-", suffix=".bin", dir=out)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    result.samples.append((kind, name, detail[-2000:]))


def run_worker(args: tuple[int, int, float, str]) -> Result:
    count, seed, timeout, out_dir = args
    out = Path(out_dir)
    rng = random.Random(seed)
    seeds = load_seeds()
    pool = list(seeds)
    for _ in range(200):
        pool.append(gen_packet(rng))
    bomb_packets = bombs()
    signal.signal(signal.SIGALRM, _alarm)
    result = Result()
    stats = DecodeStats()
    for n in range(count):
        r = rng.random()
        if r < 0.0005:
            data = rng.choice(bomb_packets)
        elif r < 0.05:
            data = gen_packet(rng)
            if rng.random() < 0.1:
                pool[rng.randrange(len(seeds), len(pool))] = data
        elif r < 0.08:
            data = rng.randbytes(rng.randint(0, 400))
        else:
            data = mutate(rng, rng.choice(pool), pool)
            if rng.random() < 0.5:
                data = resign(data, rng.choice(KEY_LIST))
        before = stats.accepted
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            msg = decode(data, keys=KEYS, stats=stats)
        except Hang:
            result.hangs += 1
            _save(result, out, "hang", data, f"input {n}")
            continue
        except Exception:
            signal.setitimer(signal.ITIMER_REAL, 0)
            result.crashes += 1
            _save(result, out, "crash", data, traceback.format_exc())
            continue
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.perf_counter() - start
        if msg is None and stats.last_drop is DropReason.INTERNAL:
            result.crashes += 1  # an exception inside the decoder, caught by its safety net
            _save(result, out, "crash", data, "internal_error drop")
        result.max_seconds = max(result.max_seconds, elapsed)
        if elapsed > SLOW_S:
            result.slow += 1
        if msg is not None:
            if stats.accepted != before + 1:
                result.crashes += 1
                _save(result, out, "crash", data, "accepted without being counted")
            problem = reencode_problem(msg, data)
            if problem is not None:
                result.reencode_errors += 1
                _save(result, out, "reencode", data, problem)
    result.inputs = count
    result.accepted = stats.accepted
    result.dropped = Counter(stats.dropped)
    return result


def decode_speed(seeds: list[bytes]) -> dict[str, float]:
    """Microseconds per decode of captured packets (status, sha1 / classic / crc+zlib)."""
    picks = {"status netstring sha1 (vector 02)": 1, "status classic sha1 (vector 29)": 28}
    picks["compressed crc (vector 25)"] = 24
    out: dict[str, float] = {}
    stats = DecodeStats()
    for label, index in picks.items():
        if index >= len(seeds):
            continue
        data = seeds[index]
        n = 20000
        start = time.perf_counter()
        for _ in range(n):
            decode(data, keys=KEYS, stats=stats)
        out[label] = (time.perf_counter() - start) / n * 1e6
    assert stats.total_dropped == 0
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1.0, help="per-input bound (s)")
    parser.add_argument("--out", default=None, help="directory for crashing inputs")
    args = parser.parse_args(argv)

    seeds = load_seeds()
    print(f"seeds: {len(seeds)} captured vectors ({VECTORS})")
    for label, micros in decode_speed(seeds).items():
        print(f"decode speed: {label}: {micros:.1f} us/packet")
    out = args.out or tempfile.mkdtemp(prefix="fuzz_wire-")
    shares = [args.inputs // args.workers] * args.workers
    shares[0] += args.inputs - sum(shares)
    jobs = [(share, args.seed * 1000 + i, args.timeout, out) for i, share in enumerate(shares)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        results: list[Any] = pool.map(run_worker, jobs)
    elapsed = time.perf_counter() - start

    total = Result()
    for res in results:
        total.inputs += res.inputs
        total.crashes += res.crashes
        total.hangs += res.hangs
        total.slow += res.slow
        total.reencode_errors += res.reencode_errors
        total.accepted += res.accepted
        total.max_seconds = max(total.max_seconds, res.max_seconds)
        total.dropped.update(res.dropped)
        total.samples.extend(res.samples)
    print(f"inputs: {total.inputs:,} in {elapsed:.1f} s with {args.workers} worker(s)")
    print(f"throughput: {total.inputs / elapsed:,.0f} inputs/s")
    print(f"crashes: {total.crashes}   hangs (> {args.timeout} s): {total.hangs}")
    print(f"re-encode errors: {total.reencode_errors}")
    slowest = total.max_seconds * 1000
    print(f"slow (> {SLOW_S * 1000:.0f} ms): {total.slow}   slowest: {slowest:.1f} ms")
    print(f"accepted: {total.accepted:,}   dropped: {sum(total.dropped.values()):,}")
    for reason, n in total.dropped.most_common():
        print(f"  {reason:22} {n:>9,}")
    for kind, path, detail in total.samples[:10]:
        print(f"--- {kind}: {path}\n{detail}")
    if total.samples:
        print(f"failing inputs saved in {out}")
    elif not os.listdir(out):
        os.rmdir(out)
    return 1 if (total.crashes or total.hangs or total.reencode_errors) else 0


if __name__ == "__main__":
    sys.exit(main())
