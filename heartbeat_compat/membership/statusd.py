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
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_REQUEST = 256
CLIENT_TIMEOUT = 0.5
SOCKET_NAME = "cl_status.sock"


class StatusSocketError(Exception):
    pass


class StatusServer:
    def __init__(self, path: Path, provider: Callable[[], dict[str, Any]]) -> None:
        self.path = path
        self.provider = provider
        self._sock: socket.socket | None = None

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

    def handle(self) -> int:
        """Serve every pending connection; returns how many were answered."""
        if self._sock is None:
            return 0
        served = 0
        while True:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return served
            except OSError:
                return served
            with conn:
                conn.settimeout(CLIENT_TIMEOUT)
                try:
                    request = conn.recv(MAX_REQUEST).decode("ascii", "replace").strip()
                    if request == "snapshot":
                        reply: dict[str, Any] = {"ok": True, "snapshot": self.provider()}
                    else:
                        reply = {"ok": False, "error": "unknown request"}
                    conn.sendall(json.dumps(reply).encode() + b"\n")
                    served += 1
                except OSError:
                    continue

    def close(self) -> None:
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
