"""The /metrics responder in a daemon-style loop: HTTP/1.0 on loopback only, bounded, and
never a traceback or a stalled loop."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from heartbeat_compat.ipc import IpcError, Limits
from pycrm.metrics.http import MetricsServer
from tests.fixtures.tools import require
from tests.support.loop import Loop, serving, wait_for

BODY = b"# HELP up x\n# TYPE up gauge\nup 1.0\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Render:
    def __init__(self) -> None:
        self.accepts: list[str] = []
        self.fail = False

    def __call__(self, accept: str) -> tuple[bytes, str]:
        self.accepts.append(accept)
        if self.fail:
            raise RuntimeError("boom")
        return BODY, "text/plain; version=0.0.4; charset=utf-8"


@contextmanager
def metrics_server(**limits: float) -> Iterator[tuple[MetricsServer, Render, Loop]]:
    render = Render()
    base = Limits(max_request=1024, request_timeout=5.0, reply_timeout=5.0, max_clients=4)
    server = MetricsServer(_free_port(), render, limits=Limits(**{**base.__dict__, **limits}))
    with serving(server) as loop:
        yield server, render, loop


def _exchange(port: int, data: bytes, host: str = "127.0.0.1") -> bytes:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect((host, port))
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _split(reply: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = reply.partition(b"\r\n\r\n")
    status, *lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status, headers, body


def test_get_metrics() -> None:
    with metrics_server() as (server, render, _):
        request = b"GET /metrics?x=1 HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain\r\n\r\n"
        status, headers, body = _split(_exchange(server.port, request))
    assert status == "HTTP/1.0 200 OK"
    assert headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert headers["content-length"] == str(len(BODY)) and headers["connection"] == "close"
    assert body == BODY and render.accepts == ["text/plain"]
    assert set(server.addresses) <= {"127.0.0.1", "::1"} and "127.0.0.1" in server.addresses


def test_head_and_bare_newlines() -> None:
    with metrics_server() as (server, _, _):
        status, headers, body = _split(_exchange(server.port, b"HEAD /metrics HTTP/1.0\n\n"))
    assert status == "HTTP/1.0 200 OK" and headers["content-length"] == str(len(BODY))
    assert body == b""


def test_ipv6_loopback_when_the_host_has_it() -> None:
    with metrics_server() as (server, _, _):
        require("::1" in server.addresses, "an IPv6 loopback address (::1)")
        reply = _exchange(server.port, b"GET /metrics HTTP/1.0\r\n\r\n", host="::1")
    assert reply.startswith(b"HTTP/1.0 200 OK")


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"POST /metrics HTTP/1.0\r\n\r\n", "HTTP/1.0 405 Method Not Allowed"),
        (b"GET / HTTP/1.0\r\n\r\n", "HTTP/1.0 404 Not Found"),
        (b"GET /metrics/../etc HTTP/1.0\r\n\r\n", "HTTP/1.0 404 Not Found"),
        (b"hello\r\n\r\n", "HTTP/1.0 400 Bad Request"),
        (b"GET /metrics\xff HTTP/1.0\r\n\r\n", "HTTP/1.0 400 Bad Request"),
        (b"GET /metrics HTTP/1.0\r\nX: " + b"y" * 2000 + b"\r\n\r\n",
         "HTTP/1.0 431 Request Header Fields Too Large"),
    ],
)  # fmt: skip
def test_bad_requests_get_an_http_error(request_bytes: bytes, status: str) -> None:
    with metrics_server() as (server, render, _):
        got, headers, _ = _split(_exchange(server.port, request_bytes))
    assert got == status and render.accepts == []
    if "405" in status:
        assert headers["allow"] == "GET, HEAD"


def test_a_failing_render_is_a_500_and_the_loop_goes_on() -> None:
    with metrics_server() as (server, render, _):
        render.fail = True
        assert _exchange(server.port, b"GET /metrics HTTP/1.0\r\n\r\n").startswith(
            b"HTTP/1.0 500 Internal Server Error"
        )
        render.fail = False
        assert _exchange(server.port, b"GET /metrics HTTP/1.0\r\n\r\n").endswith(BODY)


def test_silent_clients_expire_and_the_limit_answers_busy() -> None:
    with metrics_server(request_timeout=0.3, max_clients=2) as (server, _, _):
        silent = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(2)]
        try:
            wait_for(lambda: server.clients == 2)
            try:
                reply = _exchange(server.port, b"GET /metrics HTTP/1.0\r\n\r\n")
            except ConnectionResetError:  # TCP: the 503 is sent before the request is read,
                reply = b""  # and a request arriving after the close is answered with RST
            assert reply == b"" or reply.startswith(b"HTTP/1.0 503 Service Unavailable")
            wait_for(lambda: server.clients == 0)  # the silent ones reached their deadline
            assert _exchange(server.port, b"GET /metrics HTTP/1.0\r\n\r\n").endswith(BODY)
        finally:
            for sock in silent:
                sock.close()


def test_a_port_in_use_is_one_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        server = MetricsServer(port, Render())
        loop = Loop(server)
        try:
            with pytest.raises(
                IpcError, match=rf"metrics port {port}: cannot listen on 127.0.0.1: "
            ):
                server.open(loop.selector)
            assert not server.listening
        finally:
            server.close()
            loop.selector.close()
