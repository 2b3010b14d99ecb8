"""Local request/response over a stream socket: the one socket server of the project.

`StreamServer` is the connection handling (accept, limits, deadlines, non-blocking
replies); `JsonLineServer` is the JSON-line protocol on a unix socket below. Both daemons
use it: `pycrm heartbeat` serves `cl_status` with it (membership/statusd.py) and `pycrm run`
serves its control socket with it (pycrm/control); `pycrm run`'s Prometheus endpoint is a
`StreamServer` speaking HTTP/1.0 on localhost (pycrm/metrics/http.py).

Wire protocol (one exchange per connection):

* the client sends one line, a JSON object ``{"cmd": NAME, "args": {...}}`` (``args``
  optional), at most ``Limits.max_request`` bytes;
* the server answers one line, ``{"ok": true, "result": ...}`` or
  ``{"ok": false, "error": {"code": CODE, "message": TEXT}}``, then closes.

Errors are data, never a traceback: a bad request, an unknown command, a handler that raises
`CommandError` or fails unexpectedly, a reply that is too large, all become an error reply
(codes below). A handler may also answer later (`Request.defer`), for commands that wait on
the cluster.

The server is a shell for a `selectors` loop (docs/daemon.md): the listening socket and
every client connection are registered with a handler object as ``key.data`` whose
``on_ready(mask)`` the loop calls; ``next_wakeup()`` / ``tick(now)`` enforce per-client
deadlines. Nothing blocks: a client that connects and says nothing, reads its reply slowly
or hangs up costs one file descriptor until its deadline, never a stalled loop.

Permissions: the socket is 0600 in a 0700 directory; with a group (``haclient``) it is
0660 in a 0710 directory owned by that group. `open` refuses a path that exists and is not
a stale socket of ours (another server answering there, a regular file, a symlink), and
`close` removes the socket only if it is still the one it bound.
"""

from __future__ import annotations

import contextlib
import errno
import grp
import json
import logging
import os
import selectors
import socket
import stat
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# error codes of the wire protocol
BAD_REQUEST = "bad-request"
TOO_LARGE = "too-large"
UNKNOWN_COMMAND = "unknown-command"
INTERNAL = "internal-error"
BUSY = "busy"
TIMEOUT = "timeout"

_ACCEPT_BATCH = 16  # connections accepted per wake-up, so a flood cannot starve the loop
_BACKLOG = 64  # connections the kernel queues before the loop accepts them
_CHUNK = 65536
_SEND_FLAGS = socket.MSG_NOSIGNAL | socket.MSG_DONTWAIT  # never SIGPIPE, never block

log = logging.getLogger(__name__)


