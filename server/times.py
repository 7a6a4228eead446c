"""Publication times read from files and requests: one parser, so every surface agrees.

A time is ISO 8601 text (``2026-11-29T08:00:00Z``, ``2026-11-29T10:00+02:00``) or epoch
milliseconds, as feed aggregators export them: a number, or all-digit text. The result is always
an aware UTC datetime. What a time without a zone means is the caller's policy (``naive_utc``):
research files and lookups take it as UTC, while bulk ingest refuses it, because stored data must
not be guessed. Every failure is a ValueError whose message names the field, never an
OverflowError or OSError from a time out of datetime's range.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
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
