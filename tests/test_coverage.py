"""Coverage of a story: distinct-outlet splits, unrated outlets, blindspot rule, first report."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from server.coverage import (
    BlindspotRule,
    CoverageItem,
    bias_split,
    blindspot,
    country_split,
    factuality_split,
    first_reported,
    key_points,
    lean_sentence,
    ownership_split,
    summarize,
)

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def item(
    slug: str | None,
    bias: str | None = None,
    *,
    hours: float | None = 0,
    url: str | None = None,
    domain: str | None = None,
    factuality: str | None = None,
    ownership: str | None = None,
) -> CoverageItem:
    """Return an article of outlet ``slug`` (None: an unrated site on ``domain``)."""
    domain = domain or f"{slug or 'unrated'}.example"
    return CoverageItem(
        url=url or f"https://{domain}/story-{hours}",
        title="Headline",
        published_at=None if hours is None else T0 + timedelta(hours=hours),
        domain=domain,
        outlet_slug=slug,
        outlet_name=None if slug is None else slug.title(),
        bias=bias,
        factuality=factuality,
        ownership=ownership,
    )


def split_of(left: int, center: int, right: int) -> dict[str, object]:
    """Return the split of a story covered by that many outlets per side."""
    items = (
        [item(f"l{i}", "left") for i in range(left)]
        + [item(f"c{i}", "center") for i in range(center)]
        + [item(f"r{i}", "right") for i in range(right)]
    )
    return bias_split(items)


def test_bias_split_counts_distinct_outlets_not_articles() -> None:
    items = [item("guardian", "lean-left", hours=h) for h in range(5)] + [item("fox", "right")]
    split = bias_split(items)
    assert (split["left"], split["center"], split["right"]) == (1, 0, 1)
    assert split["rated"] == 2
    assert split["breakdown"]["lean-left"] == 1 and split["breakdown"]["right"] == 1
    assert split["percent"] == {"left": 50.0, "center": 0.0, "right": 50.0}


def test_breakdown_has_all_seven_labels() -> None:
    split = bias_split([item("bbc", "center")])
    assert list(split["breakdown"]) == [
        "far-left",
        "left",
        "lean-left",
        "center",
        "lean-right",
        "right",
        "far-right",
    ]


def test_unrated_outlets_counted_apart_by_domain_and_left_out_of_percentages() -> None:
    items = [
        item("bbc", "center"),
        item("npr", "lean-left"),
        item(None, domain="blog.example", hours=1),
        item(None, domain="blog.example", hours=2),  # same domain: one voice
        item(None, domain="other.example"),
    ]
    split = bias_split(items)
    assert split["unrated"] == 2
    assert split["rated"] == 2
    assert split["percent"] == {"left": 50.0, "center": 50.0, "right": 0.0}


def test_percentages_round_to_one_decimal() -> None:
    assert split_of(1, 1, 1)["percent"] == {"left": 33.3, "center": 33.3, "right": 33.3}


def test_no_rated_outlet_gives_zero_percentages() -> None:
    split = bias_split([item(None)])
    assert split["percent"] == {"left": 0.0, "center": 0.0, "right": 0.0}
    assert blindspot(split) is None


@pytest.mark.parametrize(
    ("left", "center", "right", "expected"),
    [
        (7, 2, 1, "right"),  # left exactly 70 %, right exactly 10 %: inclusive
        (1, 2, 7, "left"),
        (6, 3, 1, None),  # left at 60 % does not dominate
        (7, 1, 2, None),  # right at 20 % is present
        (3, 0, 0, "right"),  # exactly the minimum of three rated outlets
        (2, 0, 0, None),  # too few rated outlets to call it
        (0, 10, 0, None),  # center-only coverage is no blindspot
        (1, 9, 0, None),  # center-heavy: neither side dominates
        (0, 0, 0, None),
    ],
)
def test_blindspot_rule_edges(left: int, center: int, right: int, expected: str | None) -> None:
    assert blindspot(split_of(left, center, right)) == expected


def test_blindspot_rule_is_configurable() -> None:
    rule = BlindspotRule(min_rated_outlets=5, dominant_share=0.6, max_other_share=0.2)
    assert blindspot(split_of(3, 0, 0), rule) is None
    assert blindspot(split_of(6, 2, 2), rule) == "right"


def test_unrated_outlets_do_not_count_towards_the_blindspot_minimum() -> None:
    items = [item("l1", "left"), item("l2", "left"), item(None, domain="a.example")]
    assert blindspot(bias_split(items)) is None


def test_factuality_and_ownership_splits_count_distinct_outlets() -> None:
    items = [
        item("bbc", "center", factuality="high", ownership="public", hours=1),
        item("bbc", "center", factuality="high", ownership="public", hours=2),
        item("fox", "right", factuality="mixed", ownership="corporate"),
        item(None),
    ]
    assert factuality_split(items) == {
        "very-high": 0,
        "high": 1,
        "mixed": 1,
        "low": 0,
        "very-low": 0,
    }
    ownership = ownership_split(items)
    assert ownership["public"] == 1 and ownership["corporate"] == 1
    assert sum(ownership.values()) == 2


def test_first_reported_is_the_earliest_published_with_ties_by_url() -> None:
    items = [
        item("b", "center", hours=2, url="https://b.example/1"),
        item("z", "center", hours=1, url="https://z.example/1"),
        item("a", "center", hours=1, url="https://a.example/1"),
        item("u", "center", hours=None, url="https://0.example/undated"),
    ]
    first = first_reported(items)
    assert first is not None and first.url == "https://a.example/1"


def test_first_reported_of_undated_articles_is_none() -> None:
    assert first_reported([item("a", hours=None)]) is None


def test_summarize_has_the_story_answer_shape() -> None:
    items = [
        item("guardian", "lean-left", hours=3, factuality="high", ownership="nonprofit"),
        item("mother", "left", hours=1, factuality="mixed", ownership="nonprofit"),
        item("nation", "far-left", hours=2, factuality="mixed", ownership="private"),
        item(None, domain="blog.example", hours=0),
    ]
    answer = summarize(items)
    assert set(answer) == {
        "bias_split",
        "blindspot",
        "factuality_split",
        "ownership_split",
        "first_reported",
        "countries",
        "demo",
    }
    assert answer["blindspot"] == "right" and answer["demo"] is False
    assert answer["bias_split"]["left"] == 3 and answer["bias_split"]["unrated"] == 1
    first = answer["first_reported"]
    assert first["domain"] == "blog.example" and first["outlet"] is None
    assert first["published_at"] == "2026-11-28T09:00:00Z"


def test_summarize_shows_a_rated_first_report_with_its_outlet() -> None:
    answer = summarize([item("bbc", "center", factuality="high", hours=0)])
    assert answer["first_reported"]["outlet"] == {
        "slug": "bbc",
        "name": "Bbc",
        "bias": "center",
        "side": "center",
        "factuality": "high",
        "country": None,
    }
    assert answer["blindspot"] is None


# --- countries, the lean sentence and key points -------------------------------------------


def told(slug: str, description: str | None, country: str | None = None) -> CoverageItem:
    """Return an article of ``slug`` with a description and its outlet's country."""
    return replace(item(slug, "center"), description=description, country=country)


