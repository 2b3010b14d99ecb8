"""The control socket server (heartbeat_compat.ipc) and its client, in a real selectors loop.

Permissions and takeover of the socket path, the protocol's errors as data, limits and
deadlines, clients that are slow, silent, greedy or gone, concurrent clients, deferred
answers. The loop (tests/support/loop.py) is the daemon's convention: on_ready(mask),
next_wakeup()/tick(now).
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from heartbeat_compat.ipc import (
    CommandError,
    IpcError,
    JsonLineServer,
    Limits,
    NotRunning,
    RemoteError,
    Reply,
    Request,
    request,
)
from pycrm.control.client import ControlError, call
from pycrm.control.server import control_server
from pycrm.daemon.paths import control_dir, control_socket
from tests.fixtures.tools import require_root
from tests.support.loop import serving, wait_for


class Clock:
    """A monotonic clock the test moves: deadlines pass when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _server(path: Path, clock: Clock | None = None, **limits: Any) -> JsonLineServer:
    server = JsonLineServer(path, limits=Limits(**limits), clock=clock or Clock())
    server.register("echo", lambda req: {"args": req.args, "uid": req.peer and req.peer.uid})
    return server


def _raw(path: Path, data: bytes, *, timeout: float = 5.0) -> dict[str, Any]:
    """Send raw bytes, read the one reply line."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall(data)
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += chunk
    reply: dict[str, Any] = json.loads(buf)
    return reply


# --------------------------------------------------------------------------- basics
def test_round_trip_permissions_and_cleanup(tmp_path: Path) -> None:
    path = tmp_path / "run" / "control" / "pycrm.sock"
    with serving(_server(path)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        result = request(path, "echo", {"x": [1, "two"]})
        assert result == {"args": {"x": [1, "two"]}, "uid": os.getuid()}
    assert not path.exists()
    with pytest.raises(NotRunning, match="no such socket"):
        request(path, "echo")


def test_control_server_lives_where_clients_look(tmp_path: Path) -> None:
    server = control_server(tmp_path)
    server.register("ping", lambda req: "pong")
    with serving(server):
        assert server.path == control_socket(tmp_path)
        assert stat.S_IMODE(control_dir(tmp_path).stat().st_mode) == 0o700
        assert call(tmp_path, "ping") == "pong"
        with pytest.raises(ControlError, match=r"nope failed: unknown command 'nope'") as err:
            call(tmp_path, "nope")
        assert err.value.connected
    with pytest.raises(ControlError, match="no daemon is running") as err:
        call(tmp_path, "ping")
    assert not err.value.connected


def test_group_access_opens_socket_and_directory_to_the_group(tmp_path: Path) -> None:
    gid = os.getgid()  # a group this process may hand files to
    path = tmp_path / "control" / "s.sock"
    server = JsonLineServer(path, group=gid)
    with serving(server):
        st = path.stat()
        assert (stat.S_IMODE(st.st_mode), st.st_gid) == (0o660, gid)
        dst = path.parent.stat()
        assert (stat.S_IMODE(dst.st_mode), dst.st_gid) == (0o710, gid)
    with pytest.raises(IpcError, match="group 'no-such-group-pycrm' does not exist"):
        JsonLineServer(path, group="no-such-group-pycrm").open(selectors.DefaultSelector())


# --------------------------------------------------------------------------- the path
def test_refuses_a_live_socket_and_non_sockets(tmp_path: Path) -> None:
    path = tmp_path / "c" / "s.sock"
    with serving(_server(path)), pytest.raises(IpcError, match="already running"):
        _server(path).open(selectors.DefaultSelector())
    path.write_text("not a socket")
    with pytest.raises(IpcError, match="exists and is not a socket"):
        _server(path).open(selectors.DefaultSelector())
    assert path.read_text() == "not a socket"
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(IpcError, match="exists and is not a socket"):
        _server(path).open(selectors.DefaultSelector())
    assert path.is_symlink()


def test_takes_over_a_stale_socket(tmp_path: Path) -> None:
    path = tmp_path / "c" / "s.sock"
    path.parent.mkdir(mode=0o700)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # a crashed daemon's socket: the file stays, nobody listens
    with pytest.raises(NotRunning, match="stale"):
        request(path, "echo")
    with serving(_server(path)):
        assert request(path, "echo") == {"args": {}, "uid": os.getuid()}


def test_close_leaves_a_successors_socket_alone(tmp_path: Path) -> None:
    path = tmp_path / "c" / "s.sock"
    server = _server(path)
    server.open(selectors.DefaultSelector())
    path.unlink()
    path.write_text("someone else's")
    server.close()
    assert path.read_text() == "someone else's"


def test_refuses_a_directory_owned_by_someone_else(tmp_path: Path) -> None:
    require_root()
    directory = tmp_path / "c"
    directory.mkdir()
    os.chown(directory, 65534, -1)
    with pytest.raises(IpcError, match="owned by uid 65534"):
        _server(directory / "s.sock").open(selectors.DefaultSelector())


def test_fixes_a_loose_directory_mode(tmp_path: Path) -> None:
    directory = tmp_path / "c"
    directory.mkdir()
    directory.chmod(0o777)
    with serving(_server(directory / "s.sock")):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700


# --------------------------------------------------------------------------- errors as data
def test_errors_are_data(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = _server(path)

    def refuse(req: Request) -> object:
        raise CommandError("not-dc", "this node is not the DC")

    def crash(req: Request) -> object:
        raise RuntimeError("secret internals")

    server.register("refuse", refuse)
    server.register("crash", crash)
    server.register("unencodable", lambda req: {"x": object()})
    with serving(server):
        cases = {
            b"this is not json\n": "bad-request",
            b"[1, 2]\n": "bad-request",
            b'{"args": {}}\n': "bad-request",
            b'{"cmd": "echo", "args": [1]}\n': "bad-request",
            b'{"cmd": "nope"}\n': "unknown-command",
            b'{"cmd": "refuse"}\n': "not-dc",
            b'{"cmd": "crash"}\n': "internal-error",
            b'{"cmd": "unencodable"}\n': "internal-error",
            b"\xff\xfe\n": "bad-request",
        }
        for raw, code in cases.items():
            reply = _raw(path, raw)
            assert reply["ok"] is False and reply["error"]["code"] == code, raw
            assert "secret internals" not in reply["error"]["message"]
            assert "Traceback" not in reply["error"]["message"]
        # a request ended by EOF instead of a newline is still a request
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(str(path))
            sock.sendall(b'{"cmd": "echo"}')
            sock.shutdown(socket.SHUT_WR)
            assert json.loads(sock.makefile("rb").readline())["ok"] is True
        with pytest.raises(RemoteError, match="this node is not the DC") as err:
            request(path, "refuse")
        assert err.value.code == "not-dc"


def test_oversized_request_and_reply(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = _server(path, max_request=1024, max_response=4096)
    server.register("big", lambda req: "x" * 10_000)
    with serving(server):
        reply = _raw(path, b'{"cmd": "echo", "args": {"pad": "' + b"y" * 5000 + b'"}}\n')
        assert reply["error"]["code"] == "too-large"
        with pytest.raises(RemoteError, match="exceeds 4096") as err:
            request(path, "big")
        assert err.value.code == "too-large"
        assert request(path, "echo", {"small": 1})["args"] == {"small": 1}
    big = tmp_path / "b.sock"
    with serving(_big_server(big)), pytest.raises(IpcError, match="larger than 100 bytes"):
        request(big, "big", max_response=100)


def _big_server(path: Path) -> JsonLineServer:
    server = JsonLineServer(path)
    server.register("big", lambda req: "z" * 1000)
    return server


# --------------------------------------------------------------------------- bad clients
def test_silent_and_hung_up_clients_never_block_and_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    clock = Clock()
    server = _server(path, clock, request_timeout=2.0)
    with serving(server) as loop:
        silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        silent.connect(str(path))
        half = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        half.connect(str(path))
        half.sendall(b'{"cmd": "ec')  # half a request, then gone
        half.close()
        wait_for(lambda: server.clients >= 1)
        assert request(path, "echo")["args"] == {}  # served meanwhile
        wait_for(lambda: server.clients == 1)  # the half request's hang-up is noticed
        clock.now += 2.0
        wait_for(lambda: server.clients == 0)  # the silent one hit its deadline
        assert silent.recv(10) == b""  # ... and was closed without a word
        silent.close()
        assert loop.cycles > 0


def test_a_client_that_never_reads_its_reply_cannot_stall_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    clock = Clock()
    server = _server(path, clock, reply_timeout=2.0)
    server.register("huge", lambda req: "h" * (8 * 1024 * 1024))  # far above socket buffers
    with serving(server):
        greedy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        greedy.connect(str(path))
        greedy.sendall(b'{"cmd": "huge"}\n')  # ... and never reads
        wait_for(lambda: server.clients == 1)
        assert request(path, "echo", timeout=5)["args"] == {}
        wait_for(lambda: server.clients == 1)  # answered; the greedy one is still held
        clock.now += 2.0
        wait_for(lambda: server.clients == 0)  # dropped at its reply deadline
        greedy.close()


def test_many_concurrent_clients_and_the_busy_limit(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    results: list[object] = []
    with serving(_server(path)):
        threads = [
            threading.Thread(target=lambda i=i: results.append(request(path, "echo", {"i": i})))
            for i in range(30)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert sorted(r["args"]["i"] for r in results) == list(range(30))  # type: ignore[index]
    path = tmp_path / "busy.sock"
    server = _server(path, max_clients=4)
    with serving(server):
        idle = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(4)]
        for sock in idle:
            sock.connect(str(path))
        wait_for(lambda: server.clients == 4)
        with pytest.raises(RemoteError, match="too many clients") as err:
            request(path, "echo")
        assert err.value.code == "busy"
        for sock in idle:
            sock.close()
        wait_for(lambda: server.clients == 0)
        assert request(path, "echo")["args"] == {}


def test_client_timeout_when_nobody_answers(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path))
        listener.listen(1)  # accepts in the kernel, never answers
        with pytest.raises(IpcError, match=r"no reply within 0\.2 s"):
            request(path, "echo", timeout=0.2)


# --------------------------------------------------------------------------- deferred answers
def test_deferred_answers(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    clock = Clock()
    server = _server(path, clock, deferred_timeout=30.0)
    pending: list[Reply] = []

    def later(req: Request) -> None:
        pending.append(req.defer())

    server.register("later", later)
    with serving(server) as loop:
        answer: list[object] = []
        t = threading.Thread(target=lambda: answer.append(request(path, "later", timeout=5)))
        t.start()
        wait_for(lambda: len(pending) == 1)
        assert pending[0].open
        loop.calls.append(lambda: pending[0].result({"done": True}))
        t.join(5)
        assert answer == [{"done": True}]
        assert not pending[0].open
        # nobody answers: the client gets a timeout error at the deadline
        failed: list[BaseException] = []

        def ask() -> None:
            try:
                request(path, "later", timeout=5)
            except RemoteError as exc:
                failed.append(exc)

        t = threading.Thread(target=ask)
        t.start()
        wait_for(lambda: len(pending) == 2)
        clock.now += 30.0
        t.join(5)
        assert [str(e) for e in failed] == ["no answer within the deadline"]
        # the client goes away first: the late answer is a no-op
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(str(path))
            sock.sendall(b'{"cmd": "later"}\n')
            wait_for(lambda: len(pending) == 3)
        wait_for(lambda: server.clients == 0)  # it hung up: the connection is gone
        loop.calls.append(lambda: pending[2].error("late", "too late"))
        wait_for(lambda: not loop.calls)
        assert request(path, "echo")["args"] == {}


# --------------------------------------------------------------------------- deadlines, no loop
def test_deadlines_follow_the_injected_clock(tmp_path: Path) -> None:
    now = [100.0]
    server = JsonLineServer(tmp_path / "s.sock", limits=Limits(request_timeout=2.0),
                            clock=lambda: now[0])  # fmt: skip
    selector = selectors.DefaultSelector()
    server.open(selector)
    try:
        assert server.next_wakeup() is None
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(str(server.path))
            for key, mask in selector.select(1):
                key.data.on_ready(mask)
            assert server.clients == 1
            assert server.next_wakeup() == 102.0
            server.tick(101.9)
            assert server.clients == 1
            now[0] = 102.0
            server.tick(102.0)
            assert server.clients == 0
            assert server.next_wakeup() is None
    finally:
        server.close()
        selector.close()
