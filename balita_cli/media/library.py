"""The media library: photos stored once by content, described once, used by articles.

A photo's row is added in the caller's transaction (:func:`record_upload`) once its original is
in the media store (``media/uploads.py``): the same file twice is one photo. Here descriptions
are edited (alt text cannot be emptied under a live article), photos deleted (taken off their
articles first with ``force``) and read through a DB-API :class:`Database`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any, cast

from balita_cli.db.dbapi import Database
from balita_cli.errors import InvalidInput, NotFound
from balita_cli.media import MediaStore
from balita_cli.media.store import open_store
from balita_cli.records import iso
from balita_cli.schema import check_text
from balita_cli.timeutil import as_utc, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.config import Settings
    from balita_cli.media import ImageInfo, MediaStore

LIMITS = {"alt": 1000, "caption": 1000, "credit": 200}
TEXT_NAMES = {"alt": "alt text", "caption": "caption", "credit": "credit"}
# What `media list` and `media show` give, in this order ("articles": how many use it).
PHOTO_FIELDS = tuple(
    "id sha256 format media_type width height size alt caption credit original_name "
    "source_url taken_at created_at created_by articles".split()
)
TABLE_FIELDS = ("id", "original_name", "width", "height", "size", "alt", "articles")
_COLUMNS = tuple(name for name in PHOTO_FIELDS if name not in ("media_type", "articles"))  # stored
_ID = re.compile(r"^(?:#|id:)?(\d{1,18})$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Upload:
    """An accepted image whose original is in the store, waiting for its ``photo`` row."""

    info: ImageInfo
    name: str  # for people: safe_display_name of the file name or the URL's last part
    source_url: str = ""


# ---------------------------------------------------------------- the store


def store_for(settings: Settings) -> MediaStore:
    """The site's media store (``[site] media_dir``), refused inside the site's output folder:
    originals keep their EXIF and GPS, so they must never be served."""
    store = open_store(settings)
    root = store.root.resolve()
    output = settings.resolve_path(settings.site.output_dir).resolve()
    if root == output or output in root.parents:
        raise InvalidInput(
            f"media_dir {root} is inside the site's output folder {output}: originals keep their EXIF "
            "and GPS and must not be published; choose a folder outside it in balita.toml"
        )
    return store


# ---------------------------------------------------------------- writing


def clean_texts(alt: str | None = None, caption: str | None = None, credit: str | None = None) -> dict[str, str]:
    """The descriptions given (None: not given), trimmed and checked as every field is: one
    line, no control characters, within size. Markup is kept as text; renderers escape it."""
    given = {"alt": alt, "caption": caption, "credit": credit}
    return {
        name: check_text(TEXT_NAMES[name], value.strip(), limit=LIMITS[name])
        for name, value in given.items()
        if value is not None
    }


@dataclass(frozen=True)
class Added:
    photo_id: int
    created: bool  # False: the same image was already in the library
    name: str


def record_upload(
    session: Session, upload: Upload, texts: dict[str, str] | None = None, *, who: str = "", zone: Any = None
) -> Added:
    """The ``photo`` row of an upload: a new one, or the existing photo with the same sha256
    (left as it is: ``media edit`` changes its descriptions)."""
    from sqlalchemy import insert, select  # here: SQLAlchemy only for writes (reads use the DB-API)
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import col

    from balita_cli.models import Photo

    info = upload.info
    existing = session.execute(select(col(Photo.id)).where(col(Photo.sha256) == info.sha256)).scalar()
    if existing is not None:
        return Added(int(existing), False, upload.name)
    taken = as_utc(info.taken_at, zone or session.info.get("zone") or UTC) if info.taken_at else None
    values = {
        "sha256": info.sha256,
        "format": info.format,
        "width": info.width,
        "height": info.height,
        "size": info.size,
        "taken_at": taken,
        "original_name": upload.name[:255],
        "source_url": upload.source_url,
        "created_at": utcnow(),
        "created_by": check_text("updated_by", who),
        **(texts or {}),
    }
    try:
        with session.begin_nested():
            new_id = cast(int, session.execute(insert(Photo).values(**values).returning(col(Photo.id))).scalar_one())
    except IntegrityError:  # another writer added the same image a moment ago
        found = session.execute(select(col(Photo.id)).where(col(Photo.sha256) == info.sha256)).scalar()
        if found is None:
            raise
        return Added(int(found), False, upload.name)
    return Added(new_id, True, upload.name)


def resolve(session: Session, ref: str) -> int:
    """A photo by id, ``#id``, ``id:N`` or sha256."""
    return find(Database.of_session(session), ref)


def edit(session: Session, ref: str, texts: dict[str, str], *, force: bool = False) -> int:
    """Change a photo's descriptions. Alt text cannot be emptied while a published or scheduled
    article leads with the photo, unless ``force``."""
    from sqlalchemy import update  # here: SQLAlchemy only for writes (reads use the DB-API)
    from sqlmodel import col

    from balita_cli.models import Photo

    photo_id = resolve(session, ref)
    if not texts:
        raise InvalidInput("nothing to change: give --alt, --caption or --credit")
    if "alt" in texts and not texts["alt"] and not force:
        live = users(Database.of_session(session), photo_id, statuses=("published", "scheduled"))
        if live:
            raise InvalidInput(
                f"photo {photo_id} leads {describe(live)}, which readers see: its alt text cannot be removed "
                "(give new alt text, or --force)"
            )
    session.execute(update(Photo).where(col(Photo.id) == photo_id).values(**texts))
    return photo_id


