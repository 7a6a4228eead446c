"""Importing and exporting outlets: validation, all-or-nothing, audit, the shipped data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from server.models import Outlet, RatingChange
from server.outlet_csv import COLUMNS, OutletDataError, merge_feeds, read_csv_text
from server.ratings import BIAS_LABELS, FACTUALITY_LABELS
from server.services import get_services, get_session
from server.urls import OutletResolver

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
HEADER = ",".join(COLUMNS)
GOOD = "bbc-news,BBC News,bbc.co.uk bbc.com,https://www.bbc.co.uk/news,GB,en,center,high,public,BBC,no,b,high,2026-11-01,"


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (GOOD.replace(",center,", ",centre,"), "row 2, column bias: unknown label 'centre'"),
        (GOOD.replace(",high,public", ",great,public"), "row 2, column factuality"),
        (GOOD.replace(",public,", ",government,"), "row 2, column ownership"),
        (GOOD.replace(",GB,", ",GBR,"), "row 2, column country"),
        (GOOD.replace("bbc-news,", "BBC News!,"), "row 2, column slug"),
        (GOOD.replace("bbc.co.uk bbc.com", ""), "row 2, column domains"),
        (
            GOOD.replace("bbc.co.uk bbc.com", "bbc.co.uk bbc.co.uk/news*"),
            "row 2, column domains: 'bbc.co.uk/news*': '*' stands for whole path segments",
        ),
        (
            GOOD.replace("bbc.co.uk bbc.com", "bbc.co.uk bbc.co.uk/**/sport"),
            "row 2, column domains: 'bbc.co.uk/**/sport': '**' is not needed",
        ),
        (GOOD.replace("2026-11-01", "yesterday"), "row 2, column reviewed"),
        (GOOD.replace(",no,", ",maybe,"), "row 2, column paywall"),
        (GOOD.replace("https://www.bbc.co.uk/news", "bbc"), "row 2, column homepage"),
        (GOOD + "ftp://feeds.example/x", "row 2, column feeds"),
        (GOOD + ",extra", "row 2: more fields"),
    ],
)
def test_bad_row_names_row_and_column(row: str, message: str) -> None:
    with pytest.raises(OutletDataError) as error:
        read_csv_text(f"{HEADER}\n{row}\n")
    assert message in str(error.value)


def test_duplicate_rules_and_slugs_are_refused() -> None:
    other = GOOD.replace("bbc-news,BBC News,bbc.co.uk bbc.com", "bbc-2,BBC 2,bbc.com")
    with pytest.raises(OutletDataError) as error:
        read_csv_text(f"{HEADER}\n{GOOD}\n{other}\n{GOOD}\n")
    text = str(error.value)
    assert "row 3, column domains: 'bbc.com' is already claimed on row 2" in text
    assert "row 4, column slug: 'bbc-news' is already used on row 2" in text


def test_one_pattern_written_two_ways_is_claimed_once() -> None:
    other = GOOD.replace("bbc-news,BBC News,bbc.co.uk bbc.com", "bbc-2,BBC 2,bbc.com/*/sport/*")
    with pytest.raises(OutletDataError) as error:
        read_csv_text(f"{HEADER}\n{GOOD.replace(' bbc.com', ' bbc.com/*/sport')}\n{other}\n")
    claimed = "row 3, column domains: 'bbc.com/*/sport' is already claimed on row 2"
    assert claimed in str(error.value)


def test_unknown_header_column_is_refused() -> None:
    with pytest.raises(OutletDataError, match="unknown column rating"):
        read_csv_text("slug,name,domains,rating\nx,X,x.com,left\n")


def test_import_with_one_bad_row_writes_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    rows = (DATA / "outlets_small.csv").read_text().splitlines()
    rows[5] = rows[5].replace(",right,", ",rightish,")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(rows) + "\n")
    result = runner.invoke(args=["outlets", "import", str(bad)])
    assert result.exit_code != 0
    assert "nothing was imported" in result.output
    assert "row 6, column bias: unknown label 'rightish'" in result.output
    assert count(app, Outlet) == 0


def test_import_records_an_audit_entry_per_outlet(seeded: Flask) -> None:
    assert count(seeded, Outlet) == 10
    with seeded.app_context():
        change = (
            get_session()
            .scalars(select(RatingChange).where(RatingChange.outlet_slug == "fox-news"))
            .one()
        )
    assert change.actor == "cli"
    assert change.changes["bias"] == [None, "right"]


def _edited(tmp_path: Path) -> Path:
    text = (DATA / "outlets_small.csv").read_text()
    path = tmp_path / "edited.csv"
    path.write_text(text.replace("Fox Corporation,no,Test fixture.", "Fox Corp.,no,Reviewed."))
    return path


def test_reimport_never_silently_overwrites_curated_data(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(args=["outlets", "import", str(_edited(tmp_path))])
    assert result.exit_code != 0
    assert "outlet fox-news exists with other values" in result.output
    assert "--update" in result.output
    response = seeded.test_client().get("/api/v1/outlets/fox-news").get_json()
    assert response["owner"] == "Fox Corporation"


def test_update_changes_and_audits(seeded: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        args=["outlets", "import", "--update", "--reason", "owner renamed", str(_edited(tmp_path))]
    )
    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated, 9 unchanged" in result.output
    with seeded.app_context():
        changes = (
            get_session()
            .scalars(select(RatingChange).where(RatingChange.reason == "owner renamed"))
            .all()
        )
    assert [c.changes for c in changes] == [
        {"owner": ["Fox Corporation", "Fox Corp."], "basis": ["Test fixture.", "Reviewed."]}
    ]


def test_same_file_twice_changes_nothing(seeded: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["outlets", "import", str(DATA / "outlets_small.csv")])
    assert result.exit_code == 0
    assert "0 created, 0 updated, 10 unchanged" in result.output


def test_export_reads_back_to_the_same_outlets(seeded: Flask, runner: FlaskCliRunner) -> None:
    exported = runner.invoke(args=["outlets", "export"]).output
    records = read_csv_text(exported)
    original = {r.slug: r.values() for r in read_csv_text((DATA / "outlets_small.csv").read_text())}
    assert {r.slug: r.values() for r in records} == original


def test_shipped_outlets_file_is_valid_and_broad() -> None:
    text = (ROOT / "data" / "outlets.csv").read_text(encoding="utf-8")
    records = read_csv_text(text)
    assert len(records) >= 400
    assert len({r.country for r in records}) >= 15
    for label in BIAS_LABELS:
        assert sum(r.bias == label for r in records) >= 10, label
    assert {r.factuality for r in records} <= set(FACTUALITY_LABELS)
    assert all(r.basis for r in records), "every rating says what it rests on"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"bbc.co.uk", "bbc.com"} <= {d for row in rows for d in row["domains"].split()}


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://www.nytimes.com/2024/05/01/opinion/x.html", "nytimes-opinion"),
        ("https://www.nytimes.com/2024/05/01/world/opinion-poll.html", "new-york-times"),
        ("https://www.theguardian.com/commentisfree/2024/may/01/x", "guardian-opinion"),
        ("https://www.theguardian.com/us-news/commentisfree/2024/may/01/x", "guardian-opinion"),
        ("https://www.theguardian.com/us-news/2024/may/01/x", "the-guardian-us"),
        ("https://www.washingtonpost.com/opinions/2024/05/01/x/", "washington-post-opinion"),
        ("https://www.yahoo.com/news/x-123456789.html", "yahoo-news"),
        ("https://news.yahoo.com/x-123456789.html", "yahoo-news"),
        ("https://finance.yahoo.com/news/x-123456789.html", "yahoo-finance"),
        ("https://www.yahoo.com/", None),
    ],
)
def test_shipped_rules_fit_real_url_shapes(url: str, slug: str | None) -> None:
    records = read_csv_text((ROOT / "data" / "outlets.csv").read_text(encoding="utf-8"))
    resolver = OutletResolver.from_strings((rule, r.slug) for r in records for rule in r.rules)
    assert resolver.resolve_url(url)[1] == slug


# --- feeds: added by maintainers, never dropped by an import ---------------------------------

ADDED_FEED = "https://feeds.bbci.co.uk/news/rss.xml"


def _feeds_of(app: Flask, slug: str) -> list[str]:
    with app.app_context():
        outlet = get_session().scalar(select(Outlet).where(Outlet.slug == slug))
        assert outlet is not None
        return [feed.url for feed in outlet.feeds]


def _with_feeds(tmp_path: Path, slug: str, feeds: str) -> Path:
    """Return a copy of the small fixture whose ``slug`` row lists ``feeds``."""
    rows = (DATA / "outlets_small.csv").read_text().splitlines()
    rows = [row + feeds if row.startswith(f"{slug},") else row for row in rows]
    path = tmp_path / "feeds.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("flags", [[], ["--update"]], ids=["plain", "update"])
def test_feed_added_by_cli_survives_an_import_that_does_not_list_it(
    seeded: Flask, runner: FlaskCliRunner, flags: list[str]
) -> None:
    assert runner.invoke(args=["feeds", "add", "bbc-news", ADDED_FEED]).exit_code == 0

    result = runner.invoke(args=["outlets", "import", *flags, str(DATA / "outlets_small.csv")])

    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 10 unchanged" in result.output
    assert f"kept feed of bbc-news not in the file: {ADDED_FEED}" in result.output
    assert _feeds_of(seeded, "bbc-news") == [ADDED_FEED]


def test_feeds_add_is_audited(seeded: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["feeds", "add", "bbc-news", ADDED_FEED])

    with seeded.app_context():
        change = (
            get_session()
            .scalars(
                select(RatingChange)
                .where(RatingChange.outlet_slug == "bbc-news")
                .order_by(RatingChange.id.desc())
            )
            .first()
        )
    assert change is not None and change.changes == {"feeds": [[], [ADDED_FEED]]}
    assert change.reason == "parallax feeds add"


def test_feeds_remove_is_audited_like_feeds_add_and_reloads_the_catalog(
    seeded: Flask, runner: FlaskCliRunner
) -> None:
    runner.invoke(args=["feeds", "add", "bbc-news", ADDED_FEED])
    with seeded.app_context():
        before = get_services(seeded).catalog.get(get_session())
    assert before.outlets["bbc-news"]["feeds"] == [ADDED_FEED]

    result = runner.invoke(args=["feeds", "remove", ADDED_FEED])

    assert result.exit_code == 0, result.output
    with seeded.app_context():
        session = get_session()
        change = session.scalars(select(RatingChange).order_by(RatingChange.id.desc())).first()
        after = get_services(seeded).catalog.get(session)
    assert change is not None and change.outlet_slug == "bbc-news"
    assert change.changes == {"feeds": [[ADDED_FEED], []]}
    assert (change.actor, change.reason) == ("cli", "parallax feeds remove")
    assert after.version != before.version
    assert after.outlets["bbc-news"]["feeds"] == []


def test_import_listing_a_removed_feed_adds_it_back_only_with_update(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    runner.invoke(args=["feeds", "add", "bbc-news", ADDED_FEED])
    runner.invoke(args=["feeds", "remove", ADDED_FEED])
    path = _with_feeds(tmp_path, "bbc-news", ADDED_FEED)

    unlisted = runner.invoke(args=["outlets", "import", str(DATA / "outlets_small.csv")])
    refused = runner.invoke(args=["outlets", "import", str(path)])
    assert _feeds_of(seeded, "bbc-news") == []
    updated = runner.invoke(args=["outlets", "import", "--update", str(path)])

    assert unlisted.output == "0 created, 0 updated, 10 unchanged\n"
    assert refused.exit_code == 1 and "outlet bbc-news exists with other values" in refused.output
    assert updated.exit_code == 0, updated.output
    assert "0 created, 1 updated, 9 unchanged" in updated.output
    assert _feeds_of(seeded, "bbc-news") == [ADDED_FEED]


def test_import_adds_a_listed_feed_beside_the_added_one_with_update(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    runner.invoke(args=["feeds", "add", "bbc-news", ADDED_FEED])
    listed = "https://feeds.bbci.co.uk/news/world/rss.xml"
    path = _with_feeds(tmp_path, "bbc-news", listed)

    refused = runner.invoke(args=["outlets", "import", str(path)])
    updated = runner.invoke(args=["outlets", "import", "--update", str(path)])

    assert refused.exit_code == 1 and "outlet bbc-news exists with other values" in refused.output
    assert updated.exit_code == 0, updated.output
    assert "0 created, 1 updated, 9 unchanged" in updated.output
    assert _feeds_of(seeded, "bbc-news") == [ADDED_FEED, listed]


def test_import_listing_the_added_feed_changes_nothing(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    runner.invoke(args=["feeds", "add", "bbc-news", ADDED_FEED])

    result = runner.invoke(
        args=["outlets", "import", str(_with_feeds(tmp_path, "bbc-news", ADDED_FEED))]
    )

    assert result.exit_code == 0, result.output
    assert result.output == "0 created, 0 updated, 10 unchanged\n"


def test_feed_of_another_outlet_is_a_problem_not_a_crash(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    runner.invoke(args=["feeds", "add", "bbc-news", ADDED_FEED])

    result = runner.invoke(
        args=["outlets", "import", "--update", str(_with_feeds(tmp_path, "guardian", ADDED_FEED))]
    )

    assert result.exit_code == 1
    assert f"outlet guardian: feed {ADDED_FEED!r} already belongs to bbc-news" in result.output
    assert _feeds_of(seeded, "guardian") == []


def test_feed_listed_for_two_outlets_is_a_problem_not_a_crash(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    rows = (DATA / "outlets_small.csv").read_text().splitlines()
    rows = [row + ADDED_FEED if row.startswith(("bbc-news,", "guardian,")) else row for row in rows]
    path = tmp_path / "twice.csv"
    path.write_text("\n".join(rows) + "\n")

    result = runner.invoke(args=["outlets", "import", str(path)])

    assert result.exit_code == 1
    assert f"outlet guardian: feed {ADDED_FEED!r} is also listed for bbc-news" in result.output
    assert count(app, Outlet) == 0


@pytest.mark.parametrize(
    ("stored", "listed", "merged", "followed", "kept"),
    [
        (["a"], ["a"], ["a"], [], []),
        (["a"], [], ["a"], [], ["a"]),
        (["a"], ["b"], ["a", "b"], [], ["a"]),
        (["c"], ["a"], ["c"], [("a", "c")], []),  # a moved to b, then to c
        (["a", "c"], ["a"], ["a", "c"], [], ["c"]),  # a stored again: it is itself
        (["x"], ["a"], ["x", "a"], [], ["x"]),  # a moved, but not to a stored feed
    ],
)
def test_merge_feeds_keeps_stored_feeds_and_follows_moves(
    stored: list[str],
    listed: list[str],
    merged: list[str],
    followed: list[tuple[str, str]],
    kept: list[str],
) -> None:
    moves = {"a": "b", "b": "c", "z": "a"}
    assert merge_feeds(stored, listed, moves) == (merged, followed, kept)


def _store_articles(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    """Store one story told by the BBC, the NYT's opinion pages and an unrated blog."""
    lines = [
        ("https://www.bbc.co.uk/news/articles/harbour-bridge", "BBC"),
        ("https://www.nytimes.com/2026/11/30/opinion/harbour-bridge.html", "NYT"),
        ("https://blog.unrated.example/harbour-bridge", "blog"),
    ]
    path = tmp_path / "articles.jsonl"
    title = "Sydney harbour bridge closed after crane collapse"
    path.write_text(
        "".join(
            json.dumps({"url": url, "title": f"{title} {who}", "published_at": "2026-11-30T08:00Z"})
            + "\n"
            for url, who in lines
        )
    )
    result = runner.invoke(args=["ingest", "file", str(path)])
    assert result.exit_code == 0, result.output


