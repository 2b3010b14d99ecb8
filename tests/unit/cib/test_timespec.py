from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cib.timespec import (
    Duration,
    parse_datetime,
    parse_duration,
    parse_interval_ms,
    parse_ms,
    parse_timeout_ms,
)


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("10", 10_000),
        ("0", 0),
        ("10s", 10_000),
        ("10sec", 10_000),
        ("250ms", 250),
        ("250msec", 250),
        ("5000us", 5),
        ("5000usec", 5),
        ("2m", 120_000),
        ("2min", 120_000),
        ("1h", 3_600_000),
        ("1hr", 3_600_000),
        ("1 min", 60_000),
        ("1.5s", 1000),
        ("1.9", 1000),
        ("10 s", 10_000),
        ("10S", 10_000),
    ],
)
def test_parse_ms(text: str, ms: int) -> None:
    assert parse_timeout_ms(text) == ms
    assert parse_interval_ms(text) == ms
    assert parse_ms(text) == ms


@pytest.mark.parametrize("text", ["", "s", "10 fortnights", "-5", "abc", "PT30S"])
def test_parse_timeout_bad(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timeout_ms(text)


DAY = 86_400_000


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        # Pacemaker 2.1.5 arithmetic, as seen in crm_simulate transition graphs
        ("PT30S", 30_000),
        ("PT1M30S", 90_000),
        ("pt5s", 5000),
        ("PT24H", DAY),
        ("P1D", 0),
        ("P2D", DAY),
        ("P1DT1S", 1000),
        ("P1DT25H", 25 * 3_600_000),
        ("P1W", 6 * DAY),
        ("P2W", 13 * DAY),
        ("P1W1D", 7 * DAY),
        ("P1M", 30 * DAY),
        ("P1M1D", 30 * DAY),
        ("P1MT1S", 30 * DAY + 1000),
        ("P2M", 4_294_967_295),
        ("P1Y", 0),
        ("P1YT1S", 1000),
        ("P1Y1M", 30 * DAY),
        ("P2Y", 4_294_967_295),
        # Pacemaker's lenient reading: T optional, units in any order
        ("P10S", 10_000),
        ("P1DT", 0),
        ("PT1S1M", 61_000),
        ("P2D T1S", DAY),
    ],
)
def test_parse_interval_iso(text: str, ms: int) -> None:
    assert parse_interval_ms(text) == ms
    assert parse_ms(text) == ms


@pytest.mark.parametrize("text", ["P", "PT", "PT0.5S", "10x", "P5", "P1X"])
def test_parse_interval_bad(text: str) -> None:
    with pytest.raises(ValueError):
        parse_interval_ms(text)


def test_duration_fields() -> None:
    d = parse_duration("P1Y2M3DT4H5M6S")
    assert d == Duration(years=1, months=2, days=3, hours=4, minutes=5, seconds=6)
    start = datetime(2024, 1, 31, tzinfo=UTC)
    assert Duration(months=1).add_to(start) == datetime(2024, 2, 29, tzinfo=UTC)
    assert Duration(years=1, hours=1).add_to(start) == datetime(2025, 1, 31, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("20240305", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024-03-05T10:20:30Z", datetime(2024, 3, 5, 10, 20, 30, tzinfo=UTC)),
        ("2024-03-05 10:20", datetime(2024, 3, 5, 10, 20, tzinfo=UTC)),
        ("2024-065", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024-W10-2", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024-12-31T24:00:00", datetime(2025, 1, 1, tzinfo=UTC)),
        (
            "2024-03-05T10:00:00+02:00",
            datetime(2024, 3, 5, 10, tzinfo=timezone(timedelta(hours=2))),
        ),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text", ["2024-13-01", "2024-02-30", "2023-366", "tomorrow", "2024-03-05T25"]
)
def test_parse_datetime_bad(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text)
