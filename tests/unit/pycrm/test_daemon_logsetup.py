"""Log destinations and line formats of pycrm run, per mode."""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from heartbeat_compat.membership.hblog import HaLogFormatter
from pycrm.daemon import logsetup
from pycrm.daemon.config import DaemonConfig, LoggingOptions, load_config
from tests.fixtures.tools import SHARED, require_path

TOML = """\
[cluster]
name = "web"
nodes = ["node1", "node2"]
local_node = "node1"
[[link]]
type = "bcast"
interface = "eth0"
[auth]
keyfile = "authkeys"
"""


@pytest.fixture
def cfg(tmp_path: Path) -> DaemonConfig:
    keys = tmp_path / "authkeys"
    keys.write_text("auth 1\n1 sha1 k\n")
    os.chmod(keys, 0o600)
    (tmp_path / "pycrm.toml").write_text(TOML)
    return load_config(config=tmp_path / "pycrm.toml", ha_d=None)


@pytest.fixture(autouse=True)
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


LOG = logging.getLogger("pycrm.daemon.test")


def test_toml_mode_stderr_and_files(cfg: DaemonConfig, tmp_path: Path) -> None:
    logs = LoggingOptions(logfile=tmp_path / "pycrm.log", debugfile=tmp_path / "debug.log")
    out = io.StringIO()
    logsetup.setup_logging(dataclasses.replace(cfg, logging=logs), stream=out, environ={})
    LOG.debug("details")
    LOG.warning("moved web-group to node2: node1 dead, quorum 1/2")
    line = out.getvalue().splitlines()
    assert len(line) == 1  # info and above on stderr
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} node1 pycrm\[\d+\]: WARNING: moved web-group "
        r"to node2: node1 dead, quorum 1/2",
        line[0],
    )
    assert "details" not in (tmp_path / "pycrm.log").read_text()
    assert "WARNING: moved" in (tmp_path / "pycrm.log").read_text()
    assert "DEBUG: details" in (tmp_path / "debug.log").read_text()
    assert (tmp_path / "pycrm.log").stat().st_mode & 0o777 == 0o600


def test_journal_stream_drops_the_stamp(cfg: DaemonConfig, tmp_path: Path) -> None:
    with open(tmp_path / "journal", "w+", encoding="utf-8") as stream:
        st = os.fstat(stream.fileno())
        env = {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}
        assert logsetup.stream_is_journal(stream, env)
        logsetup.setup_logging(cfg, stream=stream, environ=env)
        LOG.error("boom")
        LOG.info("fine")
        stream.flush()
        lines = (tmp_path / "journal").read_text().splitlines()
    # journald records time, host, identifier and PID itself: only priority, level, text
    assert lines == ["<3>ERROR: boom", "<6>INFO: fine"]
    assert not logsetup.stream_is_journal(io.StringIO(), env)
    assert not logsetup.stream_is_journal(stream, {"JOURNAL_STREAM": "1:2"})


def test_ha_d_mode_writes_heartbeat_lines(cfg: DaemonConfig, tmp_path: Path) -> None:
    ha = dataclasses.replace(
        cfg, mode="ha.d", logging=LoggingOptions(logfile=tmp_path / "ha-log", facility="local7")
    )
    out = io.StringIO()
    logsetup.setup_logging(ha, stream=out, environ={})
    LOG.warning("node node2: is dead")
    pattern = r"\w{3} [ \d]\d \d\d:\d\d:\d\d node1 heartbeat: \[\d+\]: WARN: node node2: is dead"
    assert re.fullmatch(pattern, out.getvalue().strip())
    assert re.fullmatch(pattern, (tmp_path / "ha-log").read_text().strip())


def test_setup_again_replaces_its_own_handlers(cfg: DaemonConfig) -> None:
    first, second = io.StringIO(), io.StringIO()
    logsetup.setup_logging(cfg, stream=first, environ={})
    logsetup.setup_logging(cfg, stream=second, environ={}, debug=True)
    LOG.debug("once")
    assert first.getvalue() == "" and "DEBUG: once" in second.getvalue()


