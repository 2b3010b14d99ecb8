"""Signalling only verified processes; httpd's error messages as one line."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from ocf.httpd.control import LogTail, first_error, signal_instance, wait_gone
from ocf.httpd.procs import Identity
from tests.fixtures.tools import Spawned

SLEEPER = "import time; time.sleep(60)"


def _ready(pid: int, needle: str) -> None:
    deadline = time.monotonic() + 10
    while needle.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_signal_only_this_instance(tmp_path: Path, spawned: Spawned) -> None:
    config = str(tmp_path / "httpd.conf")
    Path(config).touch()  # an instance's configuration exists where it is looked for
    ours = spawned.popen([sys.executable, "-c", SLEEPER, "-f", config])
    stranger = spawned.popen([sys.executable, "-c", SLEEPER, "-f", config + "x"])
    _ready(ours.pid, config)
    _ready(stranger.pid, config + "x")
    ident = Identity(sys.executable, config, str(tmp_path), None)
    assert not signal_instance(ident, stranger.pid, signal.SIGTERM)
    assert signal_instance(ident, ours.pid, signal.SIGTERM)
    assert ours.wait(timeout=10) == -signal.SIGTERM
    assert wait_gone(ident, [ours.pid], time.monotonic() + 5) == []
    assert not signal_instance(ident, ours.pid, signal.SIGTERM)  # gone (reaped)
    assert stranger.poll() is None
    assert wait_gone(ident, [stranger.pid], time.monotonic() + 0.1) == []  # not ours


def test_first_error() -> None:
    out = (
        "AH00526: Syntax error on line 29 of /x/httpd.conf:\n"
        "Invalid command 'Bogus', perhaps misspelled\n"
    )
    assert first_error(out) == (
        "AH00526: Syntax error on line 29 of /x/httpd.conf: Invalid command 'Bogus', perhaps"
        " misspelled"
    )
    assert first_error("Syntax OK\n") == ""
    assert first_error("\n  one line  \n") == "one line"


def test_log_tail_reads_only_new_errors(tmp_path: Path) -> None:
    log = tmp_path / "error.log"
    log.write_text("[Sun Nov 22 03:00:00 2026] [mime:error] [pid 1:tid 1] old error\n")
    tail = LogTail(str(log))
    with log.open("a") as fh:
        fh.write("[Sun Nov 22 03:00:01 2026] [core:notice] [pid 2:tid 2] AH00094: Command line\n")
        fh.write(
            "[Sun Nov 22 03:00:01 2026] [core:error] [pid 2:tid 2] (2)No such file: AH00099: x\n"
        )
    assert tail.first_error() == "(2)No such file: AH00099: x"
    assert LogTail(None).first_error() == ""
    assert LogTail(str(tmp_path / "missing")).first_error() == ""


def test_configtest_reports_a_missing_binary(tmp_path: Path) -> None:
    from ocf.httpd.control import configtest

    assert "cannot run" in (configtest([str(tmp_path / "nope"), "-t"], {}, 5) or "")
    assert configtest(["true"], {"PATH": "/usr/bin:/bin"}, 5) is None
    failing = configtest(
        ["sh", "-c", "echo 'AH1: broken' >&2; exit 1"], {"PATH": "/usr/bin:/bin"}, 5
    )
    assert failing == "AH1: broken"
