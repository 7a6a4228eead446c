"""Outlets as data: the CSV format, its validation, import, export and the catalog.

``data/outlets.csv`` is the project's curated ratings. An import is all-or-nothing: every
row is validated first, and any problem (an unknown label, a rule claimed twice, a change
to curated data that was not asked for) is reported with its row and column while nothing
is written. Changes that are written leave a :class:`~server.models.RatingChange`.

Feeds are the one list an import only ever adds to: a feed a maintainer added with
``parallax feeds add``, or whose URL ``parallax ingest feeds`` updated after a permanent
redirect, is kept when the file does not list it, and the import says so. A file that
still lists a feed's old address, from before such a redirect, is read as listing the new
one. Removing a feed is therefore never a side effect of an import: ``parallax feeds
remove`` does it, audited.

The :class:`Catalog` is an in-memory snapshot of every outlet and rule: lookups resolve
against it instead of querying the database, and a worker reloads it when the catalog
version stored in the database changes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import ratings
from .models import Feed, Outlet, OutletRule, RatingChange, Setting
from .urls import OutletResolver, URLError, parse_rule

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
FEED_MOVE_ACTOR = "parallax ingest feeds"
"""The audit actor of a feed URL updated after a permanent redirect; imports read these."""
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


def record_of(outlet: Outlet) -> OutletRecord:
    """Return the record that describes a stored outlet."""
    return OutletRecord(
        slug=outlet.slug,
        name=outlet.name,
        rules=[rule.text for rule in outlet.rules],
        homepage=outlet.homepage,
        country=outlet.country,
        language=outlet.language,
        bias=outlet.bias,
        factuality=outlet.factuality,
        ownership=outlet.ownership,
        owner=outlet.owner,
        paywall=outlet.paywall,
        basis=outlet.basis,
        confidence=outlet.confidence,
        reviewed=outlet.reviewed,
        feeds=[feed.url for feed in outlet.feeds],
    )


def diff(old: OutletRecord | None, new: OutletRecord) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for every rated field that differs."""
    before = old.values() if old else dict.fromkeys(RATED_FIELDS)
    after = new.values()
    return {k: [before[k], after[k]] for k in RATED_FIELDS if before[k] != after[k]}


def apply_record(session: Session, outlet: Outlet | None, record: OutletRecord) -> Outlet:
    """Write a record onto an outlet (a new one when ``outlet`` is None).

    Feeds are only added: a stored feed the record does not list stays, with its
    conditional-GET state (:func:`import_records` merges the stored feeds into the record).
    """
    if outlet is None:
        outlet = Outlet(slug=record.slug)
        session.add(outlet)
    for name in SCALAR_FIELDS:
        setattr(outlet, name, getattr(record, name))
    outlet.bias_score = ratings.bias_score(record.bias) if record.bias else None
    if [r.text for r in outlet.rules] != record.rules:
        outlet.rules.clear()
        session.flush()
        for text in record.rules:
            host, path = parse_rule(text)
            outlet.rules.append(OutletRule(host=host, path=path))
    stored = {f.url for f in outlet.feeds}
    for url in record.feeds:
        if url not in stored:
            outlet.feeds.append(Feed(url=url))
    return outlet


def feed_moves(session: Session) -> dict[str, str]:
    """Return ``{old URL: new URL}`` for every feed moved after a permanent redirect.

    Read from the audit trail that :mod:`server.ingest` leaves when it updates a feed's URL,
    so no table has to remember old addresses.
    """
    moves: dict[str, str] = {}
    audited = session.scalars(
        select(RatingChange).where(RatingChange.actor == FEED_MOVE_ACTOR).order_by(RatingChange.id)
    )
    for change in audited:
        match (change.changes or {}).get("feeds"):
            case [list() as before, list() as after]:
                gone = [url for url in before if url not in after]
                new = [url for url in after if url not in before]
                if len(gone) == 1 and len(new) == 1:
                    moves[str(gone[0])] = str(new[0])
    return moves


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


