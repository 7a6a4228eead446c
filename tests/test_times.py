"""The one publication-time parser: ISO 8601 or epoch milliseconds, always aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.times import interval_centre, parse_iso_time, parse_time, published_interval

MARCH_2014 = datetime(2014, 3, 10, 16, 52, 50, 698000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-28T09:00:00Z", datetime(2026, 11, 28, 9, tzinfo=UTC)),
        ("2026-11-28 09:00Z", datetime(2026, 11, 28, 9, tzinfo=UTC)),
        ("  2026-11-28T09:00:00Z\n", datetime(2026, 11, 28, 9, tzinfo=UTC)),
        ("2026-11-28T11:00:00+02:00", datetime(2026, 11, 28, 9, tzinfo=UTC)),
        ("2026-11-28T04:00:00-05:00", datetime(2026, 11, 28, 9, tzinfo=UTC)),
        ("2026-11-28T09:00:00.250+00:00", datetime(2026, 11, 28, 9, 0, 0, 250000, tzinfo=UTC)),
        (1394470370698, MARCH_2014),
        (1394470370698.0, MARCH_2014),
        ("1394470370698", MARCH_2014),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (-1000, datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("-1000", datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_times_are_read_as_aware_utc(value: object, expected: datetime | None) -> None:
    for naive_utc in (True, False):
        parsed = parse_time(value, naive_utc=naive_utc)
        assert parsed == expected
        assert parsed is None or parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-28T09:00:00", datetime(2026, 11, 28, 9, tzinfo=UTC)),
        ("2026-11-28", datetime(2026, 11, 28, tzinfo=UTC)),
    ],
)
def test_a_naive_time_is_utc_when_the_caller_says_so(value: str, expected: datetime) -> None:
    assert parse_time(value, naive_utc=True) == expected


@pytest.mark.parametrize("value", ["2026-11-28T09:00:00", "2026-11-28"])
def test_a_naive_time_is_refused_when_it_must_not_be_guessed(value: str) -> None:
    message = f"published_at '{value}' has no time zone \\(add Z or \\+hh:mm\\)"
    with pytest.raises(ValueError, match=message):
        parse_time(value, naive_utc=False, field="published_at")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**20, "published_at 100000000000000000000 is out of range"),
        (-(10**20), "published_at -100000000000000000000 is out of range"),
        ("99999999999999999999", "published_at '99999999999999999999' is out of range"),
        (1e300, "published_at 1e\\+300 is out of range"),
        (253402300800000, "published_at 253402300800000 is out of range"),  # year 10000
        ("9999-12-31T23:00:00-05:00", "published_at '9999-12-31T23:00:00-05:00' is out of range"),
        (float("nan"), "published_at nan is not a finite number of milliseconds"),
        (float("inf"), "published_at inf is not a finite number of milliseconds"),
        (float("-inf"), "published_at -inf is not a finite number of milliseconds"),
        (True, "published_at True is not an ISO 8601 time or epoch milliseconds"),
        (False, "published_at False is not an ISO 8601 time or epoch milliseconds"),
        ([2026, 11, 28], "published_at \\[2026, 11, 28\\] is not an ISO 8601 time"),
        ("yesterday", "published_at 'yesterday' is not an ISO 8601 time or epoch milliseconds"),
        ("2026-13-01T00:00:00Z", "published_at '2026-13-01T00:00:00Z' is not an ISO 8601 time"),
        ("1394470370698.5", "published_at '1394470370698.5' is not an ISO 8601 time"),
        ("--5", "published_at '--5' is not an ISO 8601 time"),
        ("１２３", "published_at '１２３' is not an ISO 8601 time"),  # fullwidth digits
    ],
)
def test_a_bad_time_is_a_value_error_naming_the_field(value: object, message: str) -> None:
    for naive_utc in (True, False):
        with pytest.raises(ValueError, match=f"^{message}"):
            parse_time(value, naive_utc=naive_utc, field="published_at")


def test_a_long_bad_value_is_cut_short_in_the_message() -> None:
    with pytest.raises(ValueError) as raised:
        parse_time("x" * 10_000, naive_utc=True)
    assert len(str(raised.value)) < 150


def test_the_largest_epoch_that_fits_is_read() -> None:
    last = datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
    assert parse_time(253402300799999, naive_utc=False) == last


def test_iso_text_is_not_read_as_epoch_milliseconds() -> None:
    with pytest.raises(ValueError, match="not an ISO 8601 time"):
        parse_iso_time("1394470370698", naive_utc=True)


# What the extension sends as a lookup's `published` (issue 12), as the instants it stands for.
@pytest.mark.parametrize(
    ("value", "earliest", "latest"),
    [
        # An instant with a zone is itself.
        (
            "2019-10-19T21:38:00.000Z",
            datetime(2019, 10, 19, 21, 38, tzinfo=UTC),
            datetime(2019, 10, 19, 21, 38, tzinfo=UTC),
        ),
        (
            "2021-05-04T19:18:00+02:00",
            datetime(2021, 5, 4, 17, 18, tzinfo=UTC),
            datetime(2021, 5, 4, 17, 18, tzinfo=UTC),
        ),
        (1394470370698, MARCH_2014, MARCH_2014),
        # A date alone is that whole day, from its start at UTC+14 to its end at UTC−12.
        (
            "2019-10-19",
            datetime(2019, 10, 18, 10, tzinfo=UTC),
            datetime(2019, 10, 20, 12, tzinfo=UTC),
        ),
        # A time without a zone is that wall-clock time anywhere.
        (
            "2021-05-04T19:18:00",
            datetime(2021, 5, 4, 5, 18, tzinfo=UTC),
            datetime(2021, 5, 5, 7, 18, tzinfo=UTC),
        ),
        (
            " 2021-05-04 19:18 ",
            datetime(2021, 5, 4, 5, 18, tzinfo=UTC),
            datetime(2021, 5, 5, 7, 18, tzinfo=UTC),
        ),
    ],
)
def test_a_published_value_stands_for_the_instants_it_can_mean(
    value: object, earliest: datetime, latest: datetime
) -> None:
    assert published_interval(value) == (earliest, latest)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_no_published_value_is_no_interval(value: object) -> None:
    assert published_interval(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "published 'yesterday' is not an ISO 8601 time"),
        ("2019-02-30", "published '2019-02-30' is not an ISO 8601 time"),
        ("0001-01-01", "published '0001-01-01' is out of range"),
        ("9999-12-31T23:00:00", "published '9999-12-31T23:00:00' is out of range"),
        (True, "published True is not an ISO 8601 time"),
    ],
)
def test_a_bad_published_value_is_a_value_error(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}"):
        published_interval(value)


def test_the_centre_of_an_interval_widens_the_window_by_half_its_width() -> None:
    interval = published_interval("2019-10-19")
    assert interval is not None
    centre, half = interval_centre(interval)
    assert centre == datetime(2019, 10, 19, 11, tzinfo=UTC)
    assert half == timedelta(hours=25)
    instant = datetime(2019, 10, 19, 21, 38, tzinfo=UTC)
    assert interval_centre((instant, instant)) == (instant, timedelta(0))
