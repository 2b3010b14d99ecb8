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


class HaLogFormatter(logging.Formatter):
    def __init__(self, host: str, with_stamp: bool = True) -> None:
        super().__init__()
        self.host = host
        self.with_stamp = with_stamp

    def format(self, record: logging.LogRecord) -> str:
        level = _NAMES.get(record.levelno, "info")
        body = f"heartbeat: [{record.process}]: {level}: {record.getMessage()}"
        if not self.with_stamp:
            return body
        stamp = time.strftime("%b %d %H:%M:%S", time.localtime(record.created))
        return f"{stamp} {self.host} {body}"


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
    targets: list[tuple[str, int]] = []
    if logfile and logfile != "/dev/null":
        targets.append((logfile, logging.INFO))
    if debugfile and debugfile != "/dev/null":
        targets.append((debugfile, logging.DEBUG))
    for path, level in targets:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
        fh = logging.FileHandler(path, encoding="utf-8")
        fh.setLevel(level)
        fh.setFormatter(formatter)
        logger.addHandler(fh)
    if foreground:
        sh = logging.StreamHandler(sys.stderr)
        sh.setLevel(logging.DEBUG if debug else logging.INFO)
        sh.setFormatter(formatter)
        logger.addHandler(sh)
    if facility and facility != "none" and os.path.exists("/dev/log"):
        try:
            fac = logging.handlers.SysLogHandler.facility_names[facility]
            syh = logging.handlers.SysLogHandler(address="/dev/log", facility=fac)
        except (KeyError, OSError):
            pass
        else:
            syh.setLevel(logging.INFO)
            syh.setFormatter(HaLogFormatter(host, with_stamp=False))
            logger.addHandler(syh)
    return logger