def test_sources_are_mostly_out_of_the_country_holding_half_of_them() -> None:
    items = [told("a", None, "GB"), told("b", None, "GB"), told("c", None, "US")]
    assert country_split(items) == {"counts": {"GB": 2, "US": 1}, "mostly": "GB"}


@pytest.mark.parametrize(
    ("countries", "mostly"),
    [
        (["GB"], None),  # one outlet is not "mostly" anything
        (["GB", "US", "FR"], None),  # nobody holds half
        (["GB", "US"], "GB"),  # a tie of two: the first by code holds half
        ([None, None], None),  # countries unknown
    ],
)
def test_mostly_needs_two_known_outlets_and_half_of_them(
    countries: list[str | None], mostly: str | None
) -> None:
    items = [told(f"o{i}", None, code) for i, code in enumerate(countries)]
    assert country_split(items)["mostly"] == mostly


@pytest.mark.parametrize(
    ("left", "center", "right", "sentence"),
    [
        (5, 2, 1, "62% of the sources lean left"),
        (1, 1, 2, "50% of the sources lean right"),
        (1, 3, 1, "60% of the sources are center"),
        (1, 0, 0, None),  # one source: no share to speak of
        (0, 0, 0, None),
    ],
)
def test_lean_sentence_names_the_biggest_side(
    left: int, center: int, right: int, sentence: str | None
) -> None:
    assert lean_sentence(split_of(left, center, right)) == sentence


DESCRIPTIONS = {
    "ap": "The Fed cut its key rate by a quarter point to 3.5 percent. Powell said cuts would slow",
    "fox": "The Fed cut its key rate by a quarter point to 3.5 percent on Wednesday. Stocks fell.",
    "cnn": "Powell said further cuts would slow next year. Mortgage rates barely moved.",
    "bbc": "Stocks fell after the decision.",
}


def test_key_points_are_sentences_of_the_descriptions_with_the_outlets_that_carry_them() -> None:
    items = [told(slug, text) for slug, text in DESCRIPTIONS.items()]
    points = key_points(items)
    texts = [p["text"] for p in points]
    # The sentence two outlets carry comes first, credited to both; its near copy is not
    # repeated; every point is a sentence one of them wrote.
    assert texts[0] == "The Fed cut its key rate by a quarter point to 3.5 percent."
    assert points[0]["outlets"] == ["Ap", "Fox"]
    assert not any("on Wednesday" in text for text in texts)
    written = {s.strip() for text in DESCRIPTIONS.values() for s in text.split(". ")}
    assert all(p["text"].rstrip(".") in {w.rstrip(".") for w in written} for p in points)
    assert "Stocks fell." not in texts  # too short to be a point
    assert 3 <= len(points) <= 5


def test_a_sentence_several_outlets_wrote_word_for_word_leads_with_all_of_them() -> None:
    same = "An inspector general found FEMA paid 480 million dollars twice."
    items = [
        told("fox", f"{same} Auditors blamed old software."),
        told("upi", f"{same} FEMA said it fixed the software."),
        told("newsmax", same),
        told("wire", "Auditors blamed old software and weak checks."),
    ]
    points = key_points(items)
    assert points[0] == {"text": same, "outlets": ["Fox", "Upi", "Newsmax"]}
    assert [p["text"] for p in points].count(same) == 1


def test_key_points_of_a_story_without_descriptions_are_none() -> None:
    assert key_points([told("ap", None), told("bbc", "")]) == []


def test_key_points_keep_hostile_text_as_text() -> None:
    hostile = "<script>alert(1)</script> was found in the council's own minutes today."
    assert key_points([told("ap", hostile)])[0]["text"] == hostile