@dataclass(frozen=True)
class Deleted:
    photo_id: int
    sha256: str
    format: str
    cleared: list[tuple[int, str]] = field(default_factory=list)  # articles that no longer have it


def delete(session: Session, ref: str, *, force: bool = False, who: str = "") -> Deleted:
    """Delete a photo that no article uses; with ``force``, take it off those articles first
    (each change a new version with its revision, as an edit would)."""
    from sqlalchemy import delete as sql_delete  # here: SQLAlchemy only for writes (reads use the DB-API)
    from sqlalchemy import select
    from sqlmodel import col

    from balita_cli.models import Photo
    from balita_cli.services import articles
    from balita_cli.services.articles import ArticleChanges

    photo_id = resolve(session, ref)
    using = users(Database.of_session(session), photo_id)
    if using and not force:
        raise InvalidInput(f"photo {photo_id} is used by {describe(using)}: take it off first, or use --force")
    for article_id, _slug in using:
        articles.update(
            session,
            article_id,
            ArticleChanges(values={"photo": None}),
            who=who,
            note=f"photo {photo_id} deleted from the media library",
        )
    sha256, format = session.execute(
        select(col(Photo.sha256), col(Photo.format)).where(col(Photo.id) == photo_id)
    ).one()
    session.execute(sql_delete(Photo).where(col(Photo.id) == photo_id))
    return Deleted(photo_id, str(sha256), str(format), using)


def remove_original(store: MediaStore, deleted: Deleted) -> bool:
    """Remove a deleted photo's original from the store (after the deletion is committed)."""
    try:
        return store.remove(deleted.sha256, deleted.format)
    except InvalidInput:
        return False


# ---------------------------------------------------------------- reading


def find(db: Database, ref: str) -> int:
    """The id of the photo named by ``12``, ``#12``, ``id:12`` or its sha256."""
    text = str(ref).strip()
    by_id = _ID.match(text)
    if by_id:
        found = db.scalar("SELECT id FROM photo WHERE id = ?", [int(by_id.group(1))])
    elif _SHA256.match(text.lower()):
        found = db.scalar("SELECT id FROM photo WHERE sha256 = ?", [text.lower()])
    else:
        raise InvalidInput(f"{text[:80]!r} is not a photo id (12, #12) or a sha256")
    if found is None:
        raise NotFound(f"no photo {text[:80]!r} in the media library (balita media list shows them)")
    return int(found)


def photos(db: Database, ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Photos as records (``PHOTO_FIELDS``), newest first, or those of ``ids`` in that order."""
    usage = "(SELECT count(*) FROM article WHERE article.image_id = photo.id)"
    from balita_cli.services.reading import MEDIA_TYPES  # here: keeps the article reads out of media reads

    sql = f"SELECT {', '.join(_COLUMNS)}, {usage} FROM photo"
    params: list[Any] = []
    if ids is not None:
        if not ids:
            return []
        where, params = db.in_list("id", list(ids))
        sql += f" WHERE {where}"
    found = {}
    for row in db.rows(sql + " ORDER BY id DESC", params):
        values = dict(zip((*_COLUMNS, "articles"), row, strict=True))
        values["media_type"] = MEDIA_TYPES.get(values["format"], "application/octet-stream")
        for name in ("taken_at", "created_at"):
            values[name] = iso(db.time(values[name]))
        found[int(values["id"])] = {name: values[name] for name in PHOTO_FIELDS}
    return [found[i] for i in ids if i in found] if ids is not None else list(found.values())


def photo(db: Database, ref: str) -> dict[str, Any]:
    """One photo's record, with the articles that use it (``used_by``: id, slug, status)."""
    photo_id = find(db, ref)
    record = photos(db, [photo_id])[0]
    rows = db.rows("SELECT id, slug, status FROM article WHERE image_id = ? ORDER BY id", [photo_id])
    record["used_by"] = [{"id": int(i), "slug": str(slug), "status": str(status)} for i, slug, status in rows]
    return record


def users(db: Database, photo_id: int, statuses: Iterable[str] = ()) -> list[tuple[int, str]]:
    """(id, slug) of the articles leading with the photo (trashed ones too), or of those in ``statuses``."""
    wanted = tuple(statuses)
    sql = "SELECT id, slug FROM article WHERE image_id = ?"
    params: list[Any] = [photo_id]
    if wanted:
        where, more = db.in_list("status", list(wanted))
        sql, params = f"{sql} AND deleted_at IS NULL AND {where}", [*params, *more]
    return [(int(i), str(slug)) for i, slug in db.rows(sql + " ORDER BY id", params)]


def describe(articles: list[tuple[int, str]], most: int = 5) -> str:
    shown = ", ".join(f"{article_id} ({slug})" for article_id, slug in articles[:most])
    more = f" and {len(articles) - most} more" if len(articles) > most else ""
    return f"article{'s' if len(articles) > 1 else ''} {shown}{more}"
