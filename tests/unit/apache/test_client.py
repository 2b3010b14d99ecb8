"""The raw-socket GET against small in-test servers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from ocf.httpd.client import FetchError, fetch
from ocf.httpd.urls import Url

Handler = Callable[[socket.socket, bytes], None]


@pytest.fixture
def server() -> Iterator[Callable[[Handler], tuple[int, list[bytes]]]]:
    listeners: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def start(handler: Handler) -> tuple[int, list[bytes]]:
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(4)
        lsock.settimeout(10)
        listeners.append(lsock)
        requests: list[bytes] = []

        def serve() -> None:
            try:
                conn, _ = lsock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                requests.append(data)
                handler(conn, data)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        return lsock.getsockname()[1], requests

    yield start
    for lsock in listeners:
        lsock.close()
    for thread in threads:
        thread.join(timeout=5)


def _reply(raw: bytes) -> Handler:
    def handler(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(raw)

    return handler


def _url(port: int, path: str = "/server-status?auto") -> Url:
    return Url("http", "127.0.0.1", port, path)


def test_get_status_and_body(server: Callable[[Handler], tuple[int, list[bytes]]]) -> None:
    port, requests = server(
        _reply(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nBusyWorkers: 1\n")
    )
    response = fetch(_url(port), time.monotonic() + 5)
    assert (response.status, response.reason) == (200, "OK")
    assert response.text() == "BusyWorkers: 1\n"
    request = requests[0].decode()
    assert request.startswith("GET /server-status?auto HTTP/1.0\r\n")
    assert f"Host: 127.0.0.1:{port}\r\n" in request
    assert "Connection: close\r\n" in request


def test_basic_auth_header(server: Callable[[Handler], tuple[int, list[bytes]]]) -> None:
    port, requests = server(_reply(b"HTTP/1.0 200 OK\r\n\r\nok"))
    fetch(_url(port), time.monotonic() + 5, userinfo="user:pass")
    assert b"Authorization: Basic dXNlcjpwYXNz\r\n" in requests[0]


def test_not_http(server: Callable[[Handler], tuple[int, list[bytes]]]) -> None:
    port, _ = server(_reply(b"SSH-2.0-OpenSSH\r\n"))
    with pytest.raises(FetchError) as err:
        fetch(_url(port), time.monotonic() + 5)
    assert err.value.kind == "protocol"


def test_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as err:
        fetch(_url(port), time.monotonic() + 5)
    assert err.value.kind == "refused"


def test_deadline(server: Callable[[Handler], tuple[int, list[bytes]]]) -> None:
    release = threading.Event()

    def silent(_conn: socket.socket, _request: bytes) -> None:
        release.wait(5)

    port, _ = server(silent)
    try:
        with pytest.raises(FetchError) as err:
            fetch(_url(port), time.monotonic() + 0.3)
        assert err.value.kind == "timeout"
    finally:
        release.set()


def test_body_is_bounded(server: Callable[[Handler], tuple[int, list[bytes]]]) -> None:
    big = b"HTTP/1.0 200 OK\r\n\r\n" + b"x" * (3 << 20)

    def flood(conn: socket.socket, _request: bytes) -> None:
        with contextlib.suppress(OSError):  # the client stops reading after MAX_BODY
            conn.sendall(big)

    port, _ = server(flood)
    response = fetch(_url(port), time.monotonic() + 10)
    assert response.status == 200
    assert len(response.body) < (2 << 20)
