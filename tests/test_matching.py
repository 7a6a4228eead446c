"""Headline normalisation and the story index: matching, time window, assign, whole files."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.matching import (
    Match,
    StoryIndex,
    cluster_records,
    match_records,
    normalize_title,
    tokenize,
)
from server.records import Record
from server.stories_cli import stories

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Fed raises rates - BBC News", "fed raises rates"),
        ("Fed raises rates | Reuters", "fed raises rates"),
        ("Fed raises rates \u2014 The Guardian", "fed raises rates"),
        ("Fed raises rates: NPR", "fed raises rates"),
        (
            "Fed raises rates by half a point - The Daily Example Times",
            "fed raises rates by half a point",
        ),
        ("\u201cHello\u201d, says Kerry\u2019s aide", '"hello", says kerry\'s aide'),
        ("Stocks fall \u2013 again", "stocks fall - again"),
        ("\uff26\uff45\uff44 raises", "fed raises"),  # full-width letters (NFKC)
        ("  Too   many\tspaces  ", "too many spaces"),
        ("Could families sue the new GM for  ...", "could families sue the new gm for"),
        ("STRASSE and Stra\u00dfe", "strasse and strasse"),  # case-fold, not lower()
        ("Biden - Harris", "biden - harris"),  # too short a head to drop a tail
        ("Ceasefire holds - for now, officials say", "ceasefire holds - for now, officials say"),
        ("UPDATE 7-Oil sinks on weak China data", "oil sinks on weak china data"),
        ("GLOBAL MARKETS-World stocks dip after China data", "world stocks dip after china data"),
        ("VIDEO: Obama meets Putin in Geneva", "obama meets putin in geneva"),
        ("Plosser: Taper pace may be too slow", "plosser: taper pace may be too slow"),
        ("US-China talks resume in Geneva", "us-china talks resume in geneva"),
        (
            "Panel to probe GM recall of faulty switches (2)",
            "panel to probe gm recall of faulty switches",
        ),
    ],
)
def test_normalize_title(title: str, expected: str) -> None:
    assert normalize_title(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The U.S. and the EU agree on a deal", ["us", "eu", "agre", "deal"]),
        (
            "Protesters marched; police arrested 10,000",
            ["protest", "march", "polic", "arrest", "10000"],
        ),
        ("Kerry's shadow diplomacy", ["kerri", "shadow", "diplomaci"]),
        ("iOS 7.1 released", ["ios", "7.1", "releas"]),
        ("Covid-19 vaccine passports", ["covid", "19", "vaccin", "passport"]),
        ("It is what it is", []),
    ],
)
def test_tokenize_keeps_names_and_numbers_and_drops_stop_words(
    title: str, expected: list[str]
) -> None:
    assert tokenize(title) == expected


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("US economy adds 943K jobs", "US economy added 943,000 jobs"),
        ("EU agrees €50bn Ukraine aid", "EU agrees 50 billion Ukraine aid"),
        ("Apple fined $1.2 billion", "Apple fined $1.2bn"),
    ],
)
def test_numbers_with_magnitudes_are_one_token(one: str, other: str) -> None:
    assert tokenize(one) == tokenize(other)


def test_a_spaced_single_letter_unit_is_not_a_magnitude() -> None:
    assert "10" in tokenize("Athletes run 10 m in record time")


def test_sibling_events_with_disagreeing_figures_stay_apart() -> None:
    index = StoryIndex()
    counter = iter(range(1, 100))
    first, _ = index.assign(
        "Bank of England holds interest rates at 4% in 5-4 vote", T0, counter.__next__
    )
    index.assign("Bank of England keeps interest rates on hold at 4%", T0, counter.__next__)
    other, _ = index.assign(
        "RBA keeps cash rate on hold at 3.6 per cent as inflation edges up", T0, counter.__next__
    )
    same, _ = index.assign(
        "Bank of England holds rates at 4% as inflation bites", T0, counter.__next__
    )
    assert other != first
    assert same == first


def test_inflections_meet_on_one_stem() -> None:
    assert tokenize("castigates")[0] == tokenize("castigated")[0] == tokenize("castigate")[0]
    assert tokenize("impeachment")[0] == tokenize("impeached")[0] == tokenize("impeach")[0]


def _index(**options: object) -> StoryIndex:
    index = StoryIndex(**options)  # type: ignore[arg-type]
    headlines = [
        (1, "Trump slams John Kerry for 'shadow diplomacy' on Iran deal"),
        (2, "Apple releases iOS 7.1 featuring CarPlay"),
        (3, "Bitcoin exchange Mt. Gox files for US bankruptcy protection"),
        (4, "Minneapolis police station set on fire after protesters break in"),
        (5, "Senate passes $1.9 trillion Covid relief bill"),
        (6, "Fed's Plosser says taper pace may be too slow"),
    ]
    for story_id, title in headlines:
        index.add(story_id, title, T0)
    return index


@pytest.mark.parametrize(
    ("query", "story_id"),
    [
        ("Trump castigates Kerry for \u2018Shadow Diplomacy\u2019 to save Iran nuclear deal", 1),
        ("Apple's iOS 7.1 is out, and it brings CarPlay - The Verge", 2),
        ("Mt. Gox seeks bankruptcy protection in the US | Reuters", 3),
        ("Senate approves Biden's $1.9 trillion Covid-19 relief package", 5),
    ],
)
def test_reworded_headline_matches_its_story(query: str, story_id: int) -> None:
    found = _index().match(query, T0 + timedelta(hours=5))
    assert found is not None
    assert found.story_id == story_id
    assert 0.0 < found.score <= 1.0


def test_identical_headline_scores_one() -> None:
    found = _index().match("Apple releases iOS 7.1 featuring CarPlay", T0)
    assert found == Match(2, 1.0)


def test_unrelated_headline_matches_nothing() -> None:
    assert _index().match("Local bakery wins regional bread award", T0) is None


def test_headline_of_only_stop_words_matches_nothing() -> None:
    assert _index().match("What it is and why it was", T0) is None
    assert StoryIndex().match("Apple releases iOS 7.1", T0) is None


def test_time_window_excludes_stories_far_away() -> None:
    index = _index(window=timedelta(days=3))
    query = "Apple releases iOS 7.1 featuring CarPlay"
    assert index.match(query, T0 + timedelta(days=2)) is not None
    assert index.match(query, T0 - timedelta(days=2)) is not None
    assert index.match(query, T0 + timedelta(days=4)) is None


def test_query_without_time_matches_any_time() -> None:
    assert _index().match("Apple releases iOS 7.1 featuring CarPlay", None) is not None


def test_article_without_time_matches_any_query_time() -> None:
    index = StoryIndex()
    index.add(7, "Apple releases iOS 7.1 featuring CarPlay", None)
    found = index.match("Apple releases iOS 7.1 featuring CarPlay", T0 + timedelta(days=400))
    assert found is not None and found.story_id == 7


def test_every_headline_of_a_story_is_scored() -> None:
    first = "Bitcoin exchange Mt. Gox files for US bankruptcy protection"
    later = "Hackers claim Mt. Gox CEO Mark Karpeles held stolen customer bitcoins"
    index = StoryIndex()
    index.add(1, first, T0)
    index.add(1, later, T0)
    index.add(2, "Mark Zuckerberg calls Obama about NSA spying", T0)
    found = index.match("Hackers say Karpeles held stolen customer bitcoins", T0)
    assert found is not None and found.story_id == 1
    only_first = StoryIndex()
    only_first.add(1, first, T0)
    only_first.add(2, "Mark Zuckerberg calls Obama about NSA spying", T0)
    assert only_first.match("Hackers say Karpeles held stolen customer bitcoins", T0) is None


def test_assign_joins_a_matching_story_and_opens_new_ones() -> None:
    index = StoryIndex()
    ids = itertools.count(100)
    first, none = index.assign("Apple releases iOS 7.1 featuring CarPlay", T0, ids.__next__)
    assert (first, none) == (100, None)
    joined, found = index.assign("Apple's iOS 7.1 arrives with CarPlay", T0, ids.__next__)
    assert joined == 100 and found is not None and found.story_id == 100
    other, none = index.assign("Malaysia Airlines flight missing over sea", T0, ids.__next__)
    assert (other, none) == (101, None)
    assert index.story_count == 2 and len(index) == 3


def test_clustering_joins_stories_still_being_told_and_lookups_find_quiet_ones() -> None:
    index = StoryIndex()
    ids = itertools.count(1)
    told, _ = index.assign("Mt. Gox files for US bankruptcy protection", T0, ids.__next__)
    index.assign("Mt. Gox seeks US bankruptcy protection", T0 + timedelta(hours=3), ids.__next__)
    quiet, _ = index.assign("Apple releases iOS 7.1 featuring CarPlay", T0, ids.__next__)

    # A few hours after its last article, a story is still being told: a follow-up joins it.
    joined, _ = index.assign(
        "Mt. Gox files for bankruptcy protection in the US", T0 + timedelta(hours=7), ids.__next__
    )
    assert joined == told
    # Two days after a story's only article, a similar headline starts a story of its own...
    later, found = index.assign(
        "Apple releases iOS 7.1 update with CarPlay", T0 + timedelta(days=2), ids.__next__
    )
    assert later != quiet and found is None
    # ...while a lookup of an article of that time still finds the older story.
    match = _index().match("Apple releases iOS 7.1 update with CarPlay", T0 + timedelta(days=2))
    assert match is not None and match.story_id == 2


def test_a_story_told_slowly_stays_open_longer_than_one_told_fast() -> None:
    follow_up = "Mt. Gox files for bankruptcy protection in the US"

    def told_every(interval: timedelta) -> tuple[StoryIndex, int, datetime]:
        index, ids = StoryIndex(), itertools.count(1)
        headlines = [
            "Mt. Gox files for US bankruptcy protection",
            "Mt. Gox seeks US bankruptcy protection",
            "Mt. Gox files for bankruptcy in the US",
        ]
        stories = {
            index.assign(t, T0 + n * interval, ids.__next__)[0] for n, t in enumerate(headlines)
        }
        assert len(stories) == 1
        return index, stories.pop(), T0 + 2 * interval

    slow, story, last = told_every(timedelta(hours=12))
    assert slow.assign(follow_up, last + timedelta(hours=20), lambda: 99)[0] == story
    fast, story, last = told_every(timedelta(minutes=10))
    assert fast.assign(follow_up, last + timedelta(hours=20), lambda: 99)[0] == 99


def test_assign_records_article_ids() -> None:
    index = StoryIndex()
    index.assign("Apple releases iOS 7.1", T0, lambda: 5, article_id=42)
    index.add(6, "Malaysia Airlines flight missing", T0, article_id=43)
    assert index.story_of_article(42) == 5
    assert index.story_of_article(43) == 6
    assert index.story_of_article(44) is None


def test_retrieval_does_not_scan_tokens_with_huge_postings() -> None:
    index = StoryIndex(max_postings=3)
    for story_id in range(10):
        index.add(story_id, f"Stocks fall on day {story_id}", T0)
    # "stock" and "fall" are in 10 postings each: skipped, so only "day N" can retrieve.
    assert index.best("Stocks fall", T0) is None
    found = index.best("Stocks fall on day 7", T0)
    assert found is not None and found.story_id == 7


def _record(id: int, title: str, hours: float | None, story: str | None = None) -> Record:
    published = None if hours is None else T0 + timedelta(hours=hours)
    return Record(id=id, title=title, published_at=published, story=story)


def test_cluster_records_runs_in_time_order_and_answers_in_input_order() -> None:
    records = [
        _record(1, "Apple's iOS 7.1 arrives with CarPlay", 3),
        _record(2, "Malaysia Airlines flight MH370 missing", 1),
        _record(3, "Apple releases iOS 7.1 featuring CarPlay", 2),
        _record(4, "Search for missing Malaysia Airlines MH370 widens", None),
    ]
    # Time order: 2 opens story 1, 3 opens story 2, 1 joins 2; the undated 4 comes last.
    assert cluster_records(records) == [2, 1, 2, 1]


def test_match_records_returns_story_labels_and_none() -> None:
    stories = [
        _record(1, "Apple releases iOS 7.1 featuring CarPlay", 0, "apple"),
        _record(2, "iOS 7.1 is out with CarPlay", 1, "apple"),
        _record(3, "Malaysia Airlines flight MH370 missing", 0, "mh370"),
    ]
    queries = [
        _record(10, "Search for missing Malaysia Airlines MH370 widens", 5),
        _record(11, "Local bakery wins bread award", 5),
        _record(12, "Apple releases iOS 7.1 featuring CarPlay", 2),
    ]
    results = match_records(stories, queries)
    assert results[0][0] == "mh370"
    assert results[1] == (None, None)
    assert results[2] == ("apple", 1.0)


def test_stories_cluster_command_writes_one_json_line_per_article(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    rows = [
        {"id": "a", "title": "Apple's iOS 7.1 arrives with CarPlay", "published_at": 1394470370698},
        {
            "id": "b",
            "title": "Malaysia Airlines flight MH370 missing",
            "published_at": "2014-03-08",
        },
        {"id": "c", "title": "Apple releases iOS 7.1 featuring CarPlay", "published_at": None},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = CliRunner().invoke(stories, ["cluster", str(path)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert lines[0]["story"] == lines[2]["story"] != lines[1]["story"]


def test_stories_match_command_writes_story_or_null_with_score(tmp_path: Path) -> None:
    known = tmp_path / "stories.csv"
    known.write_text(
        "id,title,story\n1,Apple releases iOS 7.1 featuring CarPlay,apple\n"
        "2,Malaysia Airlines flight MH370 missing,mh370\n",
        encoding="utf-8",
    )
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        '{"id": 9, "title": "Apple releases iOS 7.1 featuring CarPlay"}\n'
        '{"id": 10, "title": "Local bakery wins bread award"}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(stories, ["match", "--stories", str(known), str(queries)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.output.splitlines()] == [
        {"id": 9, "story": "apple", "score": 1.0},
        {"id": 10, "story": None, "score": None},
    ]


def test_stories_command_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "title": "ok"}\n{"id": 2}\n', encoding="utf-8")
    result = CliRunner().invoke(stories, ["cluster", str(path)])
    assert result.exit_code != 0
    assert "line 2: missing 'title'" in result.output


def test_articles_added_out_of_time_order_are_found_in_the_window() -> None:
    index = StoryIndex(window=timedelta(days=1))
    index.add(1, "Apple releases iOS 7.1 featuring CarPlay", T0 + timedelta(days=10))
    index.add(2, "Apple iOS 7.1 CarPlay features leak early", T0)
    index.add(3, "Apple iOS 7.1 CarPlay release date rumours", T0 + timedelta(days=5))
    for day, story_id in ((0, 2), (5, 3), (10, 1)):
        found = index.best("Apple iOS 7.1 CarPlay", T0 + timedelta(days=day))
        assert found is not None and found.story_id == story_id


def test_stories_commands_read_the_service_thresholds(tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        '{"id": "a", "title": "Apple releases iOS 7.1 featuring CarPlay", "published_at": 0}\n'
        '{"id": "b", "title": "Apple\'s iOS 7.1 arrives with CarPlay", "published_at": 60000}\n',
        encoding="utf-8",
    )

    def stories_of(*options: str, env: dict[str, str] | None = None) -> list[object]:
        result = CliRunner(env=env).invoke(stories, ["cluster", str(articles), *options])
        assert result.exit_code == 0, result.output
        return [json.loads(line)["story"] for line in result.output.splitlines()]

    assert stories_of() == [1, 1]
    assert stories_of("--threshold", "1") == [1, 2]
    assert stories_of(env={"PARALLAX_CLUSTER_THRESHOLD": "1"}) == [1, 2]

    known = tmp_path / "stories.jsonl"
    known.write_text(
        '{"id": 1, "title": "Apple releases iOS 7.1 featuring CarPlay", "story": "apple"}\n',
        encoding="utf-8",
    )
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        '{"id": 9, "title": "Apple\'s iOS 7.1 arrives with CarPlay"}\n', encoding="utf-8"
    )
    args = ["match", "--stories", str(known), str(queries)]
    default = json.loads(CliRunner().invoke(stories, args).output)
    strict = json.loads(
        CliRunner(env={"PARALLAX_MATCH_THRESHOLD": "0.99"}).invoke(stories, args).output
    )
    assert default["story"] == "apple"
    assert strict == {**default, "story": None}, "the score stays; only the verdict changes"

    refused = CliRunner().invoke(stories, [*args, "--threshold", "2"])
    assert refused.exit_code == 2 and "0<=x<=1" in refused.output