def _links(app: Flask) -> dict[str, str | None]:
    """Return each stored article's domain and path → its outlet's slug (None: unrated)."""
    from server.models import Article, Story

    with app.app_context():
        session = get_session()
        rows = session.execute(select(Article.url, Outlet.slug).outerjoin(Article.outlet))
        links = {url.split("://")[1]: slug for url, slug in rows}
        counts = set(session.scalars(select(Story.outlet_count)))
    assert counts == {3}  # one story, three distinct sources, however they are linked
    return links


def test_an_import_links_the_articles_stored_before_their_outlet_was_rated(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _store_articles(app, runner, tmp_path)
    assert set(_links(app).values()) == {None}
    result = runner.invoke(args=["outlets", "import", str(DATA / "outlets_small.csv")])
    assert result.exit_code == 0, result.output
    assert _links(app) == {
        "www.bbc.co.uk/news/articles/harbour-bridge": "bbc-news",
        "www.nytimes.com/2026/11/30/opinion/harbour-bridge.html": "nytimes-opinion",
        "blog.unrated.example/harbour-bridge": None,
    }
    answer = app.test_client().get(
        "/api/v1/lookup", query_string={"url": "https://blog.unrated.example/harbour-bridge"}
    )
    split = answer.get_json()["story"]["bias_split"]
    assert (split["left"], split["center"], split["unrated"]) == (1, 1, 1)


def test_a_changed_rule_moves_the_articles_it_covers(
    seeded: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _store_articles(seeded, runner, tmp_path)
    key = "www.nytimes.com/2026/11/30/opinion/harbour-bridge.html"
    assert _links(seeded)[key] == "nytimes-opinion"
    text = (DATA / "outlets_small.csv").read_text()
    edited = tmp_path / "edited.csv"
    edited.write_text(text.replace("nytimes.com/*/opinion,", "nytimes.com/section/opinion,"))
    result = runner.invoke(args=["outlets", "import", "--update", str(edited)])
    assert result.exit_code == 0, result.output
    assert _links(seeded)[key] == "new-york-times"  # the opinion rule no longer covers it
