"""A one-shot HTTP GET over a raw socket, bounded by a deadline.

http.client and urllib cost ~15-30 ms of imports per exec'd monitor; the
monitor needs one GET with `Connection: close`, so it speaks HTTP/1.0 itself.
Like the shell agent's wget/curl options, the client binds to 127.0.0.1
(or ::1): status pages are normally restricted to local clients.
HTTPS uses the ssl module (imported only then) without certificate
verification: the peer is this host's own server, reached over loopback.
"""

from __future__ import annotations

# _socket, not socket: socket.py builds its enums and imports selectors (~2 ms).
import _socket
import time

from ocf.httpd.urls import Url

Conn = _socket.socket  # ssl.SSLSocket is a subclass

MAX_BODY = 1 << 20  # a status page is a few KB; never read an unbounded body


class FetchError(Exception):
    """The GET failed before a complete HTTP status line arrived.

    `kind` is one of: resolve, refused, timeout, unreachable, reset, protocol, tls.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Response:
    __slots__ = ("body", "reason", "status")

    def __init__(self, status: int, reason: str, body: bytes) -> None:
        self.status = status
        self.reason = reason
        self.body = body

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def _address(host: str, port: int, ipv6: bool) -> tuple[int, tuple[str, int]]:
    """(family, sockaddr) without a resolver call for literals and localhost."""
    if ":" in host:
        return _socket.AF_INET6, (host, port)
    if host == "localhost":
        return (_socket.AF_INET6, ("::1", port)) if ipv6 else (_socket.AF_INET, ("127.0.0.1", port))
    if host.replace(".", "").isdigit():
        return _socket.AF_INET, (host, port)
    family = _socket.AF_INET6 if ipv6 else _socket.AF_INET
    try:
        infos = _socket.getaddrinfo(host, port, family, _socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError("resolve", f"cannot resolve {host}: {exc}") from None
    addr = infos[0][4]
    return family, (str(addr[0]), int(addr[1]))


def _basic_auth(userinfo: str) -> str:
    import binascii

    token = binascii.b2a_base64(userinfo.encode(), newline=False).decode("ascii")
    return f"Authorization: Basic {token}\r\n"


def _request(url: Url, userinfo: str) -> bytes:
    auth = _basic_auth(userinfo) if userinfo else ""
    return (
        f"GET {url.path} HTTP/1.0\r\n"
        f"Host: {url.netloc}\r\n"
        "User-Agent: pycrm-ocf-apache\r\n"
        "Accept: */*\r\n"
        f"{auth}"
        "Connection: close\r\n\r\n"
    ).encode("latin-1", "replace")


def _left(deadline: float, url: Url) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("timeout", f"GET {url}: no answer before the deadline")
    return left


def fetch(url: Url, deadline: float, *, ipv6: bool = False, userinfo: str = "") -> Response:
    """GET `url`; finish (or fail with FetchError) by `deadline` (time.monotonic())."""
    family, addr = _address(url.host, url.port, ipv6)
    sock = _socket.socket(family, _socket.SOCK_STREAM)
    try:
        sock.settimeout(_left(deadline, url))
        try:
            sock.bind(("::1", 0) if family == _socket.AF_INET6 else ("127.0.0.1", 0))
            sock.connect(addr)
        except ConnectionRefusedError:
            raise FetchError("refused", f"connection to {url.netloc} refused") from None
        except TimeoutError:
            raise FetchError("timeout", f"connection to {url.netloc} timed out") from None
        except OSError as exc:
            raise FetchError("unreachable", f"cannot connect to {url.netloc}: {exc}") from None
        conn: Conn = sock
        if url.scheme == "https":
            conn = sock = _wrap_tls(sock, url, deadline)
        try:
            conn.sendall(_request(url, userinfo or url.userinfo))
            data = _read_all(conn, url, deadline)
        except TimeoutError:
            raise FetchError("timeout", f"GET {url}: no complete answer in time") from None
        except OSError as exc:
            raise FetchError("reset", f"GET {url}: {exc}") from None
    finally:
        sock.close()
    return _parse(data, url)


def _wrap_tls(raw: _socket.socket, url: Url, deadline: float) -> Conn:
    import socket
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # ssl wraps socket.socket objects: hand the descriptor over to one.
    sock = socket.socket(raw.family, raw.type, raw.proto, fileno=raw.detach())
    try:
        sock.settimeout(_left(deadline, url))
        return context.wrap_socket(sock, server_hostname=url.host)
    except TimeoutError:
        sock.close()
        raise FetchError("timeout", f"TLS handshake with {url.netloc} timed out") from None
    except OSError as exc:  # ssl.SSLError included
        sock.close()
        raise FetchError("tls", f"TLS handshake with {url.netloc} failed: {exc}") from None
    except FetchError:
        sock.close()
        raise


def _read_all(conn: Conn, url: Url, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY:
        conn.settimeout(_left(deadline, url))
        chunk = conn.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _parse(data: bytes, url: Url) -> Response:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")
    status_line = head.split(b"\n", 1)[0].strip()
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        shown = status_line[:60].decode("latin-1") or "nothing"
        raise FetchError("protocol", f"GET {url}: not an HTTP response (got {shown!r})")
    reason = parts[2].decode("latin-1") if len(parts) > 2 else ""
    return Response(int(parts[1]), reason, body)
