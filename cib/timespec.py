"""Time values as Pacemaker 2.1.5 reads them (verified with crm_simulate transition graphs).

* :func:`parse_timeout_ms` -- an operation timeout (``crm_get_msec``): a plain number is
  seconds; suffixes ``ms msec us usec s sec m min h hr`` (case-insensitive, blanks allowed
  before the unit).  Only the integer part of a decimal counts (``1.5s`` is 1000 ms).
  ISO 8601 is NOT accepted here: Pacemaker 2.1.5 ignores ``timeout="PT30S"`` (the default
  timeout applies), so this raises ValueError for it.
* :func:`parse_interval_ms` (alias :func:`parse_ms`) -- an operation interval,
  ``failure-timeout``, ``cluster-recheck-interval`` and other interval-like values
  (``crm_parse_interval_spec``): as above, or an ISO 8601
  duration with Pacemaker 2.1.5's arithmetic: a month is 30 days, the day/week count is
  reduced by one (``P1D`` is 0, ``P1W`` is 6 days), years add ``(years - 1) * 365`` days, and
  the result is capped at 4294967295 ms (the unsigned 32-bit interval).
* :func:`parse_duration` -- an ISO 8601 duration into its fields; :meth:`Duration.total_ms`
  is exact calendar-free arithmetic (365-day years, 30-day months) and
  :meth:`Duration.add_to` calendar-aware addition (date expressions).
* :func:`parse_datetime` -- an ISO 8601 date/time (calendar ``2024-01-31``, ordinal ``2024-031``,
  week ``2024-W05-3``; optional ``THH[:MM[:SS]]`` and ``Z``/``+HH[:MM]`` offset).  A value without
  an offset is taken as UTC.  Returns an aware :class:`datetime.datetime`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

from cib._record import FrozenRecord, setattr_

_UNITS: dict[str, tuple[int, int]] = {
    # unit: (multiplier, divisor) to milliseconds
    "": (1000, 1),
    "ms": (1, 1),
    "msec": (1, 1),
    "us": (1, 1000),
    "usec": (1, 1000),
    "s": (1000, 1),
    "sec": (1000, 1),
    "m": (60_000, 1),
    "min": (60_000, 1),
    "h": (3_600_000, 1),
    "hr": (3_600_000, 1),
}
_NUM_RE = re.compile(r"\s*(\d[\d.]*)\s*([A-Za-z]*)\s*")


class Duration(FrozenRecord):
    years: int
    months: int
    weeks: int
    days: int
    hours: int
    minutes: int
    seconds: int

    __slots__ = ("days", "hours", "minutes", "months", "seconds", "weeks", "years")
    __match_args__ = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")

    def __init__(
        self,
        years: int = 0,
        months: int = 0,
        weeks: int = 0,
        days: int = 0,
        hours: int = 0,
        minutes: int = 0,
        seconds: int = 0,
    ) -> None:
        setattr_(self, "years", years)
        setattr_(self, "months", months)
        setattr_(self, "weeks", weeks)
        setattr_(self, "days", days)
        setattr_(self, "hours", hours)
        setattr_(self, "minutes", minutes)
        setattr_(self, "seconds", seconds)

    def add_to(self, when: datetime) -> datetime:
        """Calendar-aware addition (months and years move the calendar date)."""
        month0 = when.month - 1 + self.months + 12 * self.years
        year = when.year + month0 // 12
        month = month0 % 12 + 1
        day = min(when.day, _days_in_month(year, month))
        moved = when.replace(year=year, month=month, day=day)
        return moved + timedelta(
            weeks=self.weeks,
            days=self.days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,
        )


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (nxt - timedelta(days=1)).day


# Compiled on first use (re caches it): most runs never parse a duration, and every
# compile costs start-up time in a short-lived `pycrm simulate` process.
_DUR_ITEM = r"T|(\d+)([A-Za-z]?)"


def parse_duration(text: str) -> Duration:
    """Parse an ISO 8601 duration such as ``P1Y2M``, ``PT30S`` or ``P2W``; ValueError if bad.

    As leniently as Pacemaker 2.1.5 (``crm_time_parse_duration``): after the leading ``P``,
    amounts with a unit ``Y M W D H S`` in any order, ``T`` optional (it only makes a later
    ``M`` mean minutes, so ``P10S`` is ten seconds); ``Y`` and month ``M`` replace, the
    others add up; anything after whitespace or ``/`` is ignored.
    """
    s = text.strip().upper()
    if not s.startswith("P") or len(s) == 1:
        raise ValueError(f"invalid ISO 8601 duration {text!r}")
    body = re.split(r"[\s/]", s[1:], maxsplit=1)[0]
    fields = dict.fromkeys(("years", "months", "weeks", "days", "hours", "minutes", "seconds"), 0)
    is_time = False
    defined = False
    pos = 0
    while pos < len(body):
        m = re.compile(_DUR_ITEM).match(body, pos)
        if m is None:
            raise ValueError(f"invalid ISO 8601 duration {text!r}")
        pos = m.end()
        if m.group(0) == "T":
            is_time = True
            continue
        amount, unit = int(m.group(1)), m.group(2)
        if unit == "Y":
            fields["years"] = amount
        elif unit == "M" and not is_time:
            fields["months"] = amount
        elif unit == "M":
            fields["minutes"] += amount
        elif unit in ("W", "D", "H", "S"):
            key = {"W": "weeks", "D": "days", "H": "hours", "S": "seconds"}[unit]
            fields[key] += amount
        else:
            raise ValueError(f"invalid time unit in ISO 8601 duration {text!r}")
        defined = True
    if not defined:
        raise ValueError(f"invalid ISO 8601 duration {text!r}")
    return Duration(**fields)


INTERVAL_MAX_MS = 4_294_967_295


@lru_cache(maxsize=4096)
def parse_timeout_ms(text: str) -> int:
    """Milliseconds for a timeout (no ISO 8601); ValueError if it cannot be read."""
    m = _NUM_RE.fullmatch(text)
    if m is None:
        raise ValueError(f"invalid time value {text!r}")
    unit = m.group(2).lower()
    if unit not in _UNITS:
        raise ValueError(f"invalid time unit in {text!r}")
    mult, div = _UNITS[unit]
    whole = m.group(1).split(".", 1)[0]
    if not whole:
        raise ValueError(f"invalid time value {text!r}")
    return int(whole) * mult // div


@lru_cache(maxsize=4096)
def parse_interval_ms(text: str) -> int:
    """Milliseconds for an interval (ISO 8601 allowed, Pacemaker 2.1.5 arithmetic)."""
    s = text.strip()
    if s[:1] in ("P", "p"):
        d = parse_duration(s)
        days = max(d.weeks * 7 + d.days - 1, 0) + d.months * 30 + max(d.years - 1, 0) * 365
        secs = days * 86_400 + d.hours * 3600 + d.minutes * 60 + d.seconds
        return min(secs * 1000, INTERVAL_MAX_MS)
    return min(parse_timeout_ms(text), INTERVAL_MAX_MS)


parse_ms = parse_interval_ms


_DATE = (
    r"(?P<year>\d{4})-?(?:"
    r"W(?P<week>\d{2})-?(?P<wday>[1-7])"
    r"|(?P<month>\d{2})-?(?P<day>\d{2})"
    r"|(?P<yday>\d{3}))"
)
_TIME = (
    r"(?P<h>\d{2})(?::?(?P<mi>\d{2})(?::?(?P<s>\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?"
)


def _tz(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) >= 4 else 0
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time into an aware datetime; ValueError if bad."""
    s = text.strip()
    date_part, sep, time_part = s.replace(" ", "T", 1).partition("T")
    dm = re.fullmatch(_DATE, date_part)
    if dm is None:
        raise ValueError(f"invalid ISO 8601 date {text!r}")
    year = int(dm.group("year"))
    try:
        if dm.group("week"):
            base = date.fromisocalendar(year, int(dm.group("week")), int(dm.group("wday")))
        elif dm.group("yday"):
            yday = int(dm.group("yday"))
            if not 1 <= yday <= (366 if _leap(year) else 365):
                raise ValueError(f"invalid day of year in {text!r}")
            base = date(year, 1, 1) + timedelta(days=yday - 1)
        else:
            base = date(year, int(dm.group("month")), int(dm.group("day")))
    except ValueError as exc:
        raise ValueError(f"invalid ISO 8601 date {text!r}: {exc}") from None
    hour = minute = second = 0
    tz = UTC
    if sep:
        tm = re.fullmatch(_TIME, time_part)
        if tm is None:
            raise ValueError(f"invalid ISO 8601 time in {text!r}")
        hour = int(tm.group("h"))
        minute = int(tm.group("mi") or 0)
        second = int(tm.group("s") or 0)
        if hour > 24 or minute > 59 or second > 60:
            raise ValueError(f"invalid ISO 8601 time in {text!r}")
        tz = _tz(tm.group("tz"))
    extra = timedelta(0)
    if hour == 24:
        hour, extra = 0, timedelta(days=1)
    if second == 60:
        second, extra = 59, extra + timedelta(seconds=1)
    return datetime(base.year, base.month, base.day, hour, minute, second, tzinfo=tz) + extra


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
