"""What goes out for one event: a webhook's JSON (the event, ``events.payload``), or for a partner
the story as it is now in the partner's format, or a notice that it is withdrawn.

A partner gets the story's current public view (a later change it has not been sent yet is in
it already: partners keep the newest version, by ``uri`` and ``version``). A story that is no
longer public (retracted, back in the newsroom, in the trash, deleted for good) goes out as a
cancel notice: ninjs ``pubStatus: canceled`` under the story's permanent ``uri``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

import orjson

from balita_cli.config import Site
from balita_cli.db.dbapi import Database
from balita_cli.services import events, reading
from balita_cli.workflow import EventKind

JSON = "application/json"
# Events that take a story back from partners: always a cancel notice.
WITHDRAWN = frozenset({EventKind.RETRACTED, EventKind.UNPUBLISHED, EventKind.DELETED})


@dataclass(frozen=True)
class Parcel:
    """One event made ready for one destination: the bytes, what they are, and the file name a
    partner's folder or URL gets them under."""

    body: bytes
    name: str
    media_type: str = JSON


def file_name(event: events.Event) -> str:
    """``story-<id>-<n>-<kind>.json``: one file per event, the same name on every try."""
    return f"story-{event.article_id}-{event.seq}-{event.kind.value}.json"


def webhook(event: events.Event, site: Site) -> Parcel:
    return Parcel(orjson.dumps(events.payload(event, site.base_url, site.tz)), file_name(event))


def for_partner(db: Database, event: events.Event, site: Site) -> Parcel:
    from balita_cli.formats.ninjs import news_object
    from balita_cli.records import public_view

    found = reading.records_for(db, [event.article_id], site.base_url)
    view = public_view(found[0]) if found else None
    if view is not None and (event.kind not in WITHDRAWN or view.get("status") == "retracted"):
        document = news_object(view, site)
    else:
        document = cancel_notice(event, site)
    return Parcel(orjson.dumps(document), file_name(event))


def cancel_notice(event: events.Event, site: Site) -> dict[str, Any]:
    """A ninjs news object saying the story is withdrawn: its ``uri`` (the same permanent id its
    versions were sent under), the version and headline it last had, ``pubStatus: canceled``."""
    from balita_cli.formats.base import article_guid
    from balita_cli.formats.ninjs import SCHEMA_URI

    created = event.article_created_at.astimezone(UTC).isoformat()
    return {
        "uri": article_guid({"id": event.article_id, "created_at": created}, site),
        "type": "text",
        "profile": "balita-article",
        "version": str(event.version),
        "versionCreated": event.at.astimezone(UTC).isoformat(),
        "pubStatus": "canceled",
        "language": event.language or site.language,
        "headlines": [{"role": "main", "value": event.title}],
        "standard": {"name": "ninjs", "version": "3.1", "schema": SCHEMA_URI.format(version="3.1")},
    }
