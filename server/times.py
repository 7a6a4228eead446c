"""Publication times read from files and requests: one parser, so every surface agrees.

A time is ISO 8601 text (``2026-11-29T08:00:00Z``, ``2026-11-29T10:00+02:00``) or epoch
milliseconds, as feed aggregators export them: a number, or all-digit text. The result is always
an aware UTC datetime. What a time without a zone means is the caller's policy (``naive_utc``):
research files take it as UTC, while bulk ingest refuses it, because stored data must not be
guessed. Every failure is a ValueError whose message names the field, never an OverflowError or
OSError from a time out of datetime's range.

What the browser extension sends as a lookup's ``published`` says only as much as the page does
(issue 12), and `published_interval` reads it as the span of UTC instants it can stand for: an
instant with a zone is itself; a date alone (``2019-10-19``) is that whole day in any zone; a time
without a zone (``2021-05-04T19:18:00``) is local somewhere, so anywhere from UTC−12 to UTC+14.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Local time runs from UTC−12 (Baker Island) to UTC+14 (Kiribati): a wall-clock time without a
# zone is an instant between 14 hours before it (read in UTC) and 12 hours after.
ZONE_AHEAD = timedelta(hours=14)
ZONE_BEHIND = timedelta(hours=12)
_MILLISECONDS = re.compile(r"-?[0-9]+")  # ASCII only: str.isdigit() also accepts "²" and "١"


def parse_time(value: object, *, naive_utc: bool, field: str = "time") -> datetime | None:
    """Return an aware UTC datetime from ISO 8601 text or epoch milliseconds; None if blank.

    Numbers and all-digit (optionally negative) text are epoch milliseconds; other text is
    ISO 8601 (see `parse_iso_time`). Booleans, NaN, infinities and other types are refused.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{field} {_shown(value)} is not an ISO 8601 time or epoch milliseconds")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{field} {_shown(value)} is not a finite number of milliseconds")
    if isinstance(value, int | float):
        return _from_milliseconds(value, value, field)
    text = value.strip()
    if not text:
        return None
    if _MILLISECONDS.fullmatch(text):
        return _from_milliseconds(int(text), text, field)
    return parse_iso_time(text, naive_utc=naive_utc, field=field)


def parse_iso_time(text: str, *, naive_utc: bool, field: str = "time") -> datetime:
    """Return an aware UTC datetime from ISO 8601 text, or raise ValueError naming ``field``.

    A trailing ``Z`` needs no rewriting: `datetime.fromisoformat` accepts it since Python 3.11,
    the oldest we support. A time without a zone is UTC when ``naive_utc``, else refused.
    """
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{field} {_shown(text)} is not an ISO 8601 time or epoch milliseconds"
        ) from None
    if when.tzinfo is None:
        if not naive_utc:
            raise ValueError(f"{field} {_shown(text)} has no time zone (add Z or +hh:mm)")
        return when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past datetime.max in UTC
        raise ValueError(f"{field} {_shown(text)} is out of range") from None


def published_interval(
    value: object, *, field: str = "published"
) -> tuple[datetime, datetime] | None:
    """Return the (earliest, latest) UTC instants a lookup's publication time stands for.

    None when blank. An instant with a zone, or epoch milliseconds, gives the same instant
    twice; a date alone gives that whole day in every zone, from its start at UTC+14 to its end
    at UTC−12; a time without a zone gives that wall-clock time in every zone. Never guessing
    UTC is the point: a page that says "19:18" in New York was published at 23:18 or 00:18 UTC,
    and a window centred five hours off can lose the story. Raises ValueError naming ``field``.
    """
    text = value.strip() if isinstance(value, str) else ""
    wall: tuple[datetime, datetime] | None = None
    if text and not _MILLISECONDS.fullmatch(text):
        try:
            day = date.fromisoformat(text)  # a date alone: "2019-10-19" (also "20191019")
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            wall = start, start + timedelta(days=1)
        except ValueError:
            try:
                local = datetime.fromisoformat(text)
            except ValueError:
                local = None  # parse_time below raises the usual message
            if local is not None and local.tzinfo is None:
                wall = local.replace(tzinfo=UTC), local.replace(tzinfo=UTC)
    if wall is None:
        when = parse_time(value, naive_utc=False, field=field)
        return None if when is None else (when, when)
    try:
        return wall[0] - ZONE_AHEAD, wall[1] + ZONE_BEHIND
    except OverflowError:  # within 14 hours of datetime.min or datetime.max
        raise ValueError(f"{field} {_shown(value)} is out of range") from None


def interval_centre(interval: tuple[datetime, datetime]) -> tuple[datetime, timedelta]:
    """Return the middle of an interval and half its width.

    A window of ±N days around a publication time becomes ±(N days + half width) around the
    middle: exactly the instants within N days of some instant the interval stands for.
    """
    earliest, latest = interval
    half = (latest - earliest) / 2
    return earliest + half, half


def _from_milliseconds(milliseconds: int | float, given: object, field: str) -> datetime:
    """Return the UTC time ``milliseconds`` after the epoch; ``given`` is shown in errors.

    Adding a timedelta, not `datetime.fromtimestamp`, keeps integers exact and fails the same
    way on every platform (OverflowError only, never OSError), turned into a ValueError here.
    """
    try:
        return _EPOCH + timedelta(milliseconds=milliseconds)
    except OverflowError:
        raise ValueError(f"{field} {_shown(given)} is out of range") from None


def _shown(value: object) -> str:
    """Return the repr of a value for a message, cut short so one bad cell cannot flood it."""
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"
