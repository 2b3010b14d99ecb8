"""The local status socket that `pycrm cl_status` talks to.

A unix stream socket (mode 0600, in a 0700 directory). A client sends one
request line (`snapshot\\n`) and gets one JSON line back, then the server
closes the connection. Only the local administrator can connect.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_REQUEST = 256
CLIENT_TIMEOUT = 2.0  # a connected client must send its request within this
SEND_TIMEOUT = 0.2  # replies are a few KiB: this never stalls the heartbeat loop
SOCKET_NAME = "cl_status.sock"


class StatusSocketError(Exception):
    pass


class StatusServer:
    def __init__(self, path: Path, provider: Callable[[], dict[str, Any]]) -> None:
        self.path = path
        self.provider = provider
        self._sock: socket.socket | None = None
        self._clients: list[tuple[socket.socket, float, bytearray]] = []

    def open(self) -> None:
        parent = self.path.parent
        try:
            parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if parent.stat().st_mode & 0o077:
                os.chmod(parent, 0o700)
            with contextlib.suppress(FileNotFoundError):
                if self._is_live():
                    raise StatusSocketError(f"{self.path}: another node is already running")
                self.path.unlink()
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            old = os.umask(0o177)
            try:
                sock.bind(str(self.path))
            finally:
                os.umask(old)
            os.chmod(self.path, 0o600)
            sock.listen(8)
            sock.setblocking(False)
        except OSError as exc:
            raise StatusSocketError(f"{self.path}: {exc.strerror}") from exc
        self._sock = sock

    def _is_live(self) -> bool:
        if not self.path.exists():
            raise FileNotFoundError
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            try:
                probe.connect(str(self.path))
            except OSError:
                return False
        return True

    def fileno(self) -> int:
        if self._sock is None:
            raise StatusSocketError("status socket not open")
        return self._sock.fileno()

    @property
    def pending(self) -> bool:
        """Connected clients whose request has not arrived yet (poll again soon)."""
        return bool(self._clients)

    def handle(self) -> int:
        """Accept new clients and answer every complete request; never blocks.

        Returns how many requests were answered. A client that has not sent
        its request within CLIENT_TIMEOUT seconds is dropped.
        """
        if self._sock is None:
            return 0
        while True:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            conn.setblocking(False)
            self._clients.append((conn, time.monotonic() + CLIENT_TIMEOUT, bytearray()))
        served = 0
        keep: list[tuple[socket.socket, float, bytearray]] = []
        now = time.monotonic()
        for conn, deadline, buf in self._clients:
            done = False
            try:
                chunk = conn.recv(MAX_REQUEST)
                buf.extend(chunk)
                done = not chunk or b"\n" in buf or len(buf) >= MAX_REQUEST
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                conn.close()
                continue
            if done:
                served += self._answer(conn, bytes(buf))
            elif now >= deadline:
                conn.close()
            else:
                keep.append((conn, deadline, buf))
        self._clients = keep
        return served

    def _answer(self, conn: socket.socket, raw: bytes) -> int:
        with conn:
            request = raw.decode("ascii", "replace").strip()
            if request == "snapshot":
                reply: dict[str, Any] = {"ok": True, "snapshot": self.provider()}
            else:
                reply = {"ok": False, "error": "unknown request"}
            try:
                conn.settimeout(SEND_TIMEOUT)
                conn.sendall(json.dumps(reply).encode() + b"\n")
            except OSError:
                return 0
        return 1

    def close(self) -> None:
        for conn, _, _ in self._clients:
            with contextlib.suppress(OSError):
                conn.close()
        self._clients = []
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None
            with contextlib.suppress(OSError):
                self.path.unlink()


def query(path: Path, timeout: float = 5.0) -> dict[str, Any]:
    """Ask a running node for its snapshot. Raises StatusSocketError if none answers."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
            sock.sendall(b"snapshot\n")
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError as exc:
            raise StatusSocketError(f"{path}: {exc.strerror or exc}") from exc
    try:
        reply = json.loads(b"".join(chunks))
    except ValueError as exc:
        raise StatusSocketError(f"{path}: malformed reply") from exc
    if not isinstance(reply, dict) or not reply.get("ok"):
        raise StatusSocketError(f"{path}: request refused")
    snapshot = reply.get("snapshot")
    if not isinstance(snapshot, dict):
        raise StatusSocketError(f"{path}: malformed reply")
    return snapshot