class IpcError(Exception):
    """The socket cannot be served or a request failed; str() is one line for the user."""

    def __init__(self, message: str, os_errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = os_errno  # the OS error behind it, when there is one


class NotRunning(IpcError):
    """Nothing serves the socket (absent, or a stale socket nobody listens on)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class TimedOut(IpcError):
    """A server took the connection but did not answer in time."""


class RemoteError(IpcError):
    """The server answered with an error reply."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CommandError(Exception):
    """Raised by a handler: the client gets ``{"code": code, "message": message}``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_request: int = 64 * 1024  # bytes of one request line
    max_response: int = 64 * 1024 * 1024  # bytes of one reply line (a 1 MB CIB fits easily)
    request_timeout: float = 2.0  # a connected client must send its request within this
    reply_timeout: float = 10.0  # ... and read the whole reply within this
    deferred_timeout: float = 30.0  # a deferred command must be answered within this
    max_clients: int = 32  # more concurrent connections are answered "busy"


@dataclass(frozen=True)
class Peer:
    """The connecting process (SO_PEERCRED)."""

    pid: int
    uid: int
    gid: int


class Request:
    """One decoded request, handed to the command's handler."""

    __slots__ = ("_client", "args", "command", "peer")

    def __init__(
        self, command: str, args: dict[str, Any], peer: Peer | None, client: Connection
    ) -> None:
        self.command = command
        self.args = args
        self.peer = peer
        self._client = client

    def defer(self) -> Reply:
        """Answer later: the handler's return value is ignored and the connection stays open
        until `Reply.result` / `Reply.error` is called (or ``deferred_timeout`` passes)."""
        return self._client.defer()


class Reply:
    """The pending answer of a deferred request. Calls after the first, or after the
    client went away, do nothing."""

    __slots__ = ("_client",)

    def __init__(self, client: Connection) -> None:
        self._client: Connection | None = client

    def result(self, value: object) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.respond({"ok": True, "result": value})

    def error(self, code: str, message: str) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.respond(_error(code, message))

    @property
    def open(self) -> bool:
        return self._client is not None and not self._client.closed


Handler = Callable[[Request], object]


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


def _encode(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("ascii") + b"\n"


def _peer(conn: socket.socket) -> Peer | None:
    fmt = "3i"
    try:
        raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize(fmt))
    except (OSError, AttributeError):
        return None
    pid, uid, gid = struct.unpack(fmt, raw)
    return Peer(pid, uid, gid)


def resolve_group(group: str | int | None) -> int | None:
    """A group name or id -> gid (None: no group). Raises IpcError for an unknown name."""
    if group is None or isinstance(group, int):
        return group
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise IpcError(f"group {group!r} does not exist") from None


class StreamServer:
    """What every local server of the project shares, for a `selectors` loop: listening
    sockets, a bounded accept batch, at most ``limits.max_clients`` connections (more are
    answered `busy_reply` and closed), a deadline per connection, non-blocking replies.

    One exchange per connection: the client sends a request, which `frame` delimits (at most
    ``limits.max_request`` bytes); `dispatch` answers it through `Connection.send`; the server
    closes once the answer is written.  Subclasses provide the listening sockets (`_listen`)
    and the protocol (`frame`, `dispatch`, `too_large_reply`, `busy_reply`, `at_eof`).
    """

    def __init__(
        self,
        name: str,
        *,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name  # for log lines: a socket path, an address
        self.limits = limits or Limits()
        self.clock = clock
        self._listeners: list[_Listener] = []
        self._selector: selectors.BaseSelector | None = None
        self._clients: set[Connection] = set()

    # ------------------------------------------------------------ protocol hooks
    def frame(self, inbox: bytes) -> int | None:
        """The length of the complete request at the start of `inbox`, else None."""
        raise NotImplementedError

    def dispatch(self, client: Connection, request: bytes) -> None:
        raise NotImplementedError

    def too_large_reply(self) -> bytes:
        raise NotImplementedError

    def busy_reply(self) -> bytes:
        raise NotImplementedError

    def at_eof(self, client: Connection, inbox: bytes) -> None:
        """The client closed its side before a complete request."""
        client.close()

    # ------------------------------------------------------------ lifecycle
    def _listen(self, sock: socket.socket, selector: selectors.BaseSelector) -> None:
        """Serve a bound, listening socket from `selector`."""
        sock.setblocking(False)
        listener = _Listener(self, sock)
        selector.register(sock, selectors.EVENT_READ, listener)
        self._listeners.append(listener)
        self._selector = selector

    def close(self) -> None:
        for client in list(self._clients):
            client.close()
        for listener in self._listeners:
            if self._selector is not None:
                with contextlib.suppress(KeyError, ValueError):
                    self._selector.unregister(listener.sock)
            listener.sock.close()
        self._listeners.clear()
        self._selector = None

    @property
    def listening(self) -> bool:
        return bool(self._listeners)

    @property
    def clients(self) -> int:
        """Connections currently held (waiting for a request, a handler or a slow reader)."""
        return len(self._clients)

    # ------------------------------------------------------------ loop hooks
    def next_wakeup(self) -> float | None:
        if not self._clients:
            return None
        return min(c.deadline for c in self._clients)

    def tick(self, now: float) -> None:
        for client in [c for c in self._clients if c.deadline <= now]:
            client.expire()

    # ------------------------------------------------------------ internals
    def _accept(self, sock: socket.socket) -> None:
        """A listening socket is readable: accept what is waiting (bounded batch)."""
        if self._selector is None:
            return
        for _ in range(_ACCEPT_BATCH):
            try:
                conn, _ = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # EMFILE and friends: survive, try again next wake-up
                log.warning("%s: accept failed: %s", self.name, exc.strerror or exc)
                return
            conn.setblocking(False)
            if len(self._clients) >= self.limits.max_clients:
                with contextlib.suppress(OSError):
                    conn.send(self.busy_reply(), _SEND_FLAGS)
                conn.close()
                continue
            client = Connection(self, conn, self.clock() + self.limits.request_timeout)
            self._clients.add(client)
            self._selector.register(conn, selectors.EVENT_READ, client)

    def _forget(self, client: Connection) -> None:
        self._clients.discard(client)
        if self._selector is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(client.conn)

    def _watch(self, client: Connection, events: int) -> None:
        if self._selector is not None:
            self._selector.modify(client.conn, events, client)


class _Listener:
    """A listening socket in the loop (``key.data``)."""

    __slots__ = ("server", "sock")

    def __init__(self, server: StreamServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock

    def on_ready(self, mask: int) -> None:
        self.server._accept(self.sock)


class JsonLineServer(StreamServer):
    """Serve registered commands on a unix socket from a selectors loop."""

    def __init__(
        self,
        path: Path,
        *,
        group: str | int | None = None,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(str(path), limits=limits, clock=clock)
        self.path = path
        self.group = group
        self.handlers: dict[str, Handler] = {}
        self._bound: tuple[int, int] | None = None  # (st_dev, st_ino) of our socket file

    # ------------------------------------------------------------ registry
    def register(self, command: str, handler: Handler) -> None:
        """Serve `command` with `handler(request) -> JSON-serialisable result`."""
        if command in self.handlers:
            raise ValueError(f"command {command!r} already registered")
        self.handlers[command] = handler

    # ------------------------------------------------------------ lifecycle
    def open(self, selector: selectors.BaseSelector) -> None:
        """Create the directory and socket and register with `selector`. Raises IpcError."""
        gid = resolve_group(self.group)
        self._prepare_directory(gid)
        self._remove_stale()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            old = os.umask(0o177)
            try:
                sock.bind(str(self.path))
            finally:
                os.umask(old)
            st = os.lstat(self.path)
            self._bound = (st.st_dev, st.st_ino)
            if gid is not None:
                os.chown(self.path, -1, gid)
                os.chmod(self.path, 0o660)
            sock.listen(_BACKLOG)
            self._listen(sock, selector)
        except OSError as exc:
            sock.close()
            self._unlink_own()
            raise IpcError(f"{self.path}: cannot serve: {exc.strerror or exc}") from exc

    def _prepare_directory(self, gid: int | None) -> None:
        directory = self.path.parent
        mode = 0o700 if gid is None else 0o710
        try:
            directory.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                os.mkdir(directory, mode)
            st = os.lstat(directory)
            if not stat.S_ISDIR(st.st_mode):
                raise IpcError(f"{directory}: exists and is not a directory")
            if st.st_uid != os.geteuid():
                raise IpcError(
                    f"{directory}: owned by uid {st.st_uid}, not by this process; refusing it"
                )
            if gid is not None and st.st_gid != gid:
                os.chown(directory, -1, gid)
            if stat.S_IMODE(st.st_mode) != mode:
                os.chmod(directory, mode)
        except OSError as exc:
            raise IpcError(f"{directory}: {exc.strerror or exc}") from exc

    def _remove_stale(self) -> None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise IpcError(f"{self.path}: {exc.strerror or exc}") from exc
        if not stat.S_ISSOCK(st.st_mode):
            raise IpcError(f"{self.path}: exists and is not a socket; refusing to replace it")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            try:
                probe.connect(str(self.path))
            except (ConnectionRefusedError, FileNotFoundError):
                pass  # stale: nobody listens there any more
            except OSError as exc:
                raise IpcError(f"{self.path}: cannot check it: {exc.strerror or exc}") from exc
            else:
                raise IpcError(f"{self.path}: in use: another daemon is already running")
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise IpcError(f"{self.path}: cannot remove stale socket: {exc.strerror}") from exc

    def _unlink_own(self) -> None:
        """Remove the socket file only if it is still the one we bound."""
        if self._bound is None:
            return
        with contextlib.suppress(OSError):
            st = os.lstat(self.path)
            if (st.st_dev, st.st_ino) == self._bound:
                os.unlink(self.path)
        self._bound = None

    def close(self) -> None:
        super().close()
        self._unlink_own()

    def fileno(self) -> int:
        if not self._listeners:
            raise IpcError(f"{self.path}: not open")
        return self._listeners[0].sock.fileno()

    # ------------------------------------------------------------ protocol
    def frame(self, inbox: bytes) -> int | None:
        end = inbox.find(b"\n")
        return None if end < 0 else end

    def too_large_reply(self) -> bytes:
        return _encode(_error(TOO_LARGE, f"request larger than {self.limits.max_request} bytes"))

    def busy_reply(self) -> bytes:
        return _encode(_error(BUSY, "too many clients; try again"))

    def at_eof(self, client: Connection, inbox: bytes) -> None:
        if inbox.strip():
            self.dispatch(client, inbox)  # a last line without its newline
        else:
            client.close()

    def dispatch(self, client: Connection, line: bytes) -> None:
        try:
            decoded = json.loads(line)
        except (ValueError, UnicodeDecodeError) as exc:
            respond(client, _error(BAD_REQUEST, f"request is not valid JSON: {exc}"))
            return
        if not isinstance(decoded, dict) or not isinstance(decoded.get("cmd"), str):
            respond(client, _error(BAD_REQUEST, 'request must be an object with a "cmd" string'))
            return
        args = decoded.get("args", {})
        if not isinstance(args, dict):
            respond(client, _error(BAD_REQUEST, '"args" must be an object'))
            return
        command: str = decoded["cmd"]
        handler = self.handlers.get(command)
        if handler is None:
            respond(client, _error(UNKNOWN_COMMAND, f"unknown command {command[:64]!r}"))
            return
        request = Request(command, args, client.peer, client)
        try:
            result = handler(request)
        except CommandError as exc:
            respond(client, _error(exc.code, exc.message))
            return
        except Exception:  # a handler bug must not reach the client or the loop
            log.exception("%s: command %s failed", self.path, command)
            respond(client, _error(INTERNAL, f"internal error while running {command!r}"))
            return
        if not client.deferred:
            respond(client, {"ok": True, "result": result})


class Connection:
    """One connection: read a request, dispatch it, write the answer, close."""

    def __init__(self, server: StreamServer, conn: socket.socket, deadline: float) -> None:
        self.server = server
        self.conn = conn
        self.deadline = deadline
        self.peer = _peer(conn)
        self.inbox = bytearray()
        self.outbox = b""
        self.sent = 0
        self.state = "read"  # read -> (deferred ->) write -> closed
        self.closed = False

    @property
    def deferred(self) -> bool:
        return self.state == "deferred"

    def on_ready(self, mask: int) -> None:
        if self.closed:
            return
        if self.state == "write":
            self._write()
        else:
            self._read()

    def _read(self) -> None:
        limit = self.server.limits.max_request
        try:
            chunk = self.conn.recv(_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close()
            return
        if self.state == "deferred":
            if not chunk:
                self.close()  # the client gave up waiting: the Reply becomes a no-op
            return
        if not chunk:
            self.server.at_eof(self, bytes(self.inbox))
            return
        self.inbox += chunk
        end = self.server.frame(bytes(self.inbox))
        if end is not None and end <= limit:
            self.server.dispatch(self, bytes(self.inbox[:end]))
        elif len(self.inbox) > limit:
            self.send(self.server.too_large_reply())

    def defer(self) -> Reply:
        if self.state != "read":
            raise RuntimeError("request already answered")
        self.state = "deferred"
        self.deadline = self.server.clock() + self.server.limits.deferred_timeout
        return Reply(self)

    def send(self, data: bytes) -> None:
        """Answer with `data`, then close (once written or at the reply deadline)."""
        if self.closed or self.state == "write":
            return
        self.outbox = data
        self.state = "write"
        self.deadline = self.server.clock() + self.server.limits.reply_timeout
        self.server._watch(self, selectors.EVENT_WRITE)
        self._write()  # usually completes at once

    def respond(self, reply: dict[str, Any]) -> None:
        """A JSON-line answer (the reply of a deferred request)."""
        respond(self, reply)

    def _write(self) -> None:
        while self.sent < len(self.outbox):
            try:
                n = self.conn.send(self.outbox[self.sent : self.sent + _CHUNK], _SEND_FLAGS)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self.close()  # hung up: nothing more to say
                return
            self.sent += n
        self.close()

    def expire(self) -> None:
        if self.state == "deferred":
            self.respond(_error(TIMEOUT, "no answer within the deadline"))
        else:
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.server._forget(self)
        with contextlib.suppress(OSError):
            self.conn.close()


def respond(client: Connection, reply: dict[str, Any]) -> None:
    """Send a JSON-line reply (bounded by ``max_response``)."""
    try:
        data = _encode(reply)
    except (TypeError, ValueError) as exc:
        log.error("%s: reply is not JSON-serialisable: %s", client.server.name, exc)
        data = _encode(_error(INTERNAL, "internal error: reply cannot be encoded"))
    limit = client.server.limits.max_response
    if len(data) > limit:
        data = _encode(_error(TOO_LARGE, f"reply of {len(data)} bytes exceeds {limit}"))
    client.send(data)


# --------------------------------------------------------------------------- client
def request(
    path: Path,
    command: str,
    args: dict[str, Any] | None = None,
    *,
    timeout: float = 10.0,
    max_response: int = Limits.max_response,
) -> Any:
    """Send one command and return its result (blocking, bounded by `timeout` seconds).

    Raises NotRunning when nothing serves `path`, RemoteError for an error reply, TimedOut
    when no reply came in time and IpcError for everything else (permission, malformed
    reply).
    """
    deadline = time.monotonic() + timeout
    line = _encode({"cmd": command, "args": args or {}})
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            _connect(sock, path, deadline)
        except FileNotFoundError:
            raise NotRunning(path, "no such socket") from None
        except ConnectionRefusedError:
            raise NotRunning(path, "nobody is listening (stale socket)") from None
        except TimeoutError:
            raise IpcError(f"{path}: not accepted within {timeout:g} s") from None
        except OSError as exc:
            raise IpcError(f"{path}: cannot connect: {exc.strerror or exc}", exc.errno) from exc
        try:
            # a server that answers before reading ("busy") hangs up at once: read that
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(line)
            data = _read_line(sock, deadline, max_response)
        except TimeoutError:
            raise TimedOut(f"{path}: no reply within {timeout:g} s") from None
        except OSError as exc:
            raise IpcError(f"{path}: {exc.strerror or exc}") from exc
    if data is None:
        raise IpcError(f"{path}: connection closed without a reply")
    try:
        reply = json.loads(data)
    except ValueError:
        raise IpcError(f"{path}: malformed reply") from None
    if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
        raise IpcError(f"{path}: malformed reply")
    if not reply["ok"]:
        error = reply.get("error")
        if not isinstance(error, dict):
            raise IpcError(f"{path}: malformed error reply")
        raise RemoteError(str(error.get("code", "")), str(error.get("message", "")))
    return reply.get("result")


def _connect(sock: socket.socket, path: Path, deadline: float) -> None:
    """Connect, waiting while the server's backlog is full (a unix socket says EAGAIN)."""
    pause = 0.001
    while True:
        try:
            sock.connect(str(path))
            return
        except BlockingIOError:
            if time.monotonic() + pause >= deadline:
                raise TimeoutError from None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


def _read_line(sock: socket.socket, deadline: float, limit: int) -> bytes | None:
    buf = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = sock.recv(_CHUNK)
        if not chunk:
            return bytes(buf) if buf.endswith(b"\n") else None
        buf += chunk
        end = buf.find(b"\n")
        if (end if end >= 0 else len(buf)) > limit:
            raise OSError(errno.EMSGSIZE, f"reply larger than {limit} bytes")
        if end >= 0:
            return bytes(buf[:end])
