"""Browsing the stories: top stories, blindspots, local news, search and outlet pages.

The public pages list stories in several ways; each list is a use case here, so the pages
only read their input and shape the answer. Every list is paged the same way
(:class:`Page`) and every story in a list carries its bias split, blindspot and demo mark
(:func:`summaries`: one query for the articles of a whole page of stories).

Searching goes through this worker's story index, never a scan of the story table: see
:func:`search_stories`. No list shows a story absorbed by a merge (``lookup.LIVE``): its
articles are listed under the story that absorbed it. The lists that need each story's
split to choose it (blindspots, local) look at the ``RECENT`` most recently active stories
only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .catalog import Catalog
from .countries import country_title, is_country_code
from .coverage import BlindspotRule, summarize
from .lookup import LIVE, BadInput, coverage_of, story_brief
from .matching import StoryIndex
from .models import Article, Outlet, ProviderRating, Story
from .ratings import BIAS_LABELS, SIDES

MAX_PAGE = 1000
RECENT = 500  # how many recently active stories the blindspot and local lists look through
TOP_DAYS = 7  # top stories: active within this many days of the newest story
MAX_QUERY = 200
MAX_RESULTS = 200  # stories a search lists at most: ten pages of the site's twenty


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, its number, how many pages and items there are."""

    items: list[dict[str, Any]]
    number: int
    pages: int
    total: int
    per_page: int

    @property
    def has_next(self) -> bool:
        """Return True when a later page exists."""
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        """Return True when an earlier page exists."""
        return self.number > 1


class PageNotFound(BadInput):
    """A page number past the end of a list."""


def parse_page(raw: str | None) -> int:
    """Return a page number from a query string (1 when absent); raise :class:`BadInput`."""
    if raw is None or raw == "":
        return 1
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadInput("page", f"the page must be a whole number from 1 to {MAX_PAGE}")
    return int(raw)


def parse_query(raw: str | None) -> str:
    """Return search words from a query string, trimmed; raise :class:`BadInput`."""
    text = " ".join((raw or "").split())
    if len(text) > MAX_QUERY:
        raise BadInput("q", f"the search is longer than {MAX_QUERY} characters")
    if any(ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise BadInput("q", "the search holds control characters; type words only")
    return text


def parse_country(raw: str) -> str:
    """Return a country code upper-cased; raise :class:`BadInput` unless it is two letters."""
    if not is_country_code(raw):
        raise BadInput("country", "a country is given by its two-letter code, such as GB")
    return raw.upper()


def _bounds(total: int, number: int, per_page: int) -> tuple[int, int]:
    """Return the page count and the offset of a page; raise when the page is past the end."""
    pages = max(1, math.ceil(total / per_page))
    if number > pages:
        raise PageNotFound("page", f"there is no page {number}: the last page is {pages}")
    return pages, (number - 1) * per_page


def paged(items: Sequence[dict[str, Any]], number: int, per_page: int) -> Page:
    """Return one page of a list already in memory."""
    pages, offset = _bounds(len(items), number, per_page)
    return Page(list(items[offset : offset + per_page]), number, pages, len(items), per_page)


def summaries(
    session: Session, stories: Sequence[Story], rule: BlindspotRule
) -> list[dict[str, Any]]:
    """Return each story's brief with its splits, blindspot and demo mark, in one query."""
    items = coverage_of(session, [story.id for story in stories])
    found = []
    for story in stories:
        brief = story_brief(story)
        brief.update(summarize(items.get(story.id, []), rule))
        found.append(brief)
    return found


def top_stories(session: Session, rule: BlindspotRule, number: int, per_page: int) -> Page:
    """Return the stories with the most sources among those active in the last ``TOP_DAYS``.

    The days count back from the newest story, not from the clock, so a server that stopped
    ingesting for a while still has top stories.
    """
    newest = session.scalar(select(func.max(Story.last_seen)).where(LIVE))
    if newest is None:
        return paged([], number, per_page)
    recent = (Story.last_seen >= newest - timedelta(days=TOP_DAYS)) & LIVE
    total = session.scalar(select(func.count()).select_from(Story).where(recent)) or 0
    pages, offset = _bounds(total, number, per_page)
    stories = session.scalars(
        select(Story)
        .where(recent)
        .order_by(Story.outlet_count.desc(), Story.last_seen.desc(), Story.id.desc())
        .offset(offset)
        .limit(per_page)
    ).all()
    return Page(summaries(session, stories, rule), number, pages, total, per_page)


def recent_stories(session: Session, rule: BlindspotRule, limit: int) -> list[dict[str, Any]]:
    """Return the most recently active stories with their splits and demo mark."""
    stories = session.scalars(
        select(Story).where(LIVE).order_by(Story.last_seen.desc(), Story.id.desc()).limit(limit)
    ).all()
    return summaries(session, stories, rule)


def _recent(session: Session, rule: BlindspotRule, min_outlets: int = 1) -> list[dict[str, Any]]:
    stories = session.scalars(
        select(Story)
        .where(Story.outlet_count >= min_outlets, LIVE)
        .order_by(Story.last_seen.desc(), Story.id.desc())
        .limit(RECENT)
    ).all()
    return summaries(session, stories, rule)


def blindspot_stories(
    session: Session, rule: BlindspotRule, side: str, number: int, per_page: int
) -> Page:
    """Return the recent stories that ``side`` ("left" or "right") is ignoring, newest first."""
    found = [
        brief
        for brief in _recent(session, rule, rule.min_rated_outlets)
        if brief["blindspot"] == side
    ]
    return paged(found, number, per_page)


def _local_to(brief: dict[str, Any]) -> set[str]:
    """Return the countries a story is local to: its first reporter's and its top one's."""
    countries = set()
    first = brief.get("first_reported") or {}
    if (first.get("outlet") or {}).get("country"):
        countries.add(first["outlet"]["country"])
    counts = brief["countries"]["counts"]
    if counts:
        top = max(counts.values())
        countries.update(code for code, n in counts.items() if n == top)
    return countries


def local_stories(
    session: Session, rule: BlindspotRule, country: str, number: int, per_page: int
) -> Page:
    """Return recent stories first reported from ``country`` or mostly covered from there."""
    found = [brief for brief in _recent(session, rule) if country in _local_to(brief)]
    return paged(found, number, per_page)


def local_countries(session: Session, rule: BlindspotRule) -> list[dict[str, Any]]:
    """Return the countries with local stories among the recent ones, the most stories first."""
    counts: dict[str, int] = defaultdict(int)
    for brief in _recent(session, rule):
        for code in _local_to(brief):
            counts[code] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], country_title(kv[0])))
    return [{"code": code, "name": country_title(code), "stories": n} for code, n in ranked]


