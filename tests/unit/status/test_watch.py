"""`pycrm status --watch` in its own process: it refreshes, and ends cleanly on a closed pipe
and on Ctrl-C (exit 0, nothing on stderr), as crm_mon does."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from heartbeat_compat.ipc import Request
from pycrm.control.server import control_server
from pycrm.status.payload import STATUS_COMMAND, status_payload
from tests.fixtures.hblab import pycrm_argv
from tests.support.loop import serving
from tests.support.statuscib import scenario_xml
from tests.unit.status.test_cli import _snapshot

CIB = scenario_xml("healthy")


@contextmanager
def watching(run_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    server = control_server(run_dir)
    asked: list[float] = []

    def status(req: Request) -> object:
        asked.append(time.monotonic())
        return status_payload(CIB, _snapshot())

    server.register(STATUS_COMMAND, status)
    with serving(server):
        argv = [*pycrm_argv(), "status", "--watch", "-i", "0.1", "--run-dir", str(run_dir)]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)


def _frames(proc: subprocess.Popen[bytes], count: int) -> bytes:
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + 30
    while seen.count(b"Cluster Summary:") < count:
        assert time.monotonic() < deadline, seen
        line = proc.stdout.readline()
        assert line, "the watch ended early"
        seen += line
    return seen


def test_refreshes_until_the_pipe_closes(tmp_path: Path) -> None:
    with watching(tmp_path) as proc:
        seen = _frames(proc, 2)
        assert b"\x1b[" not in seen  # not a terminal: frames one after another
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # `| head` went away
        assert proc.wait(30) == 0
        assert proc.stderr.read() == b""


def test_ctrl_c_ends_it_quietly(tmp_path: Path) -> None:
    with watching(tmp_path) as proc:
        _frames(proc, 1)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        assert proc.stderr is not None and proc.stderr.read() == b""


def test_a_daemon_that_goes_away_is_shown_and_asked_again(tmp_path: Path) -> None:
    argv = [*pycrm_argv(), "status", "--watch", "-i", "0.1", "-n", "2", "--run-dir", str(tmp_path)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stderr == ""
    lines = [line for line in done.stdout.splitlines() if line]
    assert len(lines) == 2 and all("no daemon is running" in line for line in lines)
    assert lines[0].endswith("(asking again every 0.1 s)")