@dataclass
class ImportResult:
    """What an import did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_feeds: list[tuple[str, str]] = field(default_factory=list)
    """``(slug, url)`` of stored feeds the file does not list, kept."""
    moved_feeds: list[tuple[str, str, str]] = field(default_factory=list)
    """``(slug, listed url, stored url)`` of listed feeds that have moved since."""


def import_records(
    session: Session,
    records: list[OutletRecord],
    *,
    actor: str,
    reason: str,
    update: bool = False,
) -> ImportResult:
    """Create or update outlets from validated records, all or nothing.

    Curated data is never silently overwritten: an outlet that exists with other values
    is a problem unless ``update`` is true, and then each change is audited. Outlets not
    in ``records`` are left alone, and so are stored feeds a record does not list (see
    :func:`merge_feeds`); they are named in the result. Raises :class:`OutletDataError`
    (nothing is flushed to the caller's transaction in that case; the caller rolls back).
    """
    existing = {
        o.slug: o
        for o in session.scalars(
            select(Outlet).options(selectinload(Outlet.rules), selectinload(Outlet.feeds))
        )
    }
    owner_of_rule = {rule.text: slug for slug, o in existing.items() for rule in o.rules}
    owner_of_feed = {feed.url: slug for slug, o in existing.items() for feed in o.feeds}
    listed_for: dict[str, str] = {}
    moves = feed_moves(session)
    incoming = {r.slug for r in records}
    problems: list[str] = []
    plan: list[tuple[Outlet | None, OutletRecord, dict[str, list[Any]]]] = []
    result = ImportResult()
    for record in records:
        outlet = existing.get(record.slug)
        stored = record_of(outlet) if outlet else None
        feeds, followed, kept = merge_feeds(stored.feeds if stored else [], record.feeds, moves)
        record = replace(record, feeds=feeds)
        result.moved_feeds += [(record.slug, old, new) for old, new in followed]
        result.kept_feeds += [(record.slug, url) for url in kept]
        changes = diff(stored, record)
        for url in feeds:
            holder = owner_of_feed.get(url)
            if holder and holder != record.slug:
                problems.append(f"outlet {record.slug}: feed {url!r} already belongs to {holder}")
            elif listed_for.setdefault(url, record.slug) != record.slug:
                problems.append(
                    f"outlet {record.slug}: feed {url!r} is also listed for {listed_for[url]}"
                )
        for rule in record.rules:
            holder = owner_of_rule.get(rule)
            if holder and holder != record.slug and holder not in incoming:
                problems.append(f"outlet {record.slug}: {rule!r} already belongs to {holder}")
        if outlet is not None and changes and not update:
            shown = ", ".join(f"{k}: {v[0]!r} → {v[1]!r}" for k, v in list(changes.items())[:3])
            problems.append(
                f"outlet {record.slug} exists with other values ({shown}); "
                "pass --update to change curated data"
            )
        plan.append((outlet, record, changes))
    if problems:
        raise OutletDataError(problems)

    # Rules move between outlets only after every old owner has let go of them.
    for outlet, _record, changes in plan:
        if outlet is not None and "rules" in changes:
            outlet.rules.clear()
    session.flush()
    for outlet, record, changes in plan:
        if not changes:
            result.unchanged.append(record.slug)
            continue
        apply_record(session, outlet, record)
        session.add(
            RatingChange(outlet_slug=record.slug, actor=actor, changes=changes, reason=reason)
        )
        (result.updated if outlet else result.created).append(record.slug)
    session.flush()
    if result.created or result.updated:
        bump_catalog_version(session)
    return result


def write_csv(outlets: Iterable[Outlet], stream: TextIO) -> None:
    """Write outlets in the CSV format :func:`read_csv` reads."""
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for outlet in outlets:
        values = record_of(outlet).values()
        row = {k: values.get(k) or "" for k in COLUMNS}
        row.update(
            slug=outlet.slug,
            domains=" ".join(values["rules"]),
            feeds=" ".join(values["feeds"]),
            paywall="yes" if outlet.paywall else "no",
        )
        writer.writerow(row)


def all_outlets(session: Session) -> list[Outlet]:
    """Return every outlet with its rules and feeds, by slug."""
    return list(
        session.scalars(
            select(Outlet)
            .options(selectinload(Outlet.rules), selectinload(Outlet.feeds))
            .order_by(Outlet.slug)
        )
    )


def outlet_json(outlet: Outlet) -> dict[str, Any]:
    """Return an outlet as the API shows it."""
    return {
        "slug": outlet.slug,
        "name": outlet.name,
        "homepage": outlet.homepage,
        "country": outlet.country,
        "language": outlet.language,
        "bias": outlet.bias,
        "bias_score": outlet.bias_score,
        "side": ratings.side_of(outlet.bias),
        "factuality": outlet.factuality,
        "ownership": outlet.ownership,
        "owner": outlet.owner,
        "paywall": outlet.paywall,
        "basis": outlet.basis,
        "confidence": outlet.confidence,
        "reviewed": outlet.reviewed.isoformat() if outlet.reviewed else None,
        "version": outlet.version,
        "rules": [rule.text for rule in outlet.rules],
        "feeds": [feed.url for feed in outlet.feeds],
    }


# --- the catalog -------------------------------------------------------------------------

CATALOG_KEY = "catalog_version"


def catalog_version(session: Session) -> str:
    """Return the stored catalog version (changes whenever any outlet or rule does)."""
    setting = session.get(Setting, CATALOG_KEY)
    return setting.value if setting else "0"


def audit_feed_change(
    session: Session, outlet: Outlet, before: list[str], actor: str, reason: str
) -> None:
    """Record a change to an outlet's feeds, made since ``before``, and bump the catalog.

    Feeds are curated outlet data (the CSV lists them), so every change is audited like an
    import's; the catalog version moves because an outlet's answer lists its feeds."""
    after = [feed.url for feed in outlet.feeds]
    session.add(
        RatingChange(
            outlet_slug=outlet.slug, actor=actor, changes={"feeds": [before, after]}, reason=reason
        )
    )
    bump_catalog_version(session)


def bump_catalog_version(session: Session) -> None:
    """Give the catalog a new version so every worker reloads it."""
    setting = session.get(Setting, CATALOG_KEY)
    value = uuid.uuid4().hex
    if setting is None:
        session.add(Setting(key=CATALOG_KEY, value=value))
    else:
        setting.value = value


@dataclass(frozen=True)
class Catalog:
    """Every outlet and rule, in memory: what a lookup resolves against."""

    version: str
    resolver: OutletResolver[str]
    outlets: dict[str, dict[str, Any]]
    index: dict[str, Any]
    etag: str


def load_catalog(session: Session) -> Catalog:
    """Build the catalog from the database."""
    version = catalog_version(session)
    outlets = all_outlets(session)
    rules = [(rule.host, rule.path, outlet.slug) for outlet in outlets for rule in outlet.rules]
    index_body = {
        "outlets": {
            o.slug: {"name": o.name, "bias": o.bias, "factuality": o.factuality} for o in outlets
        },
        "rules": sorted([list(rule) for rule in rules]),
    }
    digest = hashlib.sha256(
        json.dumps(index_body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()[:32]
    return Catalog(
        version=version,
        resolver=OutletResolver(rules),
        outlets={o.slug: outlet_json(o) for o in outlets},
        index={"version": digest, **index_body},
        etag=digest,
    )


class CatalogCache:
    """Keep one catalog per process and reload it when the stored version changes.

    The version is checked at most every ``ttl`` seconds, so a change made by another
    process (an import, another worker) shows within that time.
    """

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._catalog: Catalog | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def fresh(self) -> Catalog | None:
        """Return the catalog if it was checked within ``ttl``: no database needed."""
        catalog = self._catalog
        if catalog is not None and time.monotonic() - self._checked < self.ttl:
            return catalog
        return None

    def get(self, session: Session) -> Catalog:
        """Return the current catalog, reloading it if it is stale."""
        if (catalog := self.fresh()) is not None:
            return catalog
        with self._lock:
            if (catalog := self.fresh()) is not None:  # another thread just reloaded it
                return catalog
            version = catalog_version(session)
            if self._catalog is None or self._catalog.version != version:
                self._catalog = load_catalog(session)
            self._checked = time.monotonic()
            return self._catalog


def dump_index(catalog: Catalog) -> bytes:
    """Return the compact index as JSON bytes (what ``GET outlets/index`` serves)."""
    return json.dumps(catalog.index, separators=(",", ":")).encode()


def read_csv_text(text: str) -> list[OutletRecord]:
    """Read outlet records from CSV text."""
    return read_csv(io.StringIO(text))
