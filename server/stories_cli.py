"""`parallax stories cluster|match`: the story matcher on files, in memory, for research.

Plain click, no Flask and no database: these commands run exactly the code live ingestion and
lookups run (`matching.cluster_records`, `matching.match_records`), so what they measure is what
the service does (with each record's ``description``, when records carry one). They read the
service's own settings (``PARALLAX_STORY_WINDOW_DAYS``,
``PARALLAX_CLUSTER_THRESHOLD``, ``PARALLAX_MATCH_THRESHOLD``) unless given as options.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from .config import DEFAULTS
from .matching import (
    CLUSTER_THRESHOLD,
    MATCH_THRESHOLD,
    StoryIndex,
    cluster_records,
    match_records,
)
from .records import Record, RecordError, read_records

F = TypeVar("F", bound=Callable[..., Any])


def _read(path: str, *, require_story: bool = False) -> list[Record]:
    """Read records from a path ("-" for standard input) or fail with a usage error."""
    try:
        if path == "-":
            return read_records(sys.stdin, require_story=require_story)
        return read_records(Path(path), require_story=require_story)
    except RecordError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from None


def _write(rows: list[dict[str, object]]) -> None:
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))


@click.group("stories")
def stories() -> None:
    """Cluster headlines into stories, or match headlines to known stories."""


_window = click.option(
    "--window-days",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULTS["STORY_WINDOW_DAYS"],
    show_default=True,
    envvar="PARALLAX_STORY_WINDOW_DAYS",
    show_envvar=True,
    help="Days either side of an article in which stories are candidates.",
)


def _threshold(setting: str, default: float, what: str) -> Callable[[F], F]:
    """Return the --threshold option of a command, read from PARALLAX_<setting> by default."""
    return click.option(
        "--threshold",
        type=click.FloatRange(0, 1),
        default=default,
        show_default=True,
        envvar=f"PARALLAX_{setting}",
        show_envvar=True,
        help=f"Score (0-1) {what}.",
    )


@stories.command("cluster")
@click.argument("input_path", metavar="INPUT")
@_window
@_threshold("CLUSTER_THRESHOLD", CLUSTER_THRESHOLD, "an article needs to join a story")
def cluster_command(input_path: str, window_days: float, threshold: float) -> None:
    """Cluster the articles of INPUT (JSONL or CSV) into stories, in time order.

    Writes one JSON line per article, in input order: {"id": …, "story": …}."""
    records = _read(input_path)
    index = StoryIndex(window=timedelta(days=window_days), cluster_threshold=threshold)
    story_ids = cluster_records(records, index)
    _write(
        [{"id": r.id, "story": s} for r, s in zip(records, story_ids, strict=True)],
    )


@stories.command("match")
@click.option(
    "--stories",
    "stories_path",
    required=True,
    metavar="STORIES",
    help="JSONL or CSV of headlines with a 'story' column.",
)
@click.argument("queries_path", metavar="QUERIES")
@_window
@_threshold("MATCH_THRESHOLD", MATCH_THRESHOLD, "a query needs to name a story")
def match_command(
    stories_path: str, queries_path: str, window_days: float, threshold: float
) -> None:
    """Match each headline of QUERIES to a story built from STORIES.

    Writes one JSON line per query, in input order: {"id": …, "story": … or null, "score": …}.
    The score is the best candidate's, also when it is below the threshold (story null)."""
    story_records = _read(stories_path, require_story=True)
    queries = _read(queries_path)
    index = StoryIndex(window=timedelta(days=window_days), threshold=threshold)
    results = match_records(story_records, queries, index)
    _write(
        [
            {"id": q.id, "story": story, "score": score}
            for q, (story, score) in zip(queries, results, strict=True)
        ],
    )
