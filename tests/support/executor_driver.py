"""Drive a real :class:`Executor` from a test, in another process (e.g. a network namespace).

The driver (``python -m tests.support.executor_driver ...``) owns one selectors loop with
the executor and its own stdin in it, exactly the loop convention of the daemon.  It reads
JSON commands, one per line, on stdin and writes JSON events, one per line, on stdout:

    {"cmd": "submit", "request": {...}}       -> {"event": "submitted", "call_id": N}
    {"cmd": "cancel", "rsc": ..., "interval_ms": ...} -> {"event": "cancelled", "call_ids": [...]}
    {"cmd": "kick", "rsc": ..., "reason": ...}        -> {"event": "kicked", "ok": bool}
    {"cmd": "pids"}                           -> {"event": "pids", "pids": {rsc: pid}}
    every result                              -> {"event": "result", "result": {...}}

EOF on stdin closes the executor (killing what still runs) and ends the driver.
:class:`DriverClient` is the test side.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pycrm.daemon.executor import AgentPaths, Executor, OpRequest, OpResult

REPO = Path(__file__).resolve().parents[2]


class _Commands:
    """Selector handler for stdin."""

    def __init__(self, ex: Executor, out: Callable[[dict[str, Any]], None]) -> None:
        self.ex = ex
        self.out = out
        self.buf = b""
        self.eof = False

    def on_ready(self, mask: int) -> None:
        data = os.read(0, 65536)
        if not data:
            self.eof = True
            return
        self.buf += data
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            if line.strip():
                self.handle(json.loads(line))

    def handle(self, cmd: dict[str, Any]) -> None:
        kind = cmd["cmd"]
        if kind == "submit":
            call_id = self.ex.submit(OpRequest.from_dict(cmd["request"]))
            self.out({"event": "submitted", "call_id": call_id})
        elif kind == "cancel":
            ids = self.ex.cancel(cmd["rsc"], cmd.get("interval_ms"), cmd.get("action"))
            self.out({"event": "cancelled", "call_ids": ids})
        elif kind == "kick":
            self.out({"event": "kicked", "ok": self.ex.run_monitor_now(cmd["rsc"], cmd["reason"])})
        elif kind == "pids":
            self.out({"event": "pids", "pids": self.ex.running_pids()})
        else:
            raise ValueError(f"unknown command {kind!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--ocf-root", default="/usr/lib/ocf")
    parser.add_argument("--init-dir", default="/etc/init.d")
    parser.add_argument("--ha-dir", default="/etc/ha.d")
    parser.add_argument("--max-parallel", type=int, default=4)
    args = parser.parse_args(argv)

    def out(event: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()

    selector = selectors.DefaultSelector()
    paths = AgentPaths(
        ocf_root=args.ocf_root,
        init_dir=args.init_dir,
        ha_dir=args.ha_dir,
    )
    ex = Executor(selector, paths=paths, work_dir=args.work_dir, max_parallel=args.max_parallel)
    commands = _Commands(ex, out)
    os.set_blocking(0, False)
    selector.register(0, selectors.EVENT_READ, commands)
    try:
        while not commands.eof:
            wake = ex.next_wakeup()
            timeout = None if wake is None else max(0.0, wake - time.monotonic())
            for key, mask in selector.select(timeout):
                key.data.on_ready(mask)
            ex.tick(time.monotonic())
            for result in ex.drain():
                out({"event": "result", "result": result.to_dict()})
    finally:
        ex.close()
    return 0


class DriverClient:
    """The test side: start the driver (under ``prefix``, e.g. ``ip netns exec NS``)."""

    def __init__(self, prefix: Sequence[str], **options: str | int) -> None:
        argv = [*prefix, sys.executable, "-m", "tests.support.executor_driver"]
        for name, value in options.items():
            argv += [f"--{name.replace('_', '-')}", str(value)]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._buf = b""
        self.results: list[OpResult] = []
        self._replies: list[dict[str, Any]] = []

    # commands
    def _send(self, cmd: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd).encode() + b"\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while not self._replies:
            self._read(deadline)
        return self._replies.pop(0)

    def submit(self, request: OpRequest) -> int:
        return int(self._send({"cmd": "submit", "request": request.to_dict()})["call_id"])

    def cancel(self, rsc: str, interval_ms: int | None = None) -> list[int]:
        reply = self._send({"cmd": "cancel", "rsc": rsc, "interval_ms": interval_ms})
        return [int(i) for i in reply["call_ids"]]

    def kick(self, rsc: str, reason: str = "test") -> bool:
        return bool(self._send({"cmd": "kick", "rsc": rsc, "reason": reason})["ok"])

    def pids(self) -> dict[str, int]:
        return {k: int(v) for k, v in self._send({"cmd": "pids"})["pids"].items()}

    # results
    def wait_for(
        self, predicate: Callable[[OpResult], bool], timeout: float = 30.0, what: str = ""
    ) -> OpResult:
        """The first result (kept or new) matching ``predicate``; it is removed from
        :attr:`results`."""
        deadline = time.monotonic() + timeout
        while True:
            for result in self.results:
                if predicate(result):
                    self.results.remove(result)
                    return result
            self._read(deadline, what)

    def result_for(self, call_id: int, timeout: float = 30.0) -> OpResult:
        return self.wait_for(lambda r: r.call_id == call_id, timeout, f"call {call_id}")

    def pump(self, seconds: float) -> None:
        """Collect events for ``seconds`` (used to check that nothing more arrives)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read(deadline, allow_timeout=True)

    def _read(self, deadline: float, what: str = "", allow_timeout: bool = False) -> None:
        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(remaining):
                if allow_timeout:
                    return
                raise AssertionError(f"executor driver: timed out waiting for {what or 'reply'}")
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            raise AssertionError(f"executor driver exited (rc {self.proc.wait()})")
        self._buf += data
        while b"\n" in self._buf:
            line, self._buf = self._buf.split(b"\n", 1)
            event = json.loads(line)
            if event["event"] == "result":
                self.results.append(OpResult.from_dict(event["result"]))
            else:
                self._replies.append(event)

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


if __name__ == "__main__":
    sys.exit(main())
