"""SQLModel tables and enums. No I/O here: services own sessions and transactions."""

# No "from __future__ import annotations": SQLModel resolves relationship types at runtime.

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Relationship, SQLModel

from balita_cli.schema import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, PUBLISH_POLICIES, limit_of
from balita_cli.slugs import RESERVED_TOP
from balita_cli.workflow import TRANSITIONS, EventKind, Status, check_transition

__all__ = ["TRANSITIONS", "Status", "check_transition"]

DESTINATION_KINDS = ("hook", "partner")
DELIVERY_STATES = ("pending", "delivered", "dead")
NOTICE_KINDS = ("correction", "retraction")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (naive UTC text) and PostgreSQL (timestamptz)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_field(**kwargs: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, **kwargs)


# ---------------------------------------------------------------- CHECK constraints
# Written in the SQL both databases share (no regular expressions: SQLite has none), so one
# definition serves the models, the migration that adds them and `db check` that looks for them.

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_SLUG_CHARACTERS = _LOWER + "0123456789-"
_LANGUAGE_CHARACTERS = _LOWER + _LOWER.upper() + "0123456789-"


def _one_of(column: str, values: Iterable[str], *, table: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=f"ck_{table}_{column}")


def _hyphenated(column: str, characters: str) -> str:
    """Only ``characters``, in words joined by single hyphens."""
    return (
        f"{column} <> '' AND trim({column}, '{characters}') = '' AND {column} NOT LIKE '-%' "
        f"AND {column} NOT LIKE '%-' AND {column} NOT LIKE '%--%'"
    )


def slug_rule(column: str = "slug") -> str:
    """What ``slugs.make_slug`` makes: lower-case ASCII letters and digits in words joined by
    single hyphens (``senate-hearing-2``)."""
    return _hyphenated(column, _SLUG_CHARACTERS)


def _slug_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(slug_rule(), name=f"ck_{table}_slug")


def _alias_check() -> sa.CheckConstraint:
    """An old address (``formats.readers.base.alias_of``): a slug, or a path from the site root
    with no empty, hidden or parent segment, outside the folders of the site's own pages."""
    reserved = " AND ".join(f"slug NOT LIKE '/{top}/%'" for top in sorted(RESERVED_TOP))
    path = f"slug LIKE '/_%' AND slug NOT LIKE '%//%' AND slug NOT LIKE '%/.%' AND slug NOT LIKE '% %' AND {reserved}"
    return sa.CheckConstraint(f"({slug_rule()}) OR ({path})", name="ck_article_slug_slug")


def _language_check(table: str) -> sa.CheckConstraint:
    """A BCP 47 tag as ``schema.check_language`` takes it: letters first, then letters, digits
    and single hyphens."""
    first = f"length(language) >= 2 AND trim(substr(language, 1, 2), '{_LOWER + _LOWER.upper()}') = ''"
    return sa.CheckConstraint(
        f"{_hyphenated('language', _LANGUAGE_CHARACTERS)} AND {first}", name=f"ck_{table}_language"
    )


class ArticleTag(SQLModel, table=True):
    __tablename__ = "article_tag"

    article_id: int = Field(foreign_key="article.id", primary_key=True, ondelete="CASCADE")
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, ondelete="CASCADE", index=True)


class ArticleAuthor(SQLModel, table=True):
    """Byline order matters: ``position`` 0 is the first name printed."""

    __tablename__ = "article_author"

    article_id: int = Field(foreign_key="article.id", primary_key=True, ondelete="CASCADE")
    author_id: int = Field(foreign_key="author.id", primary_key=True, ondelete="CASCADE", index=True)
    position: int = Field(default=0)

    author: "Author" = Relationship(sa_relationship_kwargs={"lazy": "raise"})


