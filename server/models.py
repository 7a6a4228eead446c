"""ORM tables, as SQLAlchemy 2.0 typed models.

The displayed rating of an outlet lives on :class:`Outlet`; what rating agencies say is
kept apart in :class:`ProviderRating`, and every change to a rating leaves a
:class:`RatingChange` that is never deleted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, PostgreSQL does: normalising here lets the rest of the code
    compare times without caring which database it runs on.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every table."""


class Outlet(Base):
    """A news outlet and its displayed rating."""

    __tablename__ = "outlet"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    homepage: Mapped[str | None] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(8))
    bias: Mapped[str | None] = mapped_column(String(16))
    bias_score: Mapped[float | None] = mapped_column(Float)
    factuality: Mapped[str | None] = mapped_column(String(16))
    ownership: Mapped[str | None] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(200))
    paywall: Mapped[bool] = mapped_column(Boolean, default=False)
    basis: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[str | None] = mapped_column(String(8))
    reviewed: Mapped[date | None] = mapped_column(Date)
    # Optimistic locking: a write based on a stale version fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    rules: Mapped[list[OutletRule]] = relationship(
        back_populates="outlet", cascade="all, delete-orphan", order_by="OutletRule.id"
    )
    feeds: Mapped[list[Feed]] = relationship(
        back_populates="outlet", cascade="all, delete-orphan", order_by="Feed.id"
    )
    provider_ratings: Mapped[list[ProviderRating]] = relationship(
        back_populates="outlet", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class OutletRule(Base):
    """A host, optionally with a path prefix or pattern, whose pages belong to an outlet.

    ``path`` is in the canonical form :func:`server.urls.parse_rule` gives it.
    """

    __tablename__ = "outlet_rule"
    __table_args__ = (UniqueConstraint("host", "path", name="uq_outlet_rule_host_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id", ondelete="CASCADE"), index=True)
    host: Mapped[str] = mapped_column(String(253))
    path: Mapped[str] = mapped_column(String(200), default="")

    outlet: Mapped[Outlet] = relationship(back_populates="rules")

    @property
    def text(self) -> str:
        """Return the rule as written in the outlet CSV (``host`` or ``host/path``)."""
        return self.host + self.path


class Feed(Base):
    """An RSS or Atom feed of an outlet, with what conditional GET needs."""

    __tablename__ = "feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)

    outlet: Mapped[Outlet] = relationship(back_populates="feeds")


class ProviderRating(Base):
    """One rating agency's view of an outlet, kept apart from the displayed rating."""

    __tablename__ = "provider_rating"
    __table_args__ = (UniqueConstraint("outlet_id", "provider", name="uq_provider_rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    bias: Mapped[str | None] = mapped_column(String(16))
    factuality: Mapped[str | None] = mapped_column(String(16))
    raw: Mapped[dict[str, object] | None] = mapped_column(JSON)
    source_url: Mapped[str | None] = mapped_column(String(2048))
    rated_on: Mapped[date | None] = mapped_column(Date)

    outlet: Mapped[Outlet] = relationship(back_populates="provider_ratings")


class RatingChange(Base):
    """Who changed which outlet's rating, when, from what to what, and why."""

    __tablename__ = "rating_change"
    __table_args__ = (
        UniqueConstraint("prev_hash", name="uq_rating_change_prev_hash"),
        UniqueConstraint("hash", name="uq_rating_change_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No cascade: the audit trail outlives the outlet row it speaks of.
    outlet_slug: Mapped[str] = mapped_column(String(80), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    changes: Mapped[dict[str, object]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(2048))
    # The proposal that made it, the change set (an import) it belongs to, and what is
    # published with it: evidence, basis, confidence, methodology, proposer, approvers.
    proposal_id: Mapped[int | None] = mapped_column(Integer, index=True)
    change_set: Mapped[str | None] = mapped_column(String(80), index=True)
    details: Mapped[dict[str, object] | None] = mapped_column(JSON)
    # The tamper-evident chain (server/audit.py): the previous row's hash and this one's.
    # A unique previous hash means two rows can never claim the same predecessor.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Story(Base):
    """A cluster of articles about the same event."""

    __tablename__ = "story"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    outlet_count: Mapped[int] = mapped_column(Integer, default=0)

    articles: Mapped[list[Article]] = relationship(back_populates="story")


class StoryMerge(Base):
    """A story absorbed into another: one event that clustering had first told twice.

    When a later article bridges two stories (``StoryIndex.assign``), the smaller is absorbed:
    its articles move to the kept story in the same transaction as the article, and this row
    lets every worker replay the merge and every old link to the absorbed id reach the kept
    story. The absorbed :class:`Story` row stays (ids handed out keep resolving) with its title
    and time span as they were, holding no articles (counts 0); story lists leave it out. A
    story is absorbed once (the key), though the story it went to may be absorbed later: follow
    the chain (``lookup.current_story_id``). Two processes ingesting at the same moment each
    cluster on their own index, as before merging: the second to absorb a story fails its
    batch on the key (a feed is fetched again next run, a file ingest is run again).
    """

    __tablename__ = "story_merge"

    absorbed_id: Mapped[int] = mapped_column(
        ForeignKey("story.id", ondelete="CASCADE"), primary_key=True
    )
    kept_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"), index=True)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Article(Base):
    """One article, known by its canonical URL's key (no scheme, no ``www.``)."""

    __tablename__ = "article"
    __table_args__ = (Index("ix_article_published_at", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    url_key: Mapped[str] = mapped_column(String(2048), unique=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    outlet_id: Mapped[int | None] = mapped_column(
        ForeignKey("outlet.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="file")
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("story.id", ondelete="SET NULL"), index=True
    )

    outlet: Mapped[Outlet | None] = relationship()
    story: Mapped[Story | None] = relationship(back_populates="articles")


class Feedback(Base):
    """A reader's disagreement with a rating, for maintainers to review."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_slug: Mapped[str | None] = mapped_column(String(80), index=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    suggested_bias: Mapped[str | None] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Triage (issue 10): new, accepted (with the proposal it opened), declined, duplicate.
    status: Mapped[str] = mapped_column(String(16), default="new", server_default="new")
    triage_note: Mapped[str | None] = mapped_column(Text)
    triaged_by: Mapped[str | None] = mapped_column(String(80))
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposal_id: Mapped[int | None] = mapped_column(Integer)


class LookupMiss(Base):
    """A domain that was looked up and matched no outlet: the domain only, never the URL."""

    __tablename__ = "lookup_miss"

    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """A maintainer: a triager, an editor or an admin."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session's id: changing it (new password, disabled) ends those sessions.
    session_epoch: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """A token for the write API, stored as its SHA-256 only; shown once when made."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Proposal(Base):
    """A change to one or more outlets, waiting for review, applied or rejected.

    ``changes`` is ``{slug: {field: [before, after]}}``; ``base`` holds each outlet's values
    and version when the proposal was made, so approval can tell what changed meanwhile.
    """

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # change, new, revert
    outlet_slug: Mapped[str | None] = mapped_column(String(80), index=True)
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    base: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    basis: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[str] = mapped_column(String(8))
    methodology: Mapped[str] = mapped_column(String(40))
    internal_note: Mapped[str | None] = mapped_column(Text)
    approvals_needed: Mapped[int] = mapped_column(Integer, default=1)
    reverts: Mapped[int | None] = mapped_column(Integer)  # a rating_change id
    reverts_set: Mapped[str | None] = mapped_column(String(80))  # a change set
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposer: Mapped[User | None] = relationship()
    reviews: Mapped[list[ProposalReview]] = relationship(
        back_populates="proposal", order_by="ProposalReview.id"
    )


class ProposalReview(Base):
    """One editor's approval or rejection (with its note) of a proposal."""

    __tablename__ = "proposal_review"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_review_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decision: Mapped[str] = mapped_column(String(8))  # approve, reject
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="reviews")
    user: Mapped[User] = relationship()


CATALOG_VERSION = "catalog_version"
"""The :class:`Setting` that changes whenever any outlet or rule does; workers poll it."""


class Setting(Base):
    """A small key-value store; holds the catalog version that workers poll."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