def search_stories(
    index: StoryIndex,
    session: Session,
    rule: BlindspotRule,
    text: str,
    number: int,
    per_page: int,
) -> Page:
    """Return the stories the index finds for search words, the best first.

    :meth:`StoryIndex.candidates` ranks every story sharing a word with the query through
    its inverted index, the rarest words weighing most: first over all time, and when the
    words are too common across all time, around the newest story. At most
    :data:`MAX_RESULTS` are listed.
    """
    if not text:
        return paged([], number, per_page)
    ranked = [sid for sid, _ in index.candidates(text, None, limit=MAX_RESULTS)]
    if not ranked:
        newest = session.scalar(select(func.max(Story.last_seen)).where(LIVE))
        if newest is not None:  # words too common across all time: recent ones
            ranked = [sid for sid, _ in index.candidates(text, newest, limit=MAX_RESULTS)]
    pages, offset = _bounds(len(ranked), number, per_page)
    chosen = ranked[offset : offset + per_page]
    stories = {s.id: s for s in session.scalars(select(Story).where(Story.id.in_(chosen), LIVE))}
    in_order = [stories[sid] for sid in chosen if sid in stories]
    return Page(summaries(session, in_order, rule), number, pages, len(ranked), per_page)


def outlets(
    catalog: Catalog, text: str = "", bias: str = "", country: str = ""
) -> list[dict[str, Any]]:
    """Return the catalog's outlets whose name, slug or rules hold ``text``, by name.

    ``bias`` is a 7-point label or a side (left, center, right); ``country`` a code.
    """
    needle = text.casefold()
    found = []
    for outlet in catalog.outlets.values():
        if needle and not any(
            needle in value.casefold()
            for value in (outlet["name"], outlet["slug"], *outlet["rules"])
        ):
            continue
        if bias in BIAS_LABELS and outlet["bias"] != bias:
            continue
        if bias in SIDES and outlet["side"] != bias:
            continue
        if country and outlet["country"] != country:
            continue
        found.append(outlet)
    return sorted(found, key=lambda o: (o["name"].casefold(), o["slug"]))


def provider_ratings(session: Session, slug: str) -> list[ProviderRating]:
    """Return what the rating agencies say of an outlet, by agency."""
    return list(
        session.scalars(
            select(ProviderRating)
            .join(Outlet)
            .where(Outlet.slug == slug)
            .order_by(ProviderRating.provider)
        )
    )


def outlet_stories(
    session: Session, rule: BlindspotRule, slug: str, number: int, per_page: int
) -> Page:
    """Return the stories an outlet covered, the most recently active first."""
    covered = LIVE & Story.id.in_(
        select(Article.story_id)
        .join(Outlet, Article.outlet_id == Outlet.id)
        .where(Outlet.slug == slug)
    )
    total = session.scalar(select(func.count()).select_from(Story).where(covered)) or 0
    pages, offset = _bounds(total, number, per_page)
    stories = session.scalars(
        select(Story)
        .where(covered)
        .order_by(Story.last_seen.desc(), Story.id.desc())
        .offset(offset)
        .limit(per_page)
    ).all()
    return Page(summaries(session, stories, rule), number, pages, total, per_page)
