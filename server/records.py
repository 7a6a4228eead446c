"""Article files (JSONL or CSV): the one reader, for `ingest file` and the `stories` commands.

:func:`read_rows` turns a file into numbered rows, or a problem for a line it cannot read;
each caller validates the rows with its own rules, among them what a time without a zone
means (`ingest file` refuses one, the research commands take it as UTC). A line number is
where the record starts, so a large file can be fixed without guessing.

For the research commands, a record has an ``id``, a ``title``, and optionally a ``url``, a
``published_at`` (ISO 8601 or epoch milliseconds), a ``description``, an ``outlet`` and, in
story files, a ``story``. Column names are case-insensitive. A bad row raises `RecordError`
naming its line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
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
    description: str | None = None
    outlet: str | None = None
    story: int | str | None = None
    line: int = 0


def parse_published(value: Any, *, naive_utc: bool = True) -> datetime | None:
    """Return an aware UTC datetime from ISO 8601 text or epoch milliseconds; None if empty.

    Numbers (or all-digit text) are epoch milliseconds, as feed aggregators export them; a naive
    ISO time is taken as UTC unless ``naive_utc`` is false (see `server.times`)."""
    return parse_time(value, naive_utc=naive_utc, field="published_at")


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


def record_from_mapping(
    row: dict[str, Any], line: int, *, require_story: bool = False, naive_utc: bool = True
) -> Record:
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
            published_at=parse_published(fields.get("published_at"), naive_utc=naive_utc),
            description=_optional_text(fields.get("description")),
            outlet=_optional_text(fields.get("outlet")),
            story=None if story in (None, "") else _plain_id(story),
            line=line,
        )
    except ValueError as exc:
        raise RecordError(f"line {line}: {exc}") from None


Row = tuple[int, dict[str, Any] | str]
"""A line number and the row that starts there, or a sentence saying why it is unreadable."""


def _jsonl_rows(text: str) -> Iterator[Row]:
    """Yield each non-blank line of JSONL text as a row."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg})"
            continue
        yield number, row if isinstance(row, dict) else "not a JSON object"


def _csv_rows(text: str, required: tuple[str, ...]) -> Iterator[Row]:
    """Yield each record of CSV text with a header as a row, numbered by its first line."""
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [name for name in required if name not in header]
    if missing:
        yield 1, f"the header has no {' or '.join(missing)} column"
        return
    line = reader.line_num + 1
    for row in reader:
        yield line, "more values than columns" if None in row else dict(row)
        line = reader.line_num + 1


def read_rows(
    source: str | Path | TextIO, *, format: str | None = None, required: tuple[str, ...] = ()
) -> Iterator[Row]:
    """Yield the numbered rows of a JSONL or CSV file (by extension, or ``format``).

    A stream without a ``format`` is sniffed: JSONL if its first non-blank character is
    ``{``. A CSV header must name the ``required`` columns. Raises `RecordError` when the
    file cannot be read at all (missing, not UTF-8).
    """
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise RecordError("the file is not UTF-8 text") from None
        except OSError as exc:
            raise RecordError(str(exc.strerror or exc)) from None
        by_suffix = "csv" if path.suffix.lower() == ".csv" else "jsonl"
        fmt = format or by_suffix
    else:
        text = source.read()
        fmt = format or ("jsonl" if text.lstrip().startswith("{") else "csv")
    if fmt not in ("jsonl", "csv"):
        raise ValueError(f"unknown format {fmt!r}: use jsonl or csv")
    return _jsonl_rows(text) if fmt == "jsonl" else _csv_rows(text, required)


def read_records(
    source: str | Path | TextIO,
    *,
    format: str | None = None,
    require_story: bool = False,
    naive_utc: bool = True,
) -> list[Record]:
    """Read the records of a JSONL or CSV file; raise `RecordError` at the first bad row."""
    records = []
    for line, row in read_rows(source, format=format):
        if isinstance(row, str):
            raise RecordError(f"line {line}: {row}")
        records.append(
            record_from_mapping(row, line, require_story=require_story, naive_utc=naive_utc)
        )
    return records
