"""Headline normalisation and the story index: matching, time window, assign, whole files."""

from __future__ import annotations

import itertools
import json
import random
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


# --- descriptions, names, merges and the near-miss set (issue #8) ----------------------------

NEAR_MISSES = Path(__file__).parent / "data" / "near_misses.json"
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_articles.jsonl"


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _near_miss_index() -> tuple[StoryIndex, dict[int, str], list[list[str | None]]]:
    data = json.loads(NEAR_MISSES.read_text(encoding="utf-8"))
    index = StoryIndex()
    keys: dict[int, str] = {}
    for number, (key, articles) in enumerate(data["stories"].items()):
        keys[number] = key
        for title, description, when in articles:
            index.add(number, title, _when(when), description=description)
    return index, keys, data["lookups"]


def test_near_miss_set_is_large_enough() -> None:
    _, keys, lookups = _near_miss_index()
    assert len(keys) >= 20
    assert len(lookups) >= 40
    assert sum(1 for q in lookups if q[3]) >= 20 and sum(1 for q in lookups if not q[3]) >= 20


def test_near_miss_set_paraphrases_match_and_siblings_do_not() -> None:
    index, keys, lookups = _near_miss_index()
    wrong = []
    for title, description, when, expected in lookups:
        assert title is not None and when is not None
        found = index.match(title, _when(when), description or "")
        got = keys[found.story_id] if found else None
        if got != expected:
            wrong.append((title, expected, got, found.score if found else None))
    assert wrong == []


def _cluster_near_misses(**options: object) -> dict[str, set[int]]:
    """Ingest the near-miss set's stories in time order; return each story's ingested ids."""
    data = json.loads(NEAR_MISSES.read_text(encoding="utf-8"))
    articles = sorted(
        ((key, *article) for key, told in data["stories"].items() for article in told),
        key=lambda row: _when(row[3]),
    )
    index, ids = StoryIndex(**options), itertools.count(1)  # type: ignore[arg-type]
    built: dict[str, set[int]] = {}
    for key, title, description, when in articles:
        story_id, _ = index.assign(title, _when(when), ids.__next__, None, description or "")
        built.setdefault(key, set()).add(story_id)
    return {key: {index.resolve(s) for s in stories} for key, stories in built.items()}


def test_clustering_keeps_sibling_events_apart_and_the_second_opinion_joins_sides() -> None:
    built = _cluster_near_misses()
    owners: dict[int, set[str]] = {}
    for key, story_ids in built.items():
        for story in story_ids:
            owners.setdefault(story, set()).add(key)
    assert [keys for keys in owners.values() if len(keys) > 1] == []  # no sibling joined
    # the lookup's second opinion (CLUSTER_EVIDENCE) joins sides the first rule left apart
    first_rule_only = _cluster_near_misses(cluster_evidence=None)
    assert sum(map(len, built.values())) < sum(map(len, first_rule_only.values()))


def _demo_index() -> StoryIndex:
    """Cluster the demo articles as ingestion does."""
    index = StoryIndex()
    ids = itertools.count(1)
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        index.assign(
            row["title"], _when(row["published_at"]), ids.__next__, None, row["description"]
        )
    return index


@pytest.mark.parametrize(
    "title",
    [
        "Magnitude 6.9 earthquake strikes off coast of Chile, tsunami warning issued",
        "US economy shrank in first quarter",
        "Fed holds interest rates steady",
        "Earthquake",
        "Strike",
        "Interest rates",
    ],
)
def test_demo_near_misses_get_no_story(title: str) -> None:
    index = _demo_index()
    assert index.match(title, datetime(2026, 12, 1, tzinfo=UTC)) is None


def test_demo_paraphrase_still_matches() -> None:
    index = _demo_index()
    found = index.match(
        "Japan hit by magnitude 6.9 quake, tsunami advisory for Iwate",
        datetime(2026, 11, 30, tzinfo=UTC),
    )
    japan = index.match(
        "Magnitude 6.9 earthquake strikes off northeast Japan, tsunami advisory issued",
        datetime(2026, 11, 30, tzinfo=UTC),
    )
    assert found is not None and japan is not None and found.story_id == japan.story_id


