from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cib.timespec import Duration, parse_datetime, parse_duration, parse_ms


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
        ("PT30S", 30_000),
        ("PT1M30S", 90_000),
        ("P1D", 86_400_000),
        ("P1W", 7 * 86_400_000),
        ("P1DT2H", 93_600_000),
        ("pt5s", 5000),
    ],
)
def test_parse_ms(text: str, ms: int) -> None:
    assert parse_ms(text) == ms


@pytest.mark.parametrize("text", ["", "s", "10 fortnights", "-5", "P", "PT", "P1DT", "abc"])
def test_parse_ms_bad(text: str) -> None:
    with pytest.raises(ValueError):
        parse_ms(text)


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
