"""The outlet file format: records, their validation, comparison and the CSV itself (pure).

``data/outlets.csv`` is the project's curated ratings, one outlet a row. Every row is
validated before anything is written, and each problem names its row and column so a
person can fix the file without guessing. :func:`diff` says field by field what a record
would change; :func:`merge_feeds` is the rule that an import only ever adds feeds.
Nothing here touches the database: :mod:`server.outlets` writes what this reads.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TextIO

from . import ratings
from .urls import URLError, parse_rule

# The fields of an outlet row itself, and all the fields an import compares to decide
# whether curated data would change.
SCALAR_FIELDS: tuple[str, ...] = (
    "name",
    "homepage",
    "country",
    "language",
    "bias",
    "factuality",
    "ownership",
    "owner",
    "paywall",
    "basis",
    "confidence",
    "reviewed",
)
RATED_FIELDS: tuple[str, ...] = (*SCALAR_FIELDS, "rules", "feeds")
# The CSV columns, in order: rules are written as ``domains``.
COLUMNS: tuple[str, ...] = ("slug", "name", "domains", *SCALAR_FIELDS[1:], "feeds")
MAX_PROBLEMS = 50
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n", ""}


class OutletDataError(ValueError):
    """Outlet data that cannot be taken; ``problems`` names each row and column at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n… and {more} more" if more > 0 else "")
        super().__init__(text)


@dataclass
class OutletRecord:
    """One validated outlet, as a CSV row or an API body describes it."""

    slug: str
    name: str
    rules: list[str]
    homepage: str | None = None
    country: str | None = None
    language: str | None = None
    bias: str | None = None
    factuality: str | None = None
    ownership: str | None = None
    owner: str | None = None
    paywall: bool = False
    basis: str | None = None
    confidence: str | None = None
    reviewed: date | None = None
    feeds: list[str] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        """Return the rated fields as plain JSON-able values, for comparison and audit."""
        return {
            "name": self.name,
            "homepage": self.homepage,
            "country": self.country,
            "language": self.language,
            "bias": self.bias,
            "factuality": self.factuality,
            "ownership": self.ownership,
            "owner": self.owner,
            "paywall": self.paywall,
            "basis": self.basis,
            "confidence": self.confidence,
            "reviewed": self.reviewed.isoformat() if self.reviewed else None,
            "rules": list(self.rules),
            "feeds": list(self.feeds),
        }


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _http_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/?#]+[^\s]*$", value)) and len(value) <= 2048


def validate_record(
    data: Mapping[str, object], where: str
) -> tuple[OutletRecord | None, list[str]]:
    """Validate one outlet given as strings; return the record or the problems found.

    ``where`` prefixes each problem (``"row 12"``) so a person can find it. Columns are
    named as in the CSV header.
    """
    problems: list[str] = []

    def bad(column: str, message: str) -> None:
        problems.append(f"{where}, column {column}: {message}")

    def choice(column: str, allowed: Iterable[str]) -> str | None:
        value = _text(data.get(column)).lower()
        if not value:
            return None
        allowed = tuple(allowed)
        if value not in allowed:
            bad(column, f"unknown label {value!r} (expected one of: {', '.join(allowed)})")
            return None
        return value

    slug = _text(data.get("slug")).lower()
    if not _SLUG.match(slug):
        bad("slug", f"{slug!r} is not a slug (lower-case letters, digits and hyphens)")
    name = _text(data.get("name"))
    if not name or len(name) > 200:
        bad("name", "a name of 1 to 200 characters is required")

    rules: list[str] = []
    domains = data.get("domains")
    words = domains if isinstance(domains, list) else _text(domains).split()
    for word in words:
        try:
            host, path = parse_rule(str(word))
        except URLError as exc:
            bad("domains", f"{word!r}: {exc}")
            continue
        rules.append(host + path)
    if not words:
        bad("domains", "at least one domain (or domain/path) is required")
    if len(set(rules)) != len(rules):
        bad("domains", "a domain is listed twice")

    homepage = _text(data.get("homepage")) or None
    if homepage and not _http_url(homepage):
        bad("homepage", f"{homepage!r} is not an http(s) URL")
    country = _text(data.get("country")).upper() or None
    if country and not _COUNTRY.match(country):
        bad("country", f"{country!r} is not an ISO 3166-1 alpha-2 code such as GB")
    language = _text(data.get("language")).lower() or None
    if language and not _LANGUAGE.match(language):
        bad("language", f"{language!r} is not an ISO 639-1 code such as en")

    bias = choice("bias", ratings.BIAS_LABELS)
    factuality = choice("factuality", ratings.FACTUALITY_LABELS)
    ownership = choice("ownership", ratings.OWNERSHIP)
    confidence = choice("confidence", ratings.CONFIDENCE)
    owner = _text(data.get("owner")) or None
    if owner and len(owner) > 200:
        bad("owner", "at most 200 characters")

    raw_paywall = data.get("paywall")
    paywall = False
    if isinstance(raw_paywall, bool):
        paywall = raw_paywall
    elif _text(raw_paywall).lower() in _TRUE:
        paywall = True
    elif _text(raw_paywall).lower() not in _FALSE:
        bad("paywall", f"{raw_paywall!r} is not yes or no")

    reviewed = None
    if raw_reviewed := _text(data.get("reviewed")):
        try:
            reviewed = date.fromisoformat(raw_reviewed)
        except ValueError:
            bad("reviewed", f"{raw_reviewed!r} is not a date such as 2026-11-29")

    raw_feeds = data.get("feeds")
    feeds = raw_feeds if isinstance(raw_feeds, list) else _text(raw_feeds).split()
    for feed in feeds:
        if not _http_url(str(feed)):
            bad("feeds", f"{feed!r} is not an http(s) URL")

    if problems:
        return None, problems
    return (
        OutletRecord(
            slug=slug,
            name=name,
            rules=rules,
            homepage=homepage,
            country=country,
            language=language,
            bias=bias,
            factuality=factuality,
            ownership=ownership,
            owner=owner,
            paywall=paywall,
            basis=_text(data.get("basis")) or None,
            confidence=confidence,
            reviewed=reviewed,
            feeds=[str(f) for f in feeds],
        ),
        [],
    )


