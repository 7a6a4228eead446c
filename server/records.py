"""Article records read from JSONL or CSV files, for bulk ingest and the `stories` commands.

A record has an ``id``, a ``title``, and optionally a ``url``, a ``published_at`` (ISO 8601 or
epoch milliseconds), an ``outlet`` and, in story files, a ``story``. Column names are
case-insensitive. A bad row raises `RecordError` naming its line, so a large file can be fixed
without guessing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from .times import parse_time


class RecordError(ValueError):
    """A row of an input file that cannot be read; the message names the line."""


@dataclass(frozen=True)
class Record:
    """One article as read from a file."""

    id: int | str
    title: str
    url: str | None = None
    published_at: datetime | None = None
    outlet: str | None = None
    story: int | str | None = None
    line: int = 0


def parse_published(value: Any) -> datetime | None:
    """Return an aware UTC datetime from ISO 8601 text or epoch milliseconds; None if empty.

    Numbers (or all-digit text) are epoch milliseconds, as feed aggregators export them; a naive
    ISO time is taken as UTC (see `server.times`)."""
    return parse_time(value, naive_utc=True, field="published_at")


def _plain_id(value: Any) -> int | str:
    """Return an id as an int when it is one, else as text (ids are echoed back as given)."""
    if isinstance(value, bool):
        raise ValueError(f"not an id: {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text:
        raise ValueError("empty id")
    if text.isdigit() and (text == "0" or not text.startswith("0")):
        return int(text)
    return text


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def record_from_mapping(row: dict[str, Any], line: int, *, require_story: bool = False) -> Record:
    """Return the record of one row, or raise `RecordError` naming the line and the problem."""
    fields = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    try:
        if fields.get("id") in (None, ""):
            raise ValueError("missing 'id'")
        title = _optional_text(fields.get("title"))
        if title is None:
            raise ValueError("missing 'title'")
        story = fields.get("story")
        if require_story and story in (None, ""):
            raise ValueError("missing 'story'")
        return Record(
            id=_plain_id(fields["id"]),
            title=title,
            url=_optional_text(fields.get("url")),
            published_at=parse_published(fields.get("published_at")),
            outlet=_optional_text(fields.get("outlet")),
            story=None if story in (None, "") else _plain_id(story),
            line=line,
        )
    except ValueError as exc:
        raise RecordError(f"line {line}: {exc}") from None


def _jsonl_rows(stream: TextIO) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RecordError(f"line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise RecordError(f"line {number}: expected a JSON object")
        yield number, row


def _csv_rows(stream: TextIO) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(stream)
    if reader.fieldnames is None:
        return
    for row in reader:
        if None in row:
            raise RecordError(f"line {reader.line_num}: more values than columns")
        yield reader.line_num, row


def read_records(
    source: str | Path | TextIO, *, format: str | None = None, require_story: bool = False
) -> list[Record]:
    """Read records from a JSONL or CSV file (by extension, or ``format="jsonl"|"csv"``).

    A stream without a ``format`` is sniffed: JSONL if its first non-blank character is ``{``."""
    if isinstance(source, str | Path):
        path = Path(source)
        by_suffix = "csv" if path.suffix.lower() == ".csv" else "jsonl"
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return read_records(stream, format=format or by_suffix, require_story=require_story)
    fmt = format
    if fmt is None:
        text = source.read()
        fmt = "jsonl" if text.lstrip().startswith("{") else "csv"
        source = io.StringIO(text)
    if fmt not in ("jsonl", "csv"):
        raise ValueError(f"unknown format {fmt!r}: use jsonl or csv")
    rows: Iterable[tuple[int, dict[str, Any]]] = (
        _jsonl_rows(source) if fmt == "jsonl" else _csv_rows(source)
    )
    return [record_from_mapping(row, line, require_story=require_story) for line, row in rows]
