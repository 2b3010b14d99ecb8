"""The respawn supervisor with real programs in a selectors loop.

A program that exits 1 is started again, one that exits 100 is not, one
killed by a signal is started again; programs run as their user in their own
process group, and `stop` ends them (and what they started) at shutdown.
"""

from __future__ import annotations

import logging
import os
import pwd
import selectors
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pycrm.daemon.config_model import RespawnEntry
from pycrm.daemon.respawn import RespawnSupervisor
from tests.fixtures.tools import require_root

pytestmark = [pytest.mark.realproc]

LOG = logging.getLogger("test.respawn")


class Loop:
    """A minimal daemon loop: the selector plus the supervisor's timer."""

    def __init__(self, entries: list[RespawnEntry]) -> None:
        self.selector = selectors.DefaultSelector()
        self.failfast: list[str] = []
        self.sup = RespawnSupervisor(
            entries,
            self.selector,
            logger=LOG,
            on_failfast=lambda entry, reason: self.failfast.append(reason),
        )

    def run_until(self, cond: Callable[[], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            now = time.monotonic()
            assert now < deadline, "condition not reached"
            wake = self.sup.next_wakeup()
            wait = 0.1 if wake is None else min(0.1, max(0.0, wake - now))
            for key, mask in self.selector.select(wait):
                key.data.on_ready(mask)
            self.sup.tick(time.monotonic())


@pytest.fixture
def loops() -> Iterator[list[Loop]]:
    made: list[Loop] = []
    yield made
    for loop in made:
        loop.sup.stop(grace=2.0)
        loop.selector.close()


@pytest.fixture
def public() -> Iterator[Path]:
    """A directory another user can reach (pytest's tmp_path is 0700 under root)."""
    path = Path(tempfile.mkdtemp(prefix="pycrm-respawn-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path)


def script(where: Path, name: str, body: str) -> Path:
    path = where / name
    path.write_text("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return path


def shared_file(where: Path, name: str) -> Path:
    path = where / name
    path.touch()
    os.chmod(path, 0o666)
    return path


def starts(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def entry(prog: Path, *args: str, user: str = "root", failfast: bool = False) -> RespawnEntry:
    argv = (str(prog), *args)
    return RespawnEntry(
        user if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name,
        argv,
        " ".join(argv),
        failfast,
        1,
        env={"HA_CURHOST": "alpha"},
    )


def test_exit_1_is_restarted(tmp_path: Path, loops: list[Loop]) -> None:
    log = tmp_path / "starts"
    prog = script(tmp_path, "fails", f'echo "$$:$HA_CURHOST" >> {log}\nexit 1\n')
    loop = Loop([entry(prog)])
    loops.append(loop)
    loop.sup.start()
    loop.run_until(lambda: len(starts(log)) >= 3)
    assert all(line.endswith(":alpha") for line in starts(log))
    assert loop.sup.children()[0].restarts >= 2


def test_exit_100_is_not_restarted(tmp_path: Path, loops: list[Loop]) -> None:
    log = tmp_path / "starts"
    prog = script(tmp_path, "done", f"echo $$ >> {log}\nexit 100\n")
    loop = Loop([entry(prog)])
    loops.append(loop)
    loop.sup.start()
    loop.run_until(lambda: loop.sup.children()[0].state == "stopped")
    assert len(starts(log)) == 1
    assert loop.sup.next_wakeup() is None


def test_killed_by_a_signal_is_restarted(
    public: Path, loops: list[Loop], caplog: pytest.LogCaptureFixture
) -> None:
    log = shared_file(public, "starts")
    prog = script(public, "sleeper", f"echo $$ >> {log}\nexec sleep 60\n")
    loop = Loop([entry(prog, user="nobody")])
    loops.append(loop)
    loop.sup.start()
    loop.run_until(lambda: len(starts(log)) == 1)
    first = int(starts(log)[0])
    assert os.getpgid(first) == first  # its own process group
    os.kill(first, signal.SIGKILL)
    loop.run_until(lambda: len(starts(log)) == 2)
    assert loop.sup.children()[0].restarts == 1
    assert "killed by signal 9" in caplog.text


def test_runs_as_the_user(public: Path, loops: list[Loop]) -> None:
    require_root()
    nobody = pwd.getpwnam("nobody")
    out = shared_file(public, "ids")
    prog = script(public, "whoami", f"id -u >> {out}\nid -g >> {out}\nexec sleep 60\n")
    loop = Loop([entry(prog, user="nobody")])
    loops.append(loop)
    loop.sup.start()
    loop.run_until(lambda: len(out.read_text().split()) == 2)
    assert out.read_text().split() == [str(nobody.pw_uid), str(nobody.pw_gid)]


def test_stop_ends_the_process_group(tmp_path: Path, loops: list[Loop]) -> None:
    pids = tmp_path / "pids"
    prog = script(tmp_path, "parent", f"sleep 60 &\necho $! >> {pids}\necho $$ >> {pids}\nwait\n")
    loop = Loop([entry(prog), entry(prog)])
    loops.append(loop)
    loop.sup.start()
    loop.run_until(lambda: len(starts(pids)) == 4)
    loop.sup.stop(grace=5.0)
    # stop() waits for each main process; an orphan of its group has been sent SIGKILL
    # and may take a moment to be gone (exiting, then reaped by its new parent)
    deadline = time.monotonic() + 10.0
    while any(_alive(pid) for pid in map(int, starts(pids))) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in map(int, starts(pids)):
        assert not _alive(pid), pid
    assert [c.state for c in loop.sup.children()] == ["stopped", "stopped"]
    assert loop.failfast == []


def test_failfast_is_reported(tmp_path: Path, loops: list[Loop]) -> None:
    prog = script(tmp_path, "ff", "exit 3\n")
    loop = Loop([entry(prog, failfast=True)])
    loops.append(loop)
    loop.sup.start()
    loop.run_until(lambda: bool(loop.failfast))
    assert "exit code 3" in loop.failfast[0]


def test_a_program_that_cannot_start_is_given_up(tmp_path: Path, loops: list[Loop]) -> None:
    prog = tmp_path / "missing"
    loop = Loop([entry(prog)])
    loops.append(loop)
    loop.sup.start()
    assert loop.sup.children()[0].state == "given up"
    assert loop.sup.next_wakeup() is None


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie reaped by init counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
