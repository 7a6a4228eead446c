"""Who covered a story: bias, factuality and ownership splits, the blindspot, first reported.

Everything here counts distinct outlets, not articles: an outlet that runs five updates of a
story is one voice, and counting articles would let one prolific outlet tilt the split.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .ratings import BIAS_LABELS, FACTUALITY_LABELS, OWNERSHIP, SIDES, side_of


@dataclass(frozen=True)
class CoverageItem:
    """One article of a story, with its outlet's rating when the outlet is rated."""

    url: str
    title: str
    published_at: datetime | None
    domain: str
    outlet_slug: str | None = None
    outlet_name: str | None = None
    bias: str | None = None
    factuality: str | None = None
    ownership: str | None = None
    country: str | None = None
    description: str | None = None
    demo: bool = False

    @property
    def source_key(self) -> str:
        """Return what identifies the voice: the outlet slug, or the bare domain if unrated."""
        return self.outlet_slug or self.domain


@dataclass(frozen=True)
class BlindspotRule:
    """When a story is a blindspot for one side.

    A story is a blindspot for a side when at least ``min_rated_outlets`` rated outlets covered
    it, the *other* side holds at least ``dominant_share`` of them and this side at most
    ``max_other_share``. Center outlets count in the total, so a story covered mostly by center
    outlets is never a blindspot: neither side dominates it, and calling it one would flag every
    wire story that partisan outlets skip. Both thresholds are inclusive.
    """

    min_rated_outlets: int = 3
    dominant_share: float = 0.70
    max_other_share: float = 0.10


def _outlets(items: Iterable[CoverageItem]) -> dict[str, CoverageItem]:
    """Return one item per distinct outlet (or unrated domain), the first seen."""
    seen: dict[str, CoverageItem] = {}
    for item in items:
        seen.setdefault(item.source_key, item)
    return seen


def bias_split(items: Iterable[CoverageItem]) -> dict[str, Any]:
    """Count distinct outlets per side and per 7-point label; unrated outlets apart.

    Percentages are of the rated outlets only, rounded to one decimal; with no rated outlet
    they are all 0.0.
    """
    breakdown = dict.fromkeys(BIAS_LABELS, 0)
    sides = dict.fromkeys(SIDES, 0)
    unrated = 0
    for item in _outlets(items).values():
        side = side_of(item.bias) if item.bias in breakdown else None
        if item.bias is None or side is None:
            unrated += 1
            continue
        breakdown[item.bias] += 1
        sides[side] += 1
    rated = sum(sides.values())
    percent = {side: round(100.0 * n / rated, 1) if rated else 0.0 for side, n in sides.items()}
    return {**sides, "rated": rated, "unrated": unrated, "percent": percent, "breakdown": breakdown}


def blindspot(split: dict[str, Any], rule: BlindspotRule | None = None) -> str | None:
    """Return the side that ignores the story ("left" or "right") under the rule, or None."""
    rule = rule or BlindspotRule()
    rated = split["rated"]
    if rated < rule.min_rated_outlets or rated == 0:
        return None
    left, right = split["left"] / rated, split["right"] / rated
    # A small epsilon keeps "exactly 70%" and "exactly 10%" inclusive despite float division.
    eps = 1e-9
    if left >= rule.dominant_share - eps and right <= rule.max_other_share + eps:
        return "right"
    if right >= rule.dominant_share - eps and left <= rule.max_other_share + eps:
        return "left"
    return None


def factuality_split(items: Iterable[CoverageItem]) -> dict[str, int]:
    """Count distinct rated outlets per factuality level, best first."""
    counts = dict.fromkeys(FACTUALITY_LABELS, 0)
    for item in _outlets(items).values():
        if item.factuality in counts:
            counts[item.factuality] += 1
    return counts


def ownership_split(items: Iterable[CoverageItem]) -> dict[str, int]:
    """Count distinct rated outlets per kind of owner."""
    counts = dict.fromkeys(OWNERSHIP, 0)
    for item in _outlets(items).values():
        if item.ownership in counts:
            counts[item.ownership] += 1
    return counts


def _sort_key(item: CoverageItem) -> tuple[datetime, str]:
    published = item.published_at
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return (published or datetime.max.replace(tzinfo=UTC), item.url)


def first_reported(items: Iterable[CoverageItem]) -> CoverageItem | None:
    """Return the earliest published article (ties broken by URL); undated ones come last."""
    dated = [item for item in items if item.published_at is not None]
    if not dated:
        return None
    return min(dated, key=_sort_key)