def test_description_finds_a_story_the_headline_alone_misses() -> None:
    index = StoryIndex(embedder=None)
    index.add(
        1,
        "US partial government shutdown becomes longest ever",
        T0,
        description="The shutdown of federal agencies entered its 22nd day, the longest on record.",
    )
    index.add(2, "Astronomers spot a new comet near Jupiter", T0)
    title = "Record shutdown is a massive Washington failure"
    description = "The longest government shutdown on record shows how broken Washington is."
    headline_only = index.best(title, T0)
    with_description = index.best(title, T0, description)
    assert with_description is not None and with_description.story_id == 1
    assert headline_only is None or with_description.score > headline_only.score


def test_an_article_without_description_still_matches_by_its_headline() -> None:
    index = StoryIndex()
    index.add(
        1,
        "Senate passes stopgap funding bill, averting a government shutdown",
        T0,
        description="The measure keeps the government funded until January 30.",
    )
    found = index.match("Senate passes stopgap bill to avert government shutdown", T0)
    assert found is not None and found.story_id == 1


def test_score_one_only_for_identical_normalised_text() -> None:
    index = StoryIndex()
    index.add(1, "Fed cuts rates by a quarter point", T0, description="The Fed cut rates.")
    exact = index.best("Fed cuts rates by a quarter point - Reuters", T0, "The Fed cut rates.")
    headline = index.best("Fed cuts rates by a quarter point", T0)
    close = index.best("Fed cuts rates by quarter point", T0, "The Fed cut rates.")
    assert exact is not None and exact.score == 1.0
    assert headline is not None and headline.score == 1.0
    assert close is not None and close.score < 1.0


def test_one_or_two_words_get_no_story() -> None:
    index = StoryIndex()
    index.add(1, "Magnitude 6.9 earthquake strikes off northeast Japan", T0)
    assert index.best("Earthquake", T0) is None
    assert index.best("Japan earthquake", T0) is None


def test_two_stories_bridged_by_a_later_article_become_one() -> None:
    index = StoryIndex(embedder=None, merge_threshold=0.5)
    ids = itertools.count(1)
    first, _ = index.assign("Boeing machinists strike over pay", T0, ids.__next__)
    second, _ = index.assign(
        "IAM union walkout halts 737 production", T0 + timedelta(hours=1), ids.__next__
    )
    assert first != second
    bridge, found = index.assign(
        "Boeing machinists strike: IAM union walkout over pay halts 737 production",
        T0 + timedelta(hours=2),
        ids.__next__,
    )
    assert found is not None
    merges = index.drain_merges()
    assert len(merges) == 1
    absorbed, kept = merges[0]
    assert {absorbed, kept} == {first, second} and bridge == kept
    assert index.resolve(absorbed) == kept and index.resolve(kept) == kept
    assert index.drain_merges() == []
    found = index.match("IAM union walkout halts 737 production", T0 + timedelta(hours=3))
    assert found is not None and found.story_id == kept
    assert index.story_count == 1


def test_merge_replays_a_stored_redirect() -> None:
    index = StoryIndex(embedder=None)
    index.add(1, "Boeing machinists strike over pay", T0)
    index.add(2, "IAM union walkout halts 737 production", T0)
    index.merge(2, 1)
    index.add(2, "Machinists' walkout enters second week", T0)  # an old id still lands
    assert index.story_count == 1
    found = index.match("IAM union walkout halts 737 production", T0)
    assert found is not None and found.story_id == 1


def test_merging_keeps_apart_stories_whose_names_disagree() -> None:
    index = StoryIndex(embedder=None, merge_threshold=0.0)
    ids = itertools.count(1)
    japan, _ = index.assign("Magnitude 6.9 earthquake strikes off Japan", T0, ids.__next__)
    chile, _ = index.assign("Magnitude 6.9 earthquake strikes off Chile", T0, ids.__next__)
    index.assign("Earthquake strikes, tsunami warnings issued", T0, ids.__next__)
    assert japan != chile
    assert all({a, b} != {japan, chile} for a, b in index.drain_merges())


