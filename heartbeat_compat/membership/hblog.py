"""Logging in heartbeat's ha-log format.

    Nov 22 02:12:04 hbv1a heartbeat: [19194]: info: Link hbv1b:hb0 up.

`logfile` receives info and above, `debugfile` everything, stderr (foreground)
info and above; `logfacility` (unless `none`) also sends to syslog.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time

from heartbeat_compat.membership import events as ev

LOGGER_NAME = "pycrm.heartbeat"

_LEVELS = {
    ev.DEBUG: logging.DEBUG,
    ev.INFO: logging.INFO,
    ev.WARN: logging.WARNING,
    ev.ERROR: logging.ERROR,
    ev.CRIT: logging.CRITICAL,
}
_NAMES = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "WARN",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRIT",
}


def level_of(hb_level: str) -> int:
    return _LEVELS.get(hb_level, logging.INFO)


def level_word(levelno: int) -> str:
    """heartbeat's word for a logging level (``info``, ``WARN``, ``ERROR`` ...)."""
    return _NAMES.get(levelno, "info")


class HaLogFormatter(logging.Formatter):
    def __init__(self, host: str, with_stamp: bool = True) -> None:
        super().__init__()
        self.host = host
        self.with_stamp = with_stamp

    def format(self, record: logging.LogRecord) -> str:
        body = f"heartbeat: [{record.process}]: {level_word(record.levelno)}: {record.getMessage()}"
        if not self.with_stamp:
            return body
        stamp = time.strftime("%b %d %H:%M:%S", time.localtime(record.created))
        return f"{stamp} {self.host} {body}"


def file_handlers(
    logfile: str | None, debugfile: str | None, formatter: logging.Formatter
) -> list[logging.Handler]:
    """``logfile`` gets info and above, ``debugfile`` everything; /dev/null and
    None mean no file. Files are created mode 0600. Raises OSError."""
    targets: list[tuple[str, int]] = []
    if logfile and logfile != "/dev/null":
        targets.append((logfile, logging.INFO))
    if debugfile and debugfile != "/dev/null":
        targets.append((debugfile, logging.DEBUG))
    handlers: list[logging.Handler] = []
    for path, level in targets:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
        fh = logging.FileHandler(path, encoding="utf-8")
        fh.setLevel(level)
        fh.setFormatter(formatter)
        handlers.append(fh)
    return handlers


def syslog_handler(facility: str | None, formatter: logging.Formatter) -> logging.Handler | None:
    """Info and above to syslog (/dev/log) with `facility`; None for none/unset,
    an unknown facility or no syslog socket."""
    if not facility or facility == "none" or not os.path.exists("/dev/log"):
        return None
    try:
        fac = logging.handlers.SysLogHandler.facility_names[facility]
        handler = logging.handlers.SysLogHandler(address="/dev/log", facility=fac)
    except (KeyError, OSError):
        return None
    handler.setLevel(logging.INFO)
    handler.setFormatter(formatter)
    return handler


def setup_logging(
    host: str,
    *,
    logfile: str | None,
    debugfile: str | None,
    facility: str | None,
    foreground: bool,
    debug: bool = False,
) -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    formatter = HaLogFormatter(host)
    for fh in file_handlers(logfile, debugfile, formatter):
        logger.addHandler(fh)
    if foreground:
        sh = logging.StreamHandler(sys.stderr)
        sh.setLevel(logging.DEBUG if debug else logging.INFO)
        sh.setFormatter(formatter)
        logger.addHandler(sh)
    syh = syslog_handler(facility, HaLogFormatter(host, with_stamp=False))
    if syh is not None:
        logger.addHandler(syh)
    return logger
