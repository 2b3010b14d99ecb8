"""A bounded HTTP client loop against the floating IP, and what its record says.

Run inside the client's network namespace (`python -m pycrm.demo.client VIP ...`): it opens a
new TCP connection per request (HTTP/1.0 GET /), with a short per-request timeout, pauses a
little between requests and appends one JSON line per request to its output file
(``[start, end, ok, detail]``, wall-clock seconds), until the duration passes, the request
budget is spent, or a stop file appears.  :func:`outage` turns such a record into the
client-visible downtime around a fault, the way the peer measurements in the reference lab
define it: from the last success before the fault to the first success after it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REQUEST = b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n"
MAX_REQUESTS = 200_000


def one_request(host: str, port: int, timeout: float) -> tuple[bool, str]:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(REQUEST)
            data = b""
            while len(data) < 65536:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
    except OSError as exc:
        return False, type(exc).__name__
    head = data.split(b"\r\n", 1)[0]
    parts = head.split()
    if len(parts) >= 2 and parts[1] == b"200":
        return True, "200"
    return False, head.decode(errors="replace")[:40] or "empty"


def run(
    host: str,
    port: int,
    *,
    timeout: float,
    pause: float,
    duration: float,
    out: Path,
    stop_file: Path | None = None,
) -> int:
    end = time.time() + duration
    count = 0
    with open(out, "a", buffering=1) as fh:
        while time.time() < end and count < MAX_REQUESTS:
            if stop_file is not None and stop_file.exists():
                break
            start = time.time()
            ok, detail = one_request(host, port, timeout)
            fh.write(json.dumps([start, time.time(), ok, detail]) + "\n")
            count += 1
            time.sleep(pause)
    return count


@dataclass(frozen=True)
class Outage:
    last_ok: float | None  # the success before the longest gap
    first_ok: float | None  # the success that ended it
    failed: int  # requests that failed after the fault

    @property
    def downtime(self) -> float | None:
        if self.last_ok is None or self.first_ok is None:
            return None
        return self.first_ok - self.last_ok


def read_records(path: Path) -> list[tuple[float, float, bool, str]]:
    out = []
    for line in path.read_text().splitlines():
        try:
            start, end, ok, detail = json.loads(line)
        except ValueError:
            continue
        out.append((float(start), float(end), bool(ok), str(detail)))
    return out


def outage(
    records: Sequence[tuple[float, float, bool, str]], fault: float, until: float | None = None
) -> Outage:
    """The client-visible outage caused by a fault at ``fault`` (wall clock): the longest
    gap between two consecutive successful answers, among answers from just before the
    fault on (and requests started before ``until``, if given).  (A service can keep
    answering for a while after its node or main process is gone -- apache's workers do --
    so the outage is not simply "from the fault".)"""
    if until is not None:
        records = [r for r in records if r[0] < until]
    answers = sorted(end for start, end, ok, _ in records if ok)
    before = [t for t in answers if t <= fault]
    after = [t for t in answers if t > fault]
    points = before[-1:] + after
    failed = sum(1 for start, _, ok, _ in records if start >= fault and not ok)
    if len(points) < 2:
        return Outage(points[0] if points else None, None, failed)
    gaps = [(b - a, a, b) for a, b in itertools.pairwise(points)]
    _, last_ok, first_ok = max(gaps)
    return Outage(last_ok, first_ok, failed)


class ClientLoop:
    """:func:`run` as a process in a network namespace (``ip netns exec``), its record in
    a new file under ``workdir``; :meth:`stop` ends it through its stop file."""

    def __init__(
        self,
        netns: str,
        host: str,
        workdir: Path,
        *,
        timeout: float = 0.05,
        pause: float = 0.002,
        duration: float = 120.0,
        python: str = sys.executable,
    ) -> None:
        fd, name = tempfile.mkstemp(prefix="client-", suffix=".jsonl", dir=workdir)
        os.close(fd)
        self.out = Path(name)
        self.stop_file = self.out.with_suffix(".stop")
        argv = [
            "ip", "netns", "exec", netns, python, "-m", "pycrm.demo.client", host,
            "--timeout", str(timeout), "--pause", str(pause), "--duration", str(duration),
            "--out", str(self.out), "--stop-file", str(self.stop_file),
        ]  # fmt: skip
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def records(self) -> list[tuple[float, float, bool, str]]:
        return read_records(self.out)

    def ok_since(self, since: float) -> bool:
        """Whether a request started after ``since`` (wall clock) was answered."""
        return any(ok and start > since for start, _, ok, _ in self.records())

    def stop(self) -> list[tuple[float, float, bool, str]]:
        self.stop_file.touch()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.records()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="HTTP loop against a floating IP")
    parser.add_argument("host")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--timeout", type=float, default=0.05)
    parser.add_argument("--pause", type=float, default=0.002)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--stop-file", type=Path, default=None)
    args = parser.parse_args(argv)
    run(
        args.host,
        args.port,
        timeout=args.timeout,
        pause=args.pause,
        duration=args.duration,
        out=args.out,
        stop_file=args.stop_file,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