class Section(SQLModel, table=True):
    __table_args__ = (_slug_check("section"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    slug: str = Field(max_length=MAX_NAME_LENGTH, unique=True)
    description: str = Field(default="")


class Tag(SQLModel, table=True):
    __table_args__ = (_slug_check("tag"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    slug: str = Field(max_length=MAX_NAME_LENGTH, unique=True)


class Author(SQLModel, table=True):
    __table_args__ = (_slug_check("author"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    slug: str = Field(max_length=MAX_NAME_LENGTH, unique=True)
    email: str = Field(default="", max_length=MAX_EMAIL_LENGTH)
    bio: str = Field(default="")


class Photo(SQLModel, table=True):
    """An image in the media library: the original is stored once by content (its sha256)."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    format: str = Field(max_length=10)  # jpeg, png, webp, gif
    width: int
    height: int
    size: int
    taken_at: datetime | None = _utc_field()
    original_name: str = Field(default="", max_length=255)
    alt: str = Field(default="")
    caption: str = Field(default="")
    credit: str = Field(default="", max_length=200)
    source_url: str = Field(default="")  # where it was fetched from, if it was
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=200)


class Source(SQLModel, table=True):
    """An outlet the desk follows: its feed, what comes in from it, and the state of polling it."""

    __table_args__ = (_slug_check("source"), _one_of("publish", PUBLISH_POLICIES, table="source"))

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=MAX_NAME_LENGTH)
    slug: str = Field(max_length=MAX_NAME_LENGTH, unique=True)
    url: str
    section: str = Field(default="", max_length=MAX_NAME_LENGTH)
    language: str = Field(default="", max_length=35)
    tags: str = Field(default="[]")  # JSON list of tag names given to what comes in
    title_suffix: str = Field(default="", max_length=MAX_NAME_LENGTH)  # cut from the end of its titles
    credit: str = Field(default="", max_length=MAX_NAME_LENGTH)  # the outlet as credited; "" is its name
    excerpt_words: int = Field(default=120)
    full_text: bool = Field(default=False)
    publish: str = Field(default="review", max_length=10)  # review, draft or auto
    every_minutes: int = Field(default=15)
    allow_private: bool = Field(default=False)
    keep_photos: bool = Field(default=False)  # its stories' images fetched into the media library
    paused: bool = Field(default=False)
    etag: str = Field(default="")
    last_modified: str = Field(default="")
    last_fetch_at: datetime | None = _utc_field()
    last_success_at: datetime | None = _utc_field()
    last_new_at: datetime | None = _utc_field()
    last_error: str = Field(default="")
    failures: int = Field(default=0)
    next_due_at: datetime | None = _utc_field(index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Article(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_article_status_published", "status", "published_at"),
        sa.Index("ix_article_status_updated", "status", "updated_at"),
        sa.Index("ix_article_status_created", "status", "created_at"),
        sa.Index("ix_article_deleted_published", "deleted_at", "published_at"),  # every live listing
        sa.Index("ix_article_deleted_updated", "deleted_at", "updated_at"),
        _one_of("status", [status.value for status in Status], table="article"),
        _slug_check("article"),
        _language_check("article"),
        {"sqlite_autoincrement": True},  # an id is never given twice: events outlive their story
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=limit_of("slug"), unique=True)
    title: str
    subtitle: str = Field(default="")
    summary: str = Field(default="")
    body: str = Field(default="")
    section_id: int | None = Field(default=None, foreign_key="section.id", index=True, ondelete="SET NULL")
    language: str = Field(default="en", max_length=limit_of("language"), index=True)
    status: Status = Field(
        default=Status.DRAFT,
        sa_type=sa.Enum(
            Status, native_enum=False, length=limit_of("status"), values_callable=lambda e: [m.value for m in e]
        ),
        index=True,
    )
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    published_at: datetime | None = _utc_field(index=True)
    scheduled_at: datetime | None = _utc_field(index=True)
    expires_at: datetime | None = _utc_field(index=True)
    deleted_at: datetime | None = _utc_field(index=True)
    source_name: str = Field(default="", max_length=limit_of("source_name"), index=True)
    source_url: str = Field(default="")
    canonical_url: str = Field(default="")
    image_url: str = Field(default="")
    image_id: int | None = Field(default=None, foreign_key="photo.id", index=True, ondelete="SET NULL")
    image_alt: str = Field(default="")
    image_caption: str = Field(default="")
    image_credit: str = Field(default="")
    dateline: str = Field(default="", max_length=limit_of("dateline"))
    editor_note: str = Field(default="")
    featured: bool = Field(default=False)
    external_id: str | None = Field(default=None, max_length=limit_of("external_id"), unique=True)
    retraction_reason: str = Field(default="")
    version: int = Field(default=1)
    updated_by: str = Field(default="", max_length=limit_of("updated_by"))
    created_by: str = Field(default="", max_length=limit_of("updated_by"))
    word_count: int = Field(default=0)
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True, ondelete="SET NULL")

    section: Section | None = Relationship(sa_relationship_kwargs={"lazy": "raise"})
    tags: list[Tag] = Relationship(
        link_model=ArticleTag,
        sa_relationship_kwargs={"lazy": "raise", "order_by": "Tag.slug"},
    )
    author_links: list[ArticleAuthor] = Relationship(
        sa_relationship_kwargs={
            "lazy": "raise",
            "order_by": "ArticleAuthor.position",
            "cascade": "all, delete-orphan",
        }
    )
    corrections: list["Correction"] = Relationship(
        sa_relationship_kwargs={"lazy": "raise", "order_by": "Correction.id", "viewonly": True}
    )
    old_slugs: list["ArticleSlug"] = Relationship(
        sa_relationship_kwargs={"lazy": "raise", "order_by": "ArticleSlug.id", "viewonly": True}
    )

    @property
    def authors(self) -> list["Author"]:
        return [link.author for link in self.author_links]


class ArticleSlug(SQLModel, table=True):
    """A slug the article used to have; it keeps resolving after a rename."""

    __tablename__ = "article_slug"
    __table_args__ = (_alias_check(),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    slug: str = Field(max_length=limit_of("slug"), unique=True)


class Revision(SQLModel, table=True):
    """The full previous content of an article, stored at each change."""

    __table_args__ = (sa.UniqueConstraint("article_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    version: int
    created_at: datetime = Field(sa_type=UTCDateTime)
    changed_by: str = Field(default="", max_length=limit_of("updated_by"))
    note: str = Field(default="")
    snapshot: str = Field(default="{}")


class Correction(SQLModel, table=True):
    """A dated public notice kept with the article (a correction or a retraction notice)."""

    __table_args__ = (_one_of("kind", NOTICE_KINDS, table="correction"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(default="correction", max_length=20)
    text: str


class Coverage(SQLModel, table=True):
    """Another outlet's version of a story: filed with the story ("Also reported by"), not as a draft."""

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    source_name: str = Field(max_length=200)
    url: str = Field(default="")
    title: str = Field(default="")
    published_at: datetime | None = _utc_field()
    external_id: str = Field(max_length=500, unique=True)
    score: float = Field(default=0.0)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Setting(SQLModel, table=True):
    """Small facts the newsroom keeps between runs (when the desk last looked at the review queue)."""

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(default="")
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Event(SQLModel, table=True):
    """One change readers can see, recorded by the database's own triggers in the transaction that
    made it (the outbox): what happened, to which story, in the story's own order (``seq``).

    Written only by the triggers (``db/outbox.py``); never changed or deleted. ``article_id`` is
    no foreign key: the events of a story deleted for good outlive it. ``slug``, ``title``,
    ``language``, ``status``, ``version``, ``published_at`` and ``article_created_at`` are the
    story's as the change left it; ``notice`` is a correction's text or a retraction's reason."""

    __table_args__ = (
        sa.UniqueConstraint("article_id", "seq"),
        _one_of("kind", [kind.value for kind in EventKind], table="event"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=32, unique=True)  # random: the public id is evt_<uid>
    article_id: int
    seq: int
    kind: str = Field(max_length=20)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    version: int
    status: str = Field(max_length=limit_of("status"))
    slug: str = Field(max_length=limit_of("slug"))
    title: str
    language: str = Field(max_length=limit_of("language"))
    published_at: datetime | None = _utc_field()
    article_created_at: datetime = Field(sa_type=UTCDateTime)  # with the site, the story's permanent id
    notice: str = Field(default="")
    actor: str = Field(default="", max_length=limit_of("updated_by"))


class Destination(SQLModel, table=True):
    """Where events go: a webhook (``hook``: the event, signed, POSTed to a URL) or a partner
    (``partner``: the story in the partner's format, to a folder or a URL)."""

    __table_args__ = (
        _one_of("kind", DESTINATION_KINDS, table="destination"),
        sa.UniqueConstraint("kind", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    name: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)  # a partner's; hooks go by id
    target: str  # an http(s) URL, a folder
    format: str = Field(max_length=20)  # "event" for hooks; a story format (ninjs) for partners
    events: str = Field(default="[]")  # JSON list of the event kinds it takes
    secret: str = Field(default="")  # whsec_… (Standard Webhooks); "" for a folder
    allow_private: bool = Field(default=False)
    embargo_trusted: bool = Field(default=False)
    disabled_at: datetime | None = _utc_field()  # the receiver answered 410 Gone
    disabled_reason: str = Field(default="")
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=limit_of("updated_by"))


class Delivery(SQLModel, table=True):
    """One event for one destination: made by the trigger with the event, then tried until it is
    delivered or, after the last try, dead. ``article_id`` and ``seq`` are the event's, so a
    story's events go out in its order."""

    __table_args__ = (
        sa.UniqueConstraint("destination_id", "event_id"),
        sa.Index("ix_delivery_due", "state", "next_attempt_at"),
        sa.Index("ix_delivery_order", "destination_id", "article_id", "seq"),
        _one_of("state", DELIVERY_STATES, table="delivery"),
    )

    id: int | None = Field(default=None, primary_key=True)
    destination_id: int = Field(foreign_key="destination.id", ondelete="CASCADE")
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    article_id: int
    seq: int
    state: str = Field(default="pending", max_length=10)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    last_attempt_at: datetime | None = _utc_field()
    delivered_at: datetime | None = _utc_field()
    last_status: int | None = Field(default=None)
    last_error: str = Field(default="")


class Page(SQLModel, table=True):
    """A page that is not news (about, contacts, the policies): undated, at ``/<slug>/``, edited
    like a story (versions, revisions) but never in the lists or feeds."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=limit_of("slug"), unique=True)
    title: str
    summary: str = Field(default="")  # the description search engines and shares show
    body: str = Field(default="")
    role: str = Field(default="", max_length=40)  # what the site links it as (contacts, corrections, …)
    version: int = Field(default=1)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=limit_of("updated_by"))
    updated_by: str = Field(default="", max_length=limit_of("updated_by"))


class PageRevision(SQLModel, table=True):
    """A page's previous content, stored at each change (as ``revision`` is for articles)."""

    __tablename__ = "page_revision"
    __table_args__ = (sa.UniqueConstraint("page_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="page.id", index=True, ondelete="CASCADE")
    version: int
    created_at: datetime = Field(sa_type=UTCDateTime)
    changed_by: str = Field(default="", max_length=limit_of("updated_by"))
    note: str = Field(default="")
    snapshot: str = Field(default="{}")


SUBSCRIBER_STATES = ("pending", "confirmed", "unsubscribed")
SEND_STATES = ("sending", "sent", "failed", "rejected")


class NewsletterList(SQLModel, table=True):
    """A mailing list: its name on the command line, its title in the mail, its readers' language
    and, optionally, the one section its digests carry."""

    __tablename__ = "newsletter_list"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=MAX_NAME_LENGTH, unique=True)
    title: str = Field(max_length=MAX_NAME_LENGTH)
    language: str = Field(default="en", max_length=limit_of("language"))
    section: str = Field(default="", max_length=MAX_NAME_LENGTH)  # a section's slug; "" for all
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=limit_of("updated_by"))


class Subscriber(SQLModel, table=True):
    """An address on a list. Its two secrets make the tokens in its mail (``<id>.<secret>``): one
    confirms the subscription (double opt-in), the other takes the address off the list."""

    __table_args__ = (
        sa.UniqueConstraint("list_id", "email"),
        sa.Index("ix_subscriber_list_state", "list_id", "state"),
        _one_of("state", SUBSCRIBER_STATES, table="subscriber"),
    )

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="newsletter_list.id", ondelete="CASCADE")
    email: str = Field(max_length=MAX_EMAIL_LENGTH)
    name: str = Field(default="", max_length=MAX_NAME_LENGTH)
    state: str = Field(default="pending", max_length=20)
    confirm_secret: str = Field(max_length=64)
    unsubscribe_secret: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    confirmed_at: datetime | None = _utc_field()
    unsubscribed_at: datetime | None = _utc_field()


class NewsletterIssue(SQLModel, table=True):
    """One digest of a list: the stories published between ``since`` and ``until``, the notices
    since the list's previous issue (``notices_since``); ``finished_at`` once everyone has had it."""

    __tablename__ = "newsletter_issue"
    __table_args__ = (sa.UniqueConstraint("list_id", "since"),)

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="newsletter_list.id", ondelete="CASCADE")
    since: datetime = Field(sa_type=UTCDateTime)
    until: datetime = Field(sa_type=UTCDateTime)
    notices_since: datetime = Field(sa_type=UTCDateTime)
    section: str = Field(default="", max_length=MAX_NAME_LENGTH)
    language: str = Field(default="", max_length=limit_of("language"))
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=limit_of("updated_by"))
    finished_at: datetime | None = _utc_field()


class NewsletterSend(SQLModel, table=True):
    """One issue to one subscriber: ``sending`` is written before the message's last line goes to
    the SMTP server, ``sent`` after its answer, so a run killed at any point never sends twice."""

    __tablename__ = "newsletter_send"
    __table_args__ = (
        sa.UniqueConstraint("issue_id", "subscriber_id"),
        _one_of("state", SEND_STATES, table="newsletter_send"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="newsletter_issue.id", ondelete="CASCADE")
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True, ondelete="CASCADE")
    state: str = Field(default="sending", max_length=10)
    attempts: int = Field(default=0)
    last_error: str = Field(default="")
    updated_at: datetime = Field(sa_type=UTCDateTime)
