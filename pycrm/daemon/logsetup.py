"""Where `pycrm run` logs, per mode. Configures the root logger of the process.

* ``--ha-d``: heartbeat's ha-log lines (`heartbeat_compat.membership.hblog`):
  ``logfile`` (info and above) and ``debugfile`` (everything) as ha.cf names
  them, syslog with ``logfacility``, and stderr.
* TOML: stderr, plus ``[logging] file`` / ``debugfile`` / ``facility`` if set,
  as ``2026-12-07 14:28:07.123 node1 pycrm[812]: WARNING: text``.

When stderr is the systemd journal, stderr lines follow journald's stream
contract (systemd.exec(5) ``$JOURNAL_STREAM``, sd-daemon(3) prefixes):

* stderr is the journal when ``$JOURNAL_STREAM`` (``DEVICE:INODE`` in decimal)
  names the device and inode of stderr itself -- the variable alone is not
  enough, since it is inherited by processes whose stderr was redirected;
* every line starts with ``<N>``, the syslog priority (0-7) that journald
  (SyslogLevelPrefix=yes, the default) strips and stores as the entry's
  priority -- every line, since journald reads each line as its own entry (a
  traceback keeps its priority);
* no timestamp, host, program name or PID (the journal records them: the
  unit's SyslogIdentifier=pycrm and _PID): ``<4>WARNING: text`` (``<4>WARN:``
  in --ha-d mode).

Syslog (``facility``) is then left out if /dev/log is journald's own socket,
because the same lines would reach the same journal twice (corosync.service
warns of the same redundancy); the journal forwards to a syslog daemon with
the unit's SyslogFacility=.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import TextIO

from heartbeat_compat.membership.hblog import (
    HaLogFormatter,
    file_handlers,
    level_word,
    syslog_handler,
)
from pycrm.daemon.config_model import DaemonConfig

_PRIORITY = {
    logging.DEBUG: 7,
    logging.INFO: 6,
    logging.WARNING: 4,
    logging.ERROR: 3,
    logging.CRITICAL: 2,
}
_installed: list[logging.Handler] = []
DEV_LOG = "/dev/log"  # where hblog.syslog_handler sends
JOURNAL_DIR = "/run/systemd/journal/"


class LogSetupError(Exception):
    """A log destination cannot be opened; ``str()`` is one line."""


class PycrmFormatter(logging.Formatter):
    """TOML mode: ``[date time.ms host ]pycrm[pid]: LEVEL: message``."""

    def __init__(self, host: str, *, with_stamp: bool = True) -> None:
        super().__init__()
        self.host = host
        self.with_stamp = with_stamp

    def format(self, record: logging.LogRecord) -> str:
        text = f"pycrm[{record.process}]: {record.levelname}: {super().format(record)}"
        if not self.with_stamp:
            return text
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created))
        return f"{stamp}.{int(record.msecs):03d} {self.host} {text}"


class JournalFormatter(logging.Formatter):
    """journald's stream format: ``<priority>LEVEL: message`` on every line (sd-daemon)."""

    def __init__(self, word: Callable[[int], str]) -> None:
        super().__init__()
        self.word = word

    def format(self, record: logging.LogRecord) -> str:
        priority = _PRIORITY.get(record.levelno, 6 if record.levelno < logging.WARNING else 3)
        text = f"{self.word(record.levelno)}: {super().format(record)}"
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines() or [""])


def _level_name(levelno: int) -> str:
    return str(logging.getLevelName(levelno))


def dev_log_is_journal(path: str = DEV_LOG) -> bool:
    """Whether the syslog socket is journald's (``/run/systemd/journal/dev-log``)."""
    return os.path.realpath(path).startswith(JOURNAL_DIR)


def stream_is_journal(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Whether `stream` is the journal connection systemd announced in JOURNAL_STREAM."""
    value = environ.get("JOURNAL_STREAM", "")
    device, _, inode = value.partition(":")
    try:
        st = os.fstat(stream.fileno())
        return (st.st_dev, st.st_ino) == (int(device), int(inode))
    except (ValueError, OSError, AttributeError):
        return False


def setup_logging(
    cfg: DaemonConfig,
    *,
    debug: bool = False,
    stream: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> logging.Logger:
    """Install the daemon's handlers on the root logger (replacing the ones a
    previous call installed) and return it. Raises LogSetupError."""
    out = sys.stderr if stream is None else stream
    journal = stream_is_journal(out, os.environ if environ is None else environ)
    host = cfg.local_node
    if cfg.mode == "ha.d":
        stamped: logging.Formatter = HaLogFormatter(host)
        bare: logging.Formatter = HaLogFormatter(host, with_stamp=False)
        word = level_word
    else:
        stamped = PycrmFormatter(host)
        bare = PycrmFormatter(host, with_stamp=False)
        word = _level_name
    opts = cfg.logging
    logfile = None if opts.logfile is None else os.fspath(opts.logfile)
    debugfile = None if opts.debugfile is None else os.fspath(opts.debugfile)
    try:
        handlers = file_handlers(logfile, debugfile, stamped)
    except OSError as exc:
        path = exc.filename or logfile or debugfile
        raise LogSetupError(f"{path}: cannot open log file: {exc.strerror}") from None
    console = logging.StreamHandler(out)
    console.setLevel(logging.DEBUG if debug else logging.INFO)
    console.setFormatter(JournalFormatter(word) if journal else stamped)
    handlers.append(console)
    if not (journal and dev_log_is_journal()):
        syslog = syslog_handler(opts.facility, bare)
        if syslog is not None:
            handlers.append(syslog)

    root = logging.getLogger()
    for old in _installed:
        root.removeHandler(old)
        old.close()
    _installed[:] = handlers
    for handler in handlers:
        root.addHandler(handler)
    wants_debug = debug or debugfile not in (None, "/dev/null")
    root.setLevel(logging.DEBUG if wants_debug else logging.INFO)
    return root
