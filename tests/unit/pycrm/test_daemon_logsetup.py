"""Log destinations and line formats of pycrm run, per mode."""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pycrm.daemon import logsetup
from pycrm.daemon.config import DaemonConfig, LoggingOptions, load_config

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
    assert re.fullmatch(r"<3>pycrm\[\d+\]: ERROR: boom", lines[0])
    assert re.fullmatch(r"<6>pycrm\[\d+\]: INFO: fine", lines[1])
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
