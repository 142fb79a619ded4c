"""Where events go: webhooks (each event, signed, POSTed to a URL) and partners (each story in
the partner's format, written to a folder, PUT to a URL or put in a bucket), added, listed, removed,
enabled again.

Every address is hostile until checked (``services/remote.py``: http or https, no credentials,
no private or loopback address unless allowed). A secret is ``whsec_…`` (``signatures.py``), read
from a file, standard input or the environment, never from the command line, and never shown
again once stored. Managing destinations is an editor's (``permissions.Action.HOOKS``); on
PostgreSQL the tables themselves are closed to contributors and authors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from balita_cli.db.dbapi import Database
from balita_cli.errors import Conflict, InvalidInput, NotFound, UsageError
from balita_cli.schema import check_name
from balita_cli.services import permissions
from balita_cli.services.delivery import signatures
from balita_cli.services.remote import remote_url
from balita_cli.timeutil import utcnow
from balita_cli.workflow import EventKind

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

HOOK, PARTNER = "hook", "partner"
HOOK_FORMAT = "event"  # the event itself, as JSON (services/events.payload)
PARTNER_FORMATS = ("ninjs",)
ALL_EVENTS = tuple(EventKind)
# What a partner takes unless told: new stories, corrections, and every way a story is taken back.
PARTNER_EVENTS = (
    EventKind.PUBLISHED,
    EventKind.CORRECTED,
    EventKind.RETRACTED,
    EventKind.UNPUBLISHED,
    EventKind.DELETED,
)
BUCKET_SCHEME = "s3://"
MAX_SECRET_FILE = 4096


@dataclass(frozen=True)
class Destination:
    id: int
    kind: str
    name: str | None
    target: str
    format: str
    events: tuple[EventKind, ...]
    secret: str
    allow_private: bool
    embargo_trusted: bool
    disabled_at: datetime | None
    disabled_reason: str
    created_at: datetime

    @property
    def label(self) -> str:
        return self.name or f"#{self.id}"

    @property
    def is_folder(self) -> bool:
        return "://" not in self.target

    @property
    def is_bucket(self) -> bool:
        return self.target.startswith(BUCKET_SCHEME)


_COLUMNS = (
    "id, kind, name, target, format, events, secret, allow_private, embargo_trusted, disabled_at, disabled_reason, "
    "created_at"
)


def _destination(db: Database, row: Sequence[Any]) -> Destination:
    number, kind, name, target, form, kinds, secret, private, trusted, disabled_at, reason, created_at = row
    try:
        listed = json.loads(kinds)
    except ValueError:
        listed = []
    events = tuple(EventKind(kind) for kind in listed if kind in EventKind.__members__.values())
    return Destination(
        id=int(number),
        kind=str(kind),
        name=name,
        target=str(target),
        format=str(form),
        events=events,
        secret=str(secret),
        allow_private=bool(private),
        embargo_trusted=bool(trusted),
        disabled_at=db.time(disabled_at),
        disabled_reason=str(reason),
        created_at=db.time(created_at) or utcnow(),
    )


def listing(db: Database, kind: str) -> list[Destination]:
    rows = db.rows(f"SELECT {_COLUMNS} FROM destination WHERE kind = ? ORDER BY id", [kind])
    return [_destination(db, row) for row in rows]


def by_ids(db: Database, ids: Sequence[int]) -> dict[int, Destination]:
    if not ids:
        return {}
    clause, params = db.in_list("id", list(ids))
    return {
        int(row[0]): _destination(db, row)
        for row in db.rows(f"SELECT {_COLUMNS} FROM destination WHERE {clause}", params)
    }


def find(db: Database, kind: str, ref: str) -> Destination:
    """A webhook by its number (3, #3); a partner by its name (or #number)."""
    text = " ".join(str(ref).split()).removeprefix("#")
    if text.isdigit() and len(text) < 19:
        rows = db.rows(f"SELECT {_COLUMNS} FROM destination WHERE kind = ? AND id = ?", [kind, int(text)])
    else:
        rows = db.rows(f"SELECT {_COLUMNS} FROM destination WHERE kind = ? AND lower(name) = ?", [kind, text.lower()])
    if not rows:
        listed = "balita hooks list" if kind == HOOK else "balita partner list"
        raise NotFound(f"no {'webhook' if kind == HOOK else 'partner'} {text[:80]!r} ({listed} shows them)")
    return _destination(db, rows[0])


def counts(db: Database, kind: str) -> dict[int, dict[str, int]]:
    """Deliveries of each destination by state."""
    rows = db.rows(
        "SELECT d.destination_id, d.state, count(*) FROM delivery AS d JOIN destination AS t "
        "ON t.id = d.destination_id WHERE t.kind = ? GROUP BY d.destination_id, d.state",
        [kind],
    )
    found: dict[int, dict[str, int]] = {}
    for destination_id, state, count in rows:
        found.setdefault(int(destination_id), {})[str(state)] = int(count)
    return found


# ---------------------------------------------------------------- what is given


def event_kinds(values: Sequence[str] | None, default: Sequence[EventKind]) -> tuple[EventKind, ...]:
    """``--events published,corrected`` (repeatable, commas allowed; ``all`` for every kind)."""
    if not values:
        return tuple(default)
    names = [name.strip().lower() for value in values for name in value.split(",") if name.strip()]
    if "all" in names:
        return ALL_EVENTS
    unknown = [name for name in names if name not in EventKind.__members__.values()]
    if unknown or not names:
        choices = ", ".join(kind.value for kind in EventKind)
        raise UsageError(f"unknown event kind {(unknown or [''])[0][:40]!r} (choose from {choices}, or all)")
    return tuple(dict.fromkeys(EventKind(name) for name in names))


def read_secret(path: str | None, environment: str | None, stdin: Any = None) -> str | None:
    """The secret from ``--secret-file`` (``-``: standard input), else the environment's; None:
    make one. A file is read up to a few KB: a secret is one line."""
    if path is None:
        return signatures.check_secret(environment) if environment else None
    if path == "-":
        import sys

        text = (stdin or sys.stdin).read(MAX_SECRET_FILE)
    else:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(MAX_SECRET_FILE)
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise InvalidInput(f"cannot read the secret file {path}: {reason}") from None
    return signatures.check_secret(text)


def check_target(target: str, *, allow_private: bool, root: Path) -> str:
    """A partner's target: an http(s) URL (checked), a bucket (``s3://bucket/prefix``, kept with
    the prefix ending in ``/``), or a folder (made absolute from the site's folder)."""
    from balita_cli.buckets import BucketUrl

    text = target.strip()
    if text.startswith(BUCKET_SCHEME):
        return str(BucketUrl.parse(text))
    if "://" in text:
        return remote_url(text, allow_private=allow_private, what="a partner's URL", doing="sends to")
    if not text or "\x00" in text:
        raise InvalidInput("give the partner's folder or URL with --to")
    folder = Path(text).expanduser()
    folder = folder if folder.is_absolute() else root / folder
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder")
    return str(folder.resolve())


# ---------------------------------------------------------------- writing


def _row_values(
    kind: str,
    name: str | None,
    target: str,
    form: str,
    events: Sequence[EventKind],
    secret: str,
    *,
    allow_private: bool,
    who: str,
    embargo_trusted: bool = False,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "target": target,
        "format": form,
        "events": json.dumps([event.value for event in events]),
        "secret": secret,
        "allow_private": allow_private,
        "embargo_trusted": embargo_trusted,
        "created_at": utcnow(),
        "created_by": who,
    }


def _insert(session: Session, values: dict[str, Any]) -> int:
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import col

    from balita_cli.models import Destination as Row

    try:
        with session.begin_nested():
            return cast(int, session.execute(insert(Row).values(**values).returning(col(Row.id))).scalar_one())
    except IntegrityError:
        raise Conflict(f"a partner named {values['name']!r} exists already") from None


def add_hook(
    session: Session, url: str, events: Sequence[EventKind], secret: str | None, *, allow_private: bool, who: str
) -> tuple[int, str]:
    """A new webhook; returns its number and its secret (made here when none is given)."""
    permissions.require(session, permissions.Action.HOOKS)
    target = remote_url(url, allow_private=allow_private, what="a webhook URL", doing="sends to")
    secret = secret or signatures.new_secret()
    values = _row_values(HOOK, None, target, HOOK_FORMAT, events, secret, allow_private=allow_private, who=who)
    return _insert(session, values), secret


@dataclass(frozen=True)
class PartnerSettings:
    name: str
    format: str
    target: str
    events: tuple[EventKind, ...]
    secret: str | None
    allow_private: bool = False
    embargo_trusted: bool = False


def add_partner(session: Session, partner: PartnerSettings, *, root: Path, who: str) -> tuple[int, str]:
    """A new partner; returns its number and its secret ("" for a folder or a bucket: nothing
    signs what is written there)."""
    permissions.require(session, permissions.Action.HOOKS)
    name = check_name("partner", partner.name)
    if partner.format not in PARTNER_FORMATS:
        raise UsageError(f"unknown partner format {partner.format[:40]!r} (choose from {', '.join(PARTNER_FORMATS)})")
    taken = Database.of_session(session).scalar(
        "SELECT name FROM destination WHERE kind = ? AND lower(name) = ?", [PARTNER, name.lower()]
    )
    if taken is not None:
        raise Conflict(f"a partner named {taken!r} exists already")
    target = check_target(partner.target, allow_private=partner.allow_private, root=root)
    signed = target.startswith(("http://", "https://"))
    secret = (partner.secret or signatures.new_secret()) if signed else ""
    values = _row_values(
        PARTNER,
        name,
        target,
        partner.format,
        partner.events,
        secret,
        allow_private=partner.allow_private,
        embargo_trusted=partner.embargo_trusted,
        who=who,
    )
    return _insert(session, values), secret


def remove(session: Session, kind: str, ref: str) -> tuple[Destination, int]:
    """Delete a destination and its deliveries; returns it and how many were still waiting."""
    from sqlalchemy import delete, func, select
    from sqlmodel import col

    from balita_cli.models import Delivery
    from balita_cli.models import Destination as Row

    permissions.require(session, permissions.Action.HOOKS)
    found = find(Database.of_session(session), kind, ref)
    waiting = session.execute(
        select(func.count()).where(col(Delivery.destination_id) == found.id, col(Delivery.state) == "pending")
    ).scalar_one()
    session.execute(delete(Row).where(col(Row.id) == found.id))
    return found, int(waiting)


def set_enabled(session: Session, kind: str, ref: str, *, enabled: bool, reason: str = "") -> Destination:
    """Enable (deliveries go on where they stopped) or disable a destination."""
    from sqlalchemy import update
    from sqlmodel import col

    from balita_cli.models import Destination as Row

    permissions.require(session, permissions.Action.HOOKS)
    found = find(Database.of_session(session), kind, ref)
    values: dict[str, Any] = {"disabled_at": None, "disabled_reason": ""}
    if not enabled:
        values = {"disabled_at": utcnow(), "disabled_reason": reason}
    session.execute(update(Row).where(col(Row.id) == found.id).values(**values))
    return found