def test_static_model_loads_offline_and_ranks_paraphrases_higher() -> None:
    pytest.importorskip("numpy")
    from server.embedding import StaticModel

    model = StaticModel.load()
    shutdown = model.embed("Record shutdown is a massive Washington failure")
    longest = model.embed("US partial government shutdown becomes longest ever")
    comet = model.embed("Astronomers spot a new comet near Jupiter")
    assert abs(float(shutdown @ shutdown) - 1.0) < 1e-4
    assert float(shutdown @ longest) > float(shutdown @ comet) + 0.2


def test_matching_does_not_need_torch() -> None:
    import sys

    import server.embedding  # noqa: F401
    import server.matching  # noqa: F401

    assert "torch" not in sys.modules


def test_a_story_that_stands_clear_of_the_next_scores_higher() -> None:
    query = "Supreme Court upholds Texas abortion law in 5-4 ruling"
    scores = []
    for margin in (0.0, 0.7):  # without and with the lead over the second-best as evidence
        index = StoryIndex(embedder=None, margin=margin)
        index.add(1, "Supreme Court upholds Texas abortion law, 5-4", T0)
        index.add(2, "Hurricane season forecast to be busier than usual", T0)
        found = index.best(query, T0)
        assert found is not None and found.story_id == 1
        scores.append(found.score)
    assert scores[1] > scores[0], "no other story comes close: the answer is surer"


def test_a_story_counts_its_articles_token_weights_once_it_has_two() -> None:
    # a one-article story keeps no dict of its own: it is made from the article when needed
    index = StoryIndex(embedder=None, description_weight=0.3)
    first = ("Senate passes the budget bill", "Lawmakers voted late on Tuesday night.")
    second = ("Budget bill clears the Senate", "The vote was close, lawmakers said.")
    index.add(1, *first[:1], T0, description=first[1])
    story = index._stories[1]
    assert story.counts is None
    index.add(1, *second[:1], T0, description=second[1])
    expected: dict[str, float] = {}
    for title, description in (first, second):
        for token, weight in index._analyse(title, description).terms.items():
            expected[token] = expected.get(token, 0.0) + weight
    by_id = {tid: token for token, tid in index._vocab.items()}
    assert {by_id[tid]: weight for tid, weight in (story.counts or {}).items()} == expected
    assert all(index._sdf[index._vocab[token]] == 1 for token in expected)


def test_a_very_crowded_window_still_lets_an_article_join_its_story() -> None:
    # 3,000 other stories in the window: the bar to join rises only as far as was measured
    # (CLUSTER_CROWDING_MAX); unbounded, this other outlet's wording opened a story of its own.
    rng = random.Random(3)
    syllables = "ba be bi bo bu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no".split()

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(3))

    index = StoryIndex(embedder=None)
    ids = itertools.count(1)
    for k in range(3000):
        index.assign(
            " ".join(word() for _ in range(6)),
            T0 + timedelta(minutes=k),
            ids.__next__,
            description=" ".join(word() for _ in range(12)),
        )
    first, _ = index.assign(
        "Harbour bridge closed in Sydney after crane collapse injures four workers",
        T0 + timedelta(hours=30),
        ids.__next__,
        description="A construction crane fell onto the Sydney Harbour Bridge on Monday, "
        "injuring four workers and closing all lanes.",
    )
    second, joined = index.assign(
        "Sydney Harbour Bridge shut as falling crane hurts workers",
        T0 + timedelta(hours=31),
        ids.__next__,
        description="Emergency crews were called to the harbour crossing, police said.",
    )
    assert joined is not None and second == first


def test_limits_given_as_floats_read_the_same_postings() -> None:
    # the benches' --set passes floats; a token over max_postings is skipped all the same
    headlines = [f"Senate passes budget bill {word}" for word in "abcdefgh"]

    def run(**limits: float) -> list[tuple[int, float | None]]:
        index = StoryIndex(embedder=None, **limits)  # type: ignore[arg-type]
        ids = itertools.count(1)
        out = []
        for hour, title in enumerate(headlines):
            story, found = index.assign(title, T0 + timedelta(hours=hour), ids.__next__)
            out.append((story, None if found is None else found.score))
        return out

    assert run(max_postings=3.0, scan_budget=5.0) == run(max_postings=3, scan_budget=5)