def read_csv(stream: TextIO) -> list[OutletRecord]:
    """Read and validate every row of an outlet CSV; raise :class:`OutletDataError`."""
    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    missing = [c for c in ("slug", "name", "domains") if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        problems = [f"header: missing column {c}" for c in missing]
        problems += [f"header: unknown column {c} (columns: {', '.join(COLUMNS)})" for c in unknown]
        raise OutletDataError(problems)
    records: list[OutletRecord] = []
    problems = []
    seen_slugs: dict[str, int] = {}
    seen_rules: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                problems.append(f"row {line}: more fields than the header has columns")
                continue
            record, row_problems = validate_record(row, f"row {line}")
            problems += row_problems
            if record is None:
                continue
            if record.slug in seen_slugs:
                problems.append(
                    f"row {line}, column slug: {record.slug!r} is already used on row "
                    f"{seen_slugs[record.slug]}"
                )
            seen_slugs.setdefault(record.slug, line)
            for rule in record.rules:
                if rule in seen_rules:
                    problems.append(
                        f"row {line}, column domains: {rule!r} is already claimed on row "
                        f"{seen_rules[rule]}"
                    )
                seen_rules.setdefault(rule, line)
            records.append(record)
    except (csv.Error, UnicodeDecodeError) as exc:
        problems.append(f"row {reader.line_num}: not readable as CSV ({exc})")
    if problems:
        raise OutletDataError(problems)
    return records


def diff(old: OutletRecord | None, new: OutletRecord) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for every rated field that differs."""
    before = old.values() if old else dict.fromkeys(RATED_FIELDS)
    after = new.values()
    return {k: [before[k], after[k]] for k in RATED_FIELDS if before[k] != after[k]}


def merge_feeds(
    stored: list[str], listed: list[str], moves: Mapping[str, str]
) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """Return the feeds an import leaves an outlet with, the moves followed, the feeds kept.

    Every stored feed stays; a listed URL that is not stored but moved (perhaps several
    times) to a stored feed is that feed; any other listed URL is added. ``kept`` are the
    stored feeds the file does not list.
    """
    feeds = list(stored)
    followed: list[tuple[str, str]] = []
    named: set[str] = set()
    for url in listed:
        current, seen = url, {url}
        while url not in stored and current in moves and moves[current] not in seen:
            current = moves[current]
            seen.add(current)
        if current != url and current in stored:
            followed.append((url, current))
            url = current
        named.add(url)
        if url not in feeds:
            feeds.append(url)
    return feeds, followed, [url for url in stored if url not in named]


def write_csv(records: Iterable[OutletRecord], stream: TextIO) -> None:
    """Write records in the CSV format :func:`read_csv` reads."""
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        values = record.values()
        row = {k: values.get(k) or "" for k in COLUMNS}
        row.update(
            slug=record.slug,
            domains=" ".join(values["rules"]),
            feeds=" ".join(values["feeds"]),
            paywall="yes" if record.paywall else "no",
        )
        writer.writerow(row)


def read_csv_text(text: str) -> list[OutletRecord]:
    """Read outlet records from CSV text."""
    return read_csv(io.StringIO(text))
