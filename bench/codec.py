#!/usr/bin/env python3
"""Benchmark: the Heartbeat v1 wire codec's cost per packet, as the daemon pays it.

`WireCodec.encode` and `WireCodec.decode` (heartbeat_compat.membership.codec: the
membership layer's fields in, signed datagram out, and back) for two small messages in
both wire formats: the `status` heartbeat a node sends ten times a second in the fast
profile, and a small CRM application message (`t=crm`: an operation result, 107 bytes
of compressed JSON; they hold a ',', so the netstring decoder reads that field on its
field-by-field path, not in a run of plain fields).
Decoding uses a second codec, so a node's cache of its own sends is not what is timed.

* warm: the minimum over repeats of the mean CPU time (thread_time) of many
  back-to-back calls (caches hot);
* cold: the median CPU time (thread_time) of single calls 20 ms apart, which is how
  the idle daemon meets them (its caches have gone cold between packets).

This codec runs in-process; heartbeat 3.0.6 has no in-process peer to compare with, so
there is no ratio against heartbeat. The ratio columns compare with the numbers this
script measured for the codec before it was made cheaper (BEFORE: commit af6471a,
2026-12-07, on the same shared 2-core machine). Warm numbers repeat within ~5%, cold
ones within ~20%.

    /opt/pycrm/venv/bin/python bench/codec.py [--cold]

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit
from collections.abc import Callable
from functools import partial

from heartbeat_compat.membership.codec import WireCodec
from heartbeat_compat.membership.fields import Fields
from heartbeat_compat.membership.outgoing import MessageFactory
from heartbeat_compat.wire import AuthKeys
from pycrm.cluster.channel import encode_payload

KEYS = AuthKeys.from_mapping({1: ("sha1", "k" * 32)}, active=1)
BEFORE_COMMIT = "af6471a"
# (message, format, operation) -> (warm us, cold us): this script run against the
# heartbeat_compat of BEFORE_COMMIT (`git archive` of it on PYTHONPATH), four times,
# alternating with runs of the new code; warm is the lowest of the four, cold the median.
BEFORE: dict[tuple[str, str, str], tuple[float, float]] = {
    ("status", "classic", "encode"): (54.0, 276.0),
    ("status", "classic", "decode"): (25.9, 233.0),
    ("status", "netstring", "encode"): (54.5, 268.0),
    ("status", "netstring", "decode"): (23.6, 207.0),
    ("crm", "classic", "encode"): (52.7, 268.0),
    ("crm", "classic", "decode"): (25.2, 240.0),
    ("crm", "netstring", "encode"): (55.8, 286.0),
    ("crm", "netstring", "decode"): (24.7, 215.0),
}


def messages() -> dict[str, Fields]:
    factory = MessageFactory(
        "node1", bytes(range(16)), 0x6B02, 4, wallclock=lambda: 1.7e9, loadavg=lambda: "0.1"
    )
    status, _ = factory.finish(
        [("t", "status"), ("st", "active"), ("dt", "7d0"), ("protocol", "1")]
    )
    result = {"rsc": "web", "op": "monitor", "interval": 10000, "rc": 0, "node": "node1"}
    payload = encode_payload({**result, "call": 17, "digest": "f2317cad3d54cec5d7d7aa7d0bf35cf8"})
    crm_body: Fields = [("t", "crm"), ("ck", "op-result"), ("cs", "1f"), ("cp", payload)]
    crm, _ = factory.finish(crm_body)
    return {"status": status, "crm": crm}


def warm_us(call: Callable[[], object], number: int = 1000) -> float:
    runs = timeit.repeat(call, number=number, repeat=9, timer=time.thread_time)
    return min(runs) / number * 1e6


def cold_us(call: Callable[[], object], calls: int = 150, gap_s: float = 0.02) -> float:
    spent = []
    for _ in range(calls):
        time.sleep(gap_s)
        start = time.thread_time_ns()
        call()
        spent.append((time.thread_time_ns() - start) / 1000)
    return statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold", action="store_true", help="also time single cold calls")
    args = parser.parse_args()
    spin_until = time.perf_counter() + 0.5  # let the CPU leave its idle clock first
    while time.perf_counter() < spin_until:
        pass
    print(f"{'message':8} {'format':10} {'op':7} {'warm us':>8} {'cold us':>8}", end="  ")
    print(f"before ({BEFORE_COMMIT}): warm, cold, ratio before/now")
    for name, fields in messages().items():
        for fmt in ("classic", "netstring"):
            sender = WireCodec(KEYS, fmt=fmt)
            receiver = WireCodec(KEYS, fmt=fmt)
            data = sender.encode(fields)
            assert receiver.decode(data) == [f for f in fields if f[0] != "auth"]
            ops: dict[str, Callable[[], object]] = {
                "encode": partial(sender.encode, fields),
                "decode": partial(receiver.decode, data),
            }
            for op, call in ops.items():
                warm = warm_us(call)
                cold = cold_us(call) if args.cold else float("nan")
                before = BEFORE.get((name, fmt, op))
                ratio = "-"
                if before:
                    ratio = f"{before[0]:6.1f} {before[1]:6.1f}  x{before[0] / warm:.1f}"
                    if args.cold:
                        ratio += f" x{before[1] / cold:.1f}"
                print(f"{name:8} {fmt:10} {op:7} {warm:8.1f} {cold:8.1f}  {ratio}")


if __name__ == "__main__":
    main()