def test_unopenable_log_file(cfg: DaemonConfig, tmp_path: Path) -> None:
    bad = dataclasses.replace(cfg, logging=LoggingOptions(logfile=tmp_path / "no" / "log"))
    with pytest.raises(logsetup.LogSetupError, match=r"no/log: cannot open log file"):
        logsetup.setup_logging(bad, stream=io.StringIO(), environ={})


def _journal_lines(cfg: DaemonConfig, tmp_path: Path, emit: Callable[[], None]) -> list[str]:
    with open(tmp_path / "journal", "w+", encoding="utf-8") as stream:
        st = os.fstat(stream.fileno())
        env = {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}
        logsetup.setup_logging(cfg, stream=stream, environ=env)
        emit()
        stream.flush()
    return (tmp_path / "journal").read_text().splitlines()


def test_every_journal_line_carries_its_priority(cfg: DaemonConfig, tmp_path: Path) -> None:
    """journald reads each line as an entry: a traceback's lines keep the error's priority."""

    def emit() -> None:
        try:
            raise ValueError("bad")
        except ValueError:
            LOG.exception("cycle failed\nsecond line")

    lines = _journal_lines(cfg, tmp_path, emit)
    assert lines[:2] == ["<3>ERROR: cycle failed", "<3>second line"]
    assert len(lines) > 3 and all(line.startswith("<3>") for line in lines)
    assert lines[-1] == "<3>ValueError: bad"


def test_ha_d_mode_in_the_journal_uses_heartbeats_level_words(
    cfg: DaemonConfig, tmp_path: Path
) -> None:
    ha = dataclasses.replace(cfg, mode="ha.d")
    lines = _journal_lines(ha, tmp_path, lambda: LOG.warning("node node2: is dead"))
    assert lines == ["<4>WARN: node node2: is dead"]


def test_syslog_through_journald_is_not_doubled(tmp_path: Path) -> None:
    """/dev/log is journald's socket on a systemd host: lines already in the journal through
    stderr are not sent to it again (a rsyslog-owned /dev/log still gets them)."""
    journald = tmp_path / "dev-log"
    journald.symlink_to("/run/systemd/journal/dev-log")
    rsyslog = tmp_path / "log"
    rsyslog.touch()
    assert logsetup.dev_log_is_journal(str(journald))
    assert not logsetup.dev_log_is_journal(str(rsyslog))


REAL_LOGS = (
    SHARED / "reference" / "hbv1-captures" / "log-excerpts.txt",
    SHARED / "reference" / "tool-output-samples" / "heartbeat_v1_takeover_log_deadtime30.txt",
)
HB_LINE = re.compile(
    r"(?P<stamp>\w{3} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) heartbeat: \[(?P<pid>\d+)\]: "
    r"(?P<level>\w+): (?P<text>.*)"
)
HB_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "WARN": logging.WARNING,
             "ERROR": logging.ERROR, "CRIT": logging.CRITICAL}  # fmt: skip


@pytest.mark.parametrize("path", REAL_LOGS, ids=lambda p: p.name)
def test_ha_d_lines_are_byte_for_byte_heartbeats(path: Path) -> None:
    """Every line heartbeat 3.0.6 itself wrote in these captures, re-formatted from its
    parts by the --ha-d formatter, comes out identical."""
    require_path(path, "the heartbeat v1 log captures (shared/reference)")
    year = time.localtime().tm_year
    checked = 0
    for line in path.read_text().splitlines():
        m = HB_LINE.fullmatch(line)
        if m is None:
            continue
        parsed = time.strptime(f"{year} {m['stamp']}", "%Y %b %d %H:%M:%S")
        record = logging.LogRecord(
            "pycrm.heartbeat", HB_LEVELS[m["level"]], __file__, 0, "%s", (m["text"],), None
        )
        record.created = time.mktime(parsed)
        record.process = int(m["pid"])
        assert HaLogFormatter(m["host"]).format(record) == line
        checked += 1
    assert checked >= 10
