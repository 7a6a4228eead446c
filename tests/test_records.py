"""Reading article records from JSONL and CSV, with errors that name the line."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from server.records import RecordError, parse_published, read_records


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-28T09:00:00Z", datetime(2026, 11, 28, 9, 0, tzinfo=UTC)),
        ("2026-11-28T11:00:00+02:00", datetime(2026, 11, 28, 9, 0, tzinfo=UTC)),
        ("2026-11-28T09:00:00", datetime(2026, 11, 28, 9, 0, tzinfo=UTC)),
        ("2026-11-28", datetime(2026, 11, 28, tzinfo=UTC)),
        (1394470370698, datetime(2014, 3, 10, 16, 52, 50, 698000, tzinfo=UTC)),
        ("1394470370698", datetime(2014, 3, 10, 16, 52, 50, 698000, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_parse_published_accepts_iso_8601_and_epoch_milliseconds(
    value: object, expected: datetime | None
) -> None:
    assert parse_published(value) == expected


@pytest.mark.parametrize("value", [10**20, "99999999999999999999", -(10**20), 1e300])
def test_parse_published_turns_an_out_of_range_epoch_into_a_value_error(value: object) -> None:
    # It used to let datetime.fromtimestamp's OverflowError (or OSError) escape.
    with pytest.raises(ValueError, match="published_at .* is out of range"):
        parse_published(value)


def test_jsonl_records() -> None:
    stream = io.StringIO(
        '{"id": 1, "title": "Fed raises rates", "url": "https://a.example/1",'
        ' "published_at": "2026-11-28T09:00:00Z", "outlet": "a"}\n'
        "\n"
        '{"id": "x-2", "title": "Fed lifts rates", "story": 7}\n'
    )
    first, second = read_records(stream, format="jsonl")
    assert (first.id, first.title, first.url, first.outlet) == (
        1,
        "Fed raises rates",
        "https://a.example/1",
        "a",
    )
    assert first.published_at == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert (second.id, second.story, second.published_at, second.line) == ("x-2", 7, None, 3)


def test_csv_records_by_extension_with_case_insensitive_columns(tmp_path: Path) -> None:
    path = tmp_path / "articles.csv"
    path.write_text(
        'ID,Title,published_at,story\n1,"Fed raises rates, again",1394470370698,s1\n',
        encoding="utf-8",
    )
    (record,) = read_records(path)
    assert record.id == 1 and record.title == "Fed raises rates, again"
    assert record.story == "s1" and record.published_at is not None


def test_format_is_sniffed_from_a_stream() -> None:
    assert read_records(io.StringIO('{"id": 1, "title": "A"}\n'))[0].title == "A"
    assert read_records(io.StringIO("id,title\n1,B\n"))[0].title == "B"


def test_ids_keep_leading_zeros_as_text() -> None:
    (record,) = read_records(io.StringIO("id,title\n007,Bond\n"), format="csv")
    assert record.id == "007"


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ('{"id": 1, "title": "ok"}\n{"id": 2}\n', "jsonl", "line 2: missing 'title'"),
        ('{"id": 1, "title": "ok"}\nnot json\n', "jsonl", "line 2: not valid JSON"),
        ("[1, 2]\n", "jsonl", "line 1: not a JSON object"),
        ('{"title": "no id"}\n', "jsonl", "line 1: missing 'id'"),
        (
            '{"id": 1, "title": "t", "published_at": "yesterday"}\n',
            "jsonl",
            "line 1: published_at 'yesterday' is not an ISO 8601 time",
        ),
        ("id,title\n1,ok\n2,ok,extra\n", "csv", "line 3: more values than columns"),
        (
            "id,title,published_at\n1,ok,soon\n",
            "csv",
            "line 2: published_at 'soon' is not an ISO 8601 time",
        ),
        (
            '{"id": 1, "title": "t", "published_at": 100000000000000000000}\n',
            "jsonl",
            "line 1: published_at 100000000000000000000 is out of range",
        ),
    ],
)
def test_bad_rows_name_their_line(text: str, fmt: str, message: str) -> None:
    with pytest.raises(RecordError, match=message):
        read_records(io.StringIO(text), format=fmt)


def test_story_files_require_a_story() -> None:
    with pytest.raises(RecordError, match="line 1: missing 'story'"):
        read_records(io.StringIO('{"id": 1, "title": "t"}\n'), require_story=True)


def test_stories_cluster_reports_a_huge_epoch_as_a_bad_line(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text(
        '{"id": 1, "title": "Fed raises rates", "published_at": 1394470370698}\n'
        '{"id": 2, "title": "Fed lifts rates", "published_at": 100000000000000000000}\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["stories", "cluster", str(path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # a usage error, no crash
    assert "Traceback" not in result.output
    assert "line 2: published_at 100000000000000000000 is out of range" in result.output
