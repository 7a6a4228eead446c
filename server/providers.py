"""Provider ratings: what rating agencies say, imported beside our own ratings.

The displayed rating of an outlet is the maintainers' decision; a provider's view informs
it and is shown next to it, never in its place. Two public formats are read:

- **Media Bias/Fact Check** as its open-source browser extension distributes it (CSV with
  ``domain, name, url, bias, questionable, reporting, …``). MBFC's ``pro-science``,
  ``conspiracy-pseudoscience``, ``satire`` and ``fake-news`` are flags, not a lean: they
  are kept in ``raw`` and give no bias. ``mostly-factual`` sits between our ``high`` and
  ``mixed``; it maps to ``mixed`` so that a provider never flatters an outlet.
- **AllSides** ratings as scraped in 2019 (``news_source, rating, url, …``; matched by
  outlet name) and 2021 (``url, type, name, bias``; matched by the outlet's homepage).

An import replaces that provider's ratings for the outlets it names, all or nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Outlet, ProviderRating
from .urls import OutletResolver, URLError, canonicalize

MBFC_BIAS = {
    "left": "left",
    "left-center": "lean-left",
    "center": "center",
    "right-center": "lean-right",
    "right": "right",
}
MBFC_FLAGS = {"pro-science", "conspiracy-pseudoscience", "satire", "fake-news"}
MBFC_REPORTING = {
    "very-high": "very-high",
    "high": "high",
    "mostly-factual": "mixed",
    "mixed": "mixed",
    "low": "low",
    "very-low": "very-low",
}
ALLSIDES_BIAS = {
    "left": "left",
    "left-center": "lean-left",
    "lean left": "lean-left",
    "center": "center",
    "right-center": "lean-right",
    "lean right": "lean-right",
    "right": "right",
}
PROVIDERS = ("mbfc", "allsides")


class ProviderFormatError(ValueError):
    """A provider file that cannot be read; the message names the line."""


@dataclass(frozen=True)
class ProviderRecord:
    """One provider rating as read from a file, before it is matched to an outlet."""

    name: str
    site: str | None
    bias: str | None
    factuality: str | None
    source_url: str | None
    raw: dict[str, Any]


def _link(value: str | None) -> str | None:
    """Keep a source link only if it is an http(s) URL (it is rendered as a link)."""
    if value and value.lower().startswith(("https://", "http://")) and len(value) <= 2048:
        return value
    return None


def _rows(stream: TextIO, required: set[str]) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(stream)
    missing = required - set(reader.fieldnames or [])
    if missing:
        raise ProviderFormatError(f"header: missing column(s) {', '.join(sorted(missing))}")
    try:
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}
    except csv.Error as exc:
        raise ProviderFormatError(f"line {reader.line_num}: {exc}") from None


def read_mbfc(stream: TextIO) -> list[ProviderRecord]:
    """Read Media Bias/Fact Check ratings (the browser extension's CSV)."""
    records = []
    for line, row in _rows(stream, {"domain", "name", "bias", "reporting"}):
        bias = row["bias"].lower()
        if bias not in MBFC_BIAS and bias not in MBFC_FLAGS:
            raise ProviderFormatError(f"line {line}: unknown MBFC bias {row['bias']!r}")
        reporting = row["reporting"].lower()
        if reporting and reporting not in MBFC_REPORTING:
            raise ProviderFormatError(f"line {line}: unknown MBFC reporting {row['reporting']!r}")
        records.append(
            ProviderRecord(
                name=row["name"],
                site=row["domain"] or None,
                bias=MBFC_BIAS.get(bias),
                factuality=MBFC_REPORTING.get(reporting),
                source_url=_link(row.get("url")),
                raw={k: v for k, v in row.items() if v},
            )
        )
    return records


def read_allsides(stream: TextIO) -> list[ProviderRecord]:
    """Read AllSides ratings, in the 2019 (``news_source, rating``) or 2021 (``bias``) shape."""
    records = []
    text = stream.read()
    header = next(csv.reader(io.StringIO(text)), [])
    if "news_source" in header:
        rows = _rows(io.StringIO(text), {"news_source", "rating"})
        name_col, bias_col, site_col, source_col = "news_source", "rating", None, "url"
    else:
        rows = _rows(io.StringIO(text), {"url", "name", "bias"})
        name_col, bias_col, site_col, source_col = "name", "bias", "url", None
    for line, row in rows:
        label = row[bias_col].lower()
        if label in {"allsides", "mixed", "not rated", ""}:
            bias = None  # a balanced aggregator or an outlet AllSides did not place
        elif label in ALLSIDES_BIAS:
            bias = ALLSIDES_BIAS[label]
        else:
            raise ProviderFormatError(f"line {line}: unknown AllSides rating {row[bias_col]!r}")
        records.append(
            ProviderRecord(
                name=row[name_col],
                site=row[site_col] if site_col else None,
                bias=bias,
                factuality=None,
                source_url=_link(row.get(source_col)) if source_col else None,
                raw={k: v for k, v in row.items() if v and v != "NA"},
            )
        )
    return records


@dataclass
class ProviderImport:
    """What a provider import matched."""

    matched: dict[str, str] = field(default_factory=dict)  # outlet slug → provider's name
    unmatched: int = 0


def import_provider(
    session: Session, resolver: OutletResolver[str], provider: str, records: list[ProviderRecord]
) -> ProviderImport:
    """Match records to outlets and store them as this provider's ratings.

    A record with a site is matched by resolving that site like any URL; one without (the
    2019 AllSides file) by the outlet's exact name. When several records match one outlet,
    the first wins: providers list an outlet's main site first.
    """
    outlets = {o.slug: o for o in session.scalars(select(Outlet))}
    by_name = {o.name.casefold(): o.slug for o in outlets.values()}
    result = ProviderImport()
    chosen: dict[str, ProviderRecord] = {}
    for record in records:
        slug = None
        if record.site:
            try:
                slug = resolver.resolve(canonicalize(record.site))
            except URLError:
                slug = None
        else:
            slug = by_name.get(record.name.casefold())
        if slug is None:
            result.unmatched += 1
        elif slug not in chosen:
            chosen[slug] = record
    existing = {
        (r.outlet_id, r.provider): r
        for r in session.scalars(select(ProviderRating).where(ProviderRating.provider == provider))
    }
    for slug, record in chosen.items():
        outlet = outlets[slug]
        rating = existing.get((outlet.id, provider))
        if rating is None:
            rating = ProviderRating(outlet_id=outlet.id, provider=provider)
            session.add(rating)
        rating.bias = record.bias
        rating.factuality = record.factuality
        rating.source_url = record.source_url
        rating.raw = record.raw
        result.matched[slug] = record.name
    session.flush()
    return result
