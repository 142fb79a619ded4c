"""The editorial workflow: statuses and the transitions between them.

Kept free of SQLAlchemy so the command line can offer status choices without loading it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from balita_cli.errors import InvalidTransition


class Status(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    ARCHIVED = "archived"
    RETRACTED = "retracted"


# Retracted is final: a killed story is never quietly republished.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.REVIEW, Status.SCHEDULED, Status.PUBLISHED, Status.ARCHIVED}),
    Status.REVIEW: frozenset({Status.DRAFT, Status.SCHEDULED, Status.PUBLISHED}),
    Status.SCHEDULED: frozenset({Status.DRAFT, Status.REVIEW, Status.PUBLISHED}),
    Status.PUBLISHED: frozenset({Status.DRAFT, Status.ARCHIVED, Status.RETRACTED}),
    Status.ARCHIVED: frozenset({Status.PUBLISHED, Status.DRAFT}),
    Status.RETRACTED: frozenset(),
}


# Statuses of articles that have been published: they always carry a publication time.
DATED_STATUSES = frozenset({Status.PUBLISHED, Status.ARCHIVED, Status.RETRACTED})
# Statuses whose articles may appear in public outputs (feeds, sitemaps, partner files, the site).
PUBLIC_STATUSES = frozenset({Status.PUBLISHED.value, Status.ARCHIVED.value, Status.RETRACTED.value})


class EventKind(StrEnum):
    """What happened to a story readers can see, as the outbox records it (one event a change)."""

    PUBLISHED = "published"  # made public: published, republished from the archive or a draft
    UPDATED = "updated"  # an edit of what readers see of a published or archived story
    CORRECTED = "corrected"  # a correction notice added to a public story
    RETRACTED = "retracted"  # withdrawn with a public notice
    UNPUBLISHED = "unpublished"  # taken back from readers to the newsroom (draft or review)
    ARCHIVED = "archived"  # kept at its address, out of lists and feeds
    DELETED = "deleted"  # moved to the trash, or deleted for good, while public
    RESTORED = "restored"  # back from the trash, public again


def check_transition(current: Status, target: Status) -> None:
    if current == target:
        raise InvalidTransition(f"article is already {current.value}")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none"
        raise InvalidTransition(f"cannot change status from {current.value} to {target.value} (allowed: {allowed})")


def publication_time(status: Status, given: datetime | None, fallback: datetime) -> datetime | None:
    """When an article of ``status`` was published: as given, else ``fallback`` for a published,
    archived or retracted one (it was published at some time); none is made up for the others."""
    if status in DATED_STATUSES:
        return given or fallback
    return given
