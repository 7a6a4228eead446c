"""Changing outlets: imports, feed changes and their audit trail, the one place these rules live.

An import is all-or-nothing: records are validated first (:mod:`server.outlet_csv`), then
every conflict (a rule or feed claimed by another outlet, a change to curated data that was
not asked for) is reported while nothing is written. Each change that is written leaves a
:class:`~server.models.RatingChange` and gives the catalog a new version, so every worker
reloads it.

Feeds are the one list an import only ever adds to: a feed a maintainer added with
``parallax feeds add``, or whose URL ``parallax ingest feeds`` updated after a permanent
redirect, is kept when the file does not list it, and the import says so. A file that
still lists a feed's old address, from before such a redirect, is read as listing the new
one. Removing a feed is therefore never a side effect of an import: :func:`remove_feed`
does it, audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from . import ratings
from .changelog import append_change
from .models import (
    CATALOG_VERSION,
    Article,
    Feed,
    Outlet,
    OutletRule,
    RatingChange,
    Setting,
    utcnow,
)
from .outlet_csv import (
    SCALAR_FIELDS,
    OutletDataError,
    OutletRecord,
    diff,
    merge_feeds,
)
from .stories import recount
from .urls import OutletResolver, URLError, canonicalize, parse_rule, registrable_domain

FEED_MOVE_ACTOR = "parallax ingest feeds"
"""The audit actor of a feed URL updated after a permanent redirect; imports read these."""
MAX_FEED_URL = 2048


class FeedChangeError(ValueError):
    """A feed change that cannot be made; the message says why in a sentence."""


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
    # A new version even when only rules or feeds changed: stale proposals and If-Match see it.
    outlet.updated_at = utcnow()
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
    diffs: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    """``{slug: {field: [before, after]}}`` of every outlet the import changes or creates."""


def import_records(
    session: Session,
    records: list[OutletRecord],
    *,
    actor: str,
    reason: str,
    update: bool = False,
    change_set: str | None = None,
    details: dict[str, Any] | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Create or update outlets from validated records, all or nothing.

    Curated data is never silently overwritten: an outlet that exists with other values
    is a problem unless ``update`` is true, and then each change is audited. Outlets not
    in ``records`` are left alone, and so are stored feeds a record does not list (see
    :func:`merge_feeds`); they are named in the result. Raises :class:`OutletDataError`
    (nothing is flushed to the caller's transaction in that case; the caller rolls back).
    ``change_set`` names the import in every row it writes, so it can be reverted whole;
    ``details`` (the file's SHA-256, …) is recorded with each row. ``dry_run`` checks and
    compares everything and writes nothing: the result says what would change.
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
    result.diffs = {record.slug: changes for _outlet, record, changes in plan if changes}
    if dry_run:
        for outlet, record, changes in plan:
            if not changes:
                result.unchanged.append(record.slug)
            else:
                (result.updated if outlet else result.created).append(record.slug)
        return result

    # Rules move between outlets only after every old owner has let go of them.
    moved = set().union(
        *(rule_hosts(o, r) for o, r, changes in plan if o is None or "rules" in changes)
    )
    for outlet, _record, changes in plan:
        if outlet is not None and "rules" in changes:
            outlet.rules.clear()
    session.flush()
    for outlet, record, changes in plan:
        if not changes:
            result.unchanged.append(record.slug)
            continue
        apply_record(session, outlet, record)
        append_change(
            session,
            outlet_slug=record.slug,
            actor=actor,
            changes=changes,
            reason=reason,
            change_set=change_set,
            details=details,
        )
        (result.updated if outlet else result.created).append(record.slug)
    session.flush()
    if moved:
        relink_articles(session, moved)
    if result.created or result.updated:
        bump_catalog_version(session)
    return result


def rule_hosts(outlet: Outlet | None, record: OutletRecord | None) -> set[str]:
    """Return the hosts an outlet's rules name before (``outlet``, as stored) and after
    (``record``) a change: the sites whose articles :func:`relink_articles` must look at."""
    before = {rule.host for rule in outlet.rules} if outlet is not None else set()
    return before | {parse_rule(text)[0] for text in (record.rules if record else [])}


def relink_articles(session: Session, hosts: Iterable[str]) -> int:
    """Give the stored articles of the sites of ``hosts`` the outlet the rules now name.

    Articles are linked to their outlet when stored; when an outlet is added, retired or
    restored, or its rules change, the articles already stored under those sites would keep
    the old link (or none: a restored outlet's articles stayed unrated). Call this after
    the rules are flushed, with the hosts of the rules before and after. An article no rule
    covers keeps its link (a feed's article may lie outside its outlet's rules); a retired
    outlet's articles lost theirs with it (``ON DELETE SET NULL``) and find the outlet that
    covers them now. The stories of the articles that moved get their outlet counts again.
    Returns how many articles moved.
    """
    domains = sorted({registrable_domain(host) for host in hosts})
    if not domains:
        return 0
    rules = session.execute(select(OutletRule.host, OutletRule.path, Outlet.id).join(Outlet))
    resolver: OutletResolver[int] = OutletResolver(list(rules))
    moves: dict[int | None, list[int]] = {}
    stories: set[int] = set()
    for chunk in range(0, len(domains), 100):
        rows = session.execute(
            select(Article.id, Article.url, Article.outlet_id, Article.story_id).where(
                Article.domain.in_(domains[chunk : chunk + 100])
            )
        )
        for article_id, url, linked, story_id in rows:
            try:
                outlet_id = resolver.resolve(canonicalize(url))
            except URLError:  # stored canonical; a URL that no longer parses keeps its link
                continue
            # None: no rule covers it; an article a feed brought keeps its feed's outlet
            if outlet_id is not None and outlet_id != linked:
                moves.setdefault(outlet_id, []).append(article_id)
                if story_id is not None:
                    stories.add(story_id)
    for outlet_id, ids in moves.items():
        for chunk in range(0, len(ids), 500):
            session.execute(
                update(Article)
                .where(Article.id.in_(ids[chunk : chunk + 500]))
                .values(outlet_id=outlet_id)
                .execution_options(synchronize_session=False)
            )
    recount(session, stories)
    return sum(len(ids) for ids in moves.values())


def audit_feed_change(
    session: Session, outlet: Outlet, before: list[str], actor: str, reason: str
) -> None:
    """Record a change to an outlet's feeds, made since ``before``, and bump the catalog.

    Feeds are curated outlet data (the CSV lists them), so every change is audited like an
    import's; the catalog version moves because an outlet's answer lists its feeds."""
    after = [feed.url for feed in outlet.feeds]
    append_change(
        session,
        outlet_slug=outlet.slug,
        actor=actor,
        changes={"feeds": [before, after]},
        reason=reason,
    )
    bump_catalog_version(session)


def bump_catalog_version(session: Session) -> None:
    """Give the catalog a new version so every worker reloads it."""
    setting = session.get(Setting, CATALOG_VERSION)
    value = uuid.uuid4().hex
    if setting is None:
        session.add(Setting(key=CATALOG_VERSION, value=value))
    else:
        setting.value = value


def add_feed(session: Session, slug: str, url: str, *, actor: str, reason: str) -> Outlet:
    """Add a feed URL to an outlet, audited; raise :class:`FeedChangeError` if it cannot be.

    An outlet import keeps the feed even when its file does not list it.
    """
    outlet = session.scalar(select(Outlet).where(Outlet.slug == slug))
    if outlet is None:
        raise FeedChangeError(f"no such outlet: {slug}")
    if not url.startswith(("http://", "https://")):
        raise FeedChangeError("the feed URL must start with http:// or https://")
    owner = session.scalar(select(Outlet.slug).join(Outlet.feeds).where(Feed.url == url))
    if owner is not None:
        raise FeedChangeError(f"{url} is already a feed of {owner}")
    before = [feed.url for feed in outlet.feeds]
    outlet.feeds.append(Feed(url=url))
    audit_feed_change(session, outlet, before, actor, reason)
    return outlet


def remove_feed(
    session: Session, url: str, *, only_of: str | None = None, actor: str, reason: str
) -> Outlet:
    """Remove a feed URL from its outlet, audited; the articles read from it stay.

    ``only_of`` refuses unless the feed is that outlet's. A later import of a file that
    still lists the feed adds it back only with ``update``, like any other change to
    curated data.
    """
    feed = session.scalar(select(Feed).where(Feed.url == url))
    if feed is None:
        moved = feed_moves(session).get(url)
        hint = f" (it moved permanently to {moved})" if moved else ""
        raise FeedChangeError(f"no such feed: {url}{hint}")
    outlet = feed.outlet
    if only_of is not None and outlet.slug != only_of:
        raise FeedChangeError(f"{url} is a feed of {outlet.slug}, not of {only_of}")
    before = [f.url for f in outlet.feeds]
    outlet.feeds.remove(feed)  # articles belong to outlets and stories, never to a feed
    audit_feed_change(session, outlet, before, actor, reason)
    return outlet


def move_feed(session: Session, feed_id: int, new_url: str) -> str | None:
    """Store a permanently moved feed's new URL, audited; return why not when it is kept.

    Feed URLs are unique: when the new URL is already stored, as a feed of this outlet or
    of another, the old URL is kept and the caller reports it, every run, until a
    maintainer removes one of the two.
    """
    moved = f"moved permanently to {new_url}"
    if len(new_url) > MAX_FEED_URL:
        return f"{moved}, longer than {MAX_FEED_URL} characters; kept the old URL"
    holder = session.scalar(select(Outlet.slug).join(Outlet.feeds).where(Feed.url == new_url))
    if holder is not None:
        return f"{moved}, already a feed of {holder}; kept the old URL"
    feed = session.get(Feed, feed_id)
    if feed is None:
        return f"{moved}, but the feed was removed during the run"
    outlet = feed.outlet
    before, old_url = [f.url for f in outlet.feeds], feed.url
    feed.url = new_url
    audit_feed_change(
        session,
        outlet,
        before,
        FEED_MOVE_ACTOR,
        f"the feed moved permanently: {old_url} redirects to {new_url}",
    )
    try:
        session.commit()
    except SQLAlchemyError as exc:  # e.g. another process stored the same URL meanwhile
        session.rollback()
        return f"{moved}, but storing it failed ({type(exc).__name__}); kept the old URL"
    return None