def iso_utc(value: datetime | None) -> str | None:
    """Return a time as ISO 8601 in UTC to the second (``2026-11-29T08:00:00Z``)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def item_json(item: CoverageItem) -> dict[str, Any]:
    """Return an article as the lookup answer shows it."""
    outlet = None
    if item.outlet_slug is not None:
        outlet = {
            "slug": item.outlet_slug,
            "name": item.outlet_name,
            "bias": item.bias,
            "side": side_of(item.bias) if item.bias in BIAS_LABELS else None,
            "factuality": item.factuality,
            "country": item.country,
        }
    return {
        "url": item.url,
        "title": item.title,
        "published_at": iso_utc(item.published_at),
        "domain": item.domain,
        "outlet": outlet,
        "demo": item.demo,
    }


def country_split(items: Iterable[CoverageItem]) -> dict[str, Any]:
    """Count distinct outlets per country and name the one most sources are out of.

    ``mostly`` is the country holding at least half of the outlets whose country is known,
    when at least two are known: one outlet is not "mostly" anything.
    """
    counts = Counter(item.country for item in _outlets(items).values() if item.country is not None)
    known = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    mostly = None
    if known >= 2 and ranked and 2 * ranked[0][1] >= known:
        mostly = ranked[0][0]
    return {"counts": dict(ranked), "mostly": mostly}


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“‘])")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words too common to make two sentences alike.
_COMMON = frozenset(
    "a an and are as at be been but by for from had has have he her his in into is it its "
    "of on or over said says she that the their they this to was were which who will with "
    "after about than also more new not".split()
)
KEY_POINT_SIMILAR = 0.5  # word overlap (Jaccard) at which two sentences say the same thing
# A point overlapping one already picked this much adds too little: on the demo's Fed story,
# "The Fed lowered its benchmark rate to 3.25%-3.5%." and "The Federal Reserve cut its
# benchmark rate by a quarter point to 3.25%-3.5%." share 0.42 of their words.
KEY_POINT_DISTINCT = 0.35


def _words(sentence: str) -> frozenset[str]:
    return frozenset(
        w for w in (m.group(0).casefold() for m in _WORD.finditer(sentence)) if w not in _COMMON
    )


def _similar(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def key_points(items: Sequence[CoverageItem], limit: int = 5) -> list[dict[str, Any]]:
    """Pick up to ``limit`` sentences of the articles' descriptions that sum the story up.

    Extractive only: every point is a sentence an outlet wrote, shown with the outlets whose
    descriptions say the same (word overlap of at least ``KEY_POINT_SIMILAR``); nothing is
    generated. A sentence ranks by how many distinct outlets carry it or something like it,
    then by how much it shares with the other sentences (the story's centre of gravity), then
    by being earlier. A point too like one already picked is skipped, so each says something
    new (less than ``KEY_POINT_DISTINCT`` overlap). Sentences shorter than four words are
    captions, not points.
    """
    sentences: list[tuple[str, frozenset[str], str, int]] = []  # text, words, source, order
    seen: set[tuple[str, str]] = set()
    for item in items:
        if not item.description:
            continue
        for raw in _SENTENCE_END.split(item.description.strip()):
            text = " ".join(raw.split())
            words = _words(text)
            # The same sentence from another outlet stays: it is one more carrier.
            if len(words) < 4 or (item.source_key, text.casefold()) in seen:
                continue
            seen.add((item.source_key, text.casefold()))
            sentences.append((text, words, item.source_key, len(sentences)))
    names = {item.source_key: item.outlet_name or item.domain for item in items}
    scored = []
    for text, words, source, order in sentences:
        carriers = {source}
        centrality = 0.0
        for _, other, other_source, _ in sentences:
            if other is words:
                continue
            similarity = _similar(words, other)
            centrality += similarity
            if similarity >= KEY_POINT_SIMILAR:
                carriers.add(other_source)
        scored.append((-len(carriers), -centrality, order, text, words, carriers))
    scored.sort(key=lambda row: row[:3])
    picked: list[dict[str, Any]] = []
    picked_words: list[frozenset[str]] = []
    for _, _, _, text, words, carriers in scored:
        if any(_similar(words, other) >= KEY_POINT_DISTINCT for other in picked_words):
            continue
        picked_words.append(words)
        ordered = [key for key in names if key in carriers]
        picked.append({"text": text, "outlets": [names[key] for key in ordered]})
        if len(picked) >= limit:
            break
    return picked


def summarize(items: Sequence[CoverageItem], rule: BlindspotRule | None = None) -> dict[str, Any]:
    """Return the coverage part of a story answer: splits, blindspot and first reported."""
    split = bias_split(items)
    first = first_reported(items)
    return {
        "bias_split": split,
        "blindspot": blindspot(split, rule),
        "factuality_split": factuality_split(items),
        "ownership_split": ownership_split(items),
        "first_reported": item_json(first) if first is not None else None,
        "countries": country_split(items),
        "demo": any(item.demo for item in items),
    }


def lean_sentence(split: dict[str, Any]) -> str | None:
    """Say which side most rated sources are on ("62% of the sources lean left").

    None for fewer than two rated sources: one outlet is not a share of anything.
    """
    rated = split["rated"]
    if rated < 2:
        return None
    side = max(SIDES, key=lambda s: (split[s], s == "center"))
    share = round(100 * split[side] / rated)
    if side == "center":
        return f"{share}% of the sources are center"
    return f"{share}% of the sources lean {side}"
