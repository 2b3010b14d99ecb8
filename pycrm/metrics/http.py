"""``GET /metrics`` over HTTP/1.0 on localhost, served from the daemon's selectors loop.

prometheus-client's own servers run in a thread; this is the project's one socket server
(`heartbeat_compat.ipc.StreamServer`: bounded accept batch, connection limit, a deadline per
connection, non-blocking writes) speaking just enough HTTP for a Prometheus scrape: one
request per connection, ``GET`` or ``HEAD`` of ``/metrics`` (a query string is ignored),
``Connection: close``.  Anything else gets 400, 404 or 405, never a traceback.

It listens on 127.0.0.1 and, where the host has IPv6, on ::1: never on another address, so
only local users and a local Prometheus (or an SSH tunnel) can read it.  The body comes from
``render(accept_header) -> (body, content_type)``.
"""

from __future__ import annotations

import errno
import logging
import selectors
import socket
import time
from collections.abc import Callable
from http import HTTPStatus

from heartbeat_compat.ipc import Connection, IpcError, Limits, StreamServer

LIMITS = Limits(
    max_request=8 * 1024,  # the request line and headers
    max_response=64 * 1024 * 1024,
    request_timeout=5.0,
    reply_timeout=10.0,
    max_clients=8,
)
ADDRESSES = (("127.0.0.1", socket.AF_INET), ("::1", socket.AF_INET6))
PATH = "/metrics"
_BACKLOG = 16
_NO_IPV6 = (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT)

Render = Callable[[str], tuple[bytes, str]]
log = logging.getLogger(__name__)


def response(status: HTTPStatus, body: bytes, content_type: str, *, head: bool = False) -> bytes:
    lines = [
        f"HTTP/1.0 {status.value} {status.phrase}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        lines.append("Allow: GET, HEAD")
    head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    return head_bytes if head else head_bytes + body


def _plain(status: HTTPStatus, text: str) -> bytes:
    return response(status, (text + "\n").encode(), "text/plain; charset=utf-8")


class MetricsServer(StreamServer):
    def __init__(
        self,
        port: int,
        render: Render,
        *,
        limits: Limits = LIMITS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(f"metrics port {port}", limits=limits, clock=clock)
        self.port = port
        self.render = render
        self.addresses: list[str] = []  # where it listens

    def open(self, selector: selectors.BaseSelector) -> None:
        """Listen on 127.0.0.1 and, where it exists, ::1. Raises IpcError when 127.0.0.1
        cannot be bound (a scraper of ``localhost:PORT`` would reach someone else)."""
        for address, family in ADDRESSES:
            try:
                self._bind(address, family, selector)
            except OSError as exc:
                if family == socket.AF_INET6 and exc.errno in _NO_IPV6:
                    continue  # IPv6 disabled, or a namespace without ::1: fine
                self.close()
                self.addresses.clear()
                raise IpcError(
                    f"metrics port {self.port}: cannot listen on {address}: {exc.strerror or exc}"
                ) from exc
            self.addresses.append(address)

    def _bind(self, address: str, family: int, selector: selectors.BaseSelector) -> None:
        sock = socket.socket(family, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind((address, self.port))
            sock.listen(_BACKLOG)
            self._listen(sock, selector)
        except OSError:
            sock.close()
            raise

    # ------------------------------------------------------------ protocol
    def frame(self, inbox: bytes) -> int | None:
        for end in (b"\r\n\r\n", b"\n\n"):
            found = inbox.find(end)
            if found >= 0:
                return found + len(end)
        return None

    def too_large_reply(self) -> bytes:
        return _plain(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request too large")

    def busy_reply(self) -> bytes:
        return _plain(HTTPStatus.SERVICE_UNAVAILABLE, "too many clients; try again")

    def dispatch(self, client: Connection, request: bytes) -> None:
        client.send(self.answer(request))

    def answer(self, request: bytes) -> bytes:
        """The whole HTTP response to one request (its line and headers)."""
        try:
            text = request.decode("ascii")
        except UnicodeDecodeError:
            return _plain(HTTPStatus.BAD_REQUEST, "request is not ASCII")
        first, *header_lines = text.replace("\r\n", "\n").split("\n")
        parts = first.split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            return _plain(HTTPStatus.BAD_REQUEST, "malformed request line")
        method, target, _ = parts
        if method not in ("GET", "HEAD"):
            return _plain(HTTPStatus.METHOD_NOT_ALLOWED, f"method {method[:16]} not allowed")
        if target.split("?", 1)[0] != PATH:
            return _plain(HTTPStatus.NOT_FOUND, f"only {PATH} is served here")
        accept = ""
        for line in header_lines:
            name, sep, value = line.partition(":")
            if sep and name.strip().lower() == "accept":
                accept = value.strip()
        try:
            body, content_type = self.render(accept)
        except Exception:  # a metrics bug must not reach the client or the loop
            log.exception("metrics: rendering failed")
            return _plain(HTTPStatus.INTERNAL_SERVER_ERROR, "metrics could not be computed")
        return response(HTTPStatus.OK, body, content_type, head=method == "HEAD")
