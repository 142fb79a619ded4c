"""The media library: photos stored once by content, described once, used by articles.

An upload is read and inspected *before* any transaction opens (decoding a large photo takes a
moment, and a write transaction holds SQLite's lock): :func:`read_file` / :func:`fetch_image`
give bytes, :func:`prepare` accepts or refuses them and stores the original in the media store
(content-addressed, so storing twice is harmless), and :func:`record_upload` adds the ``photo``
row in the caller's transaction: the same file twice is one photo.

Reads (``list``, ``show``, completion) take a DB-API :class:`Database`; writes a session. The
image code (``balita_cli.media``) and the network (``balita_cli.net``) are imported when used.
Services never print: what went wrong is a ``BalitaError``, what a command reports is returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from balita_cli.db.dbapi import Database
from balita_cli.errors import InvalidInput, NotFound
from balita_cli.schema import check_text, check_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.config import Settings
    from balita_cli.media import ImageInfo, MediaStore
    from balita_cli.net import FetchPolicy

MAX_PHOTO_BYTES = 40 * 1024 * 1024  # a camera's largest JPEG is about 25 MB
FETCH_DEADLINE = 60.0
LIMITS = {"alt": 1000, "caption": 1000, "credit": 200}
TEXT_NAMES = {"alt": "alt text", "caption": "caption", "credit": "credit"}
# What `media list` and `media show` give, in this order ("articles": how many use it).
PHOTO_FIELDS = ("id", "sha256", "format", "media_type", "width", "height", "size", "alt", "caption", "credit",
                "original_name", "source_url", "taken_at", "created_at", "created_by", "articles")  # fmt: skip
TABLE_FIELDS = ("id", "original_name", "width", "height", "size", "alt", "articles")
_COLUMNS = ("id", "sha256", "format", "width", "height", "size", "alt", "caption", "credit", "original_name",
            "source_url", "taken_at", "created_at", "created_by")  # fmt: skip
_ID = re.compile(r"^(?:#|id:)?(\d{1,18})$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


# ---------------------------------------------------------------- the store


def store_for(settings: Settings) -> MediaStore:
    """The site's media store (``[site] media_dir``), refused inside the site's output folder:
    originals keep their EXIF and GPS, so they must never be served."""
    from balita_cli.media import MediaStore

    root = settings.resolve_path(settings.site.media_dir).resolve()
    output = settings.resolve_path(settings.site.output_dir).resolve()
    if root == output or output in root.parents:
        raise InvalidInput(
            f"media_dir {root} is inside the site's output folder {output}: originals keep their EXIF "
            "and GPS and must not be published; choose a folder outside it in balita.toml"
        )
    return MediaStore(root)


# ---------------------------------------------------------------- reading an upload


@dataclass(frozen=True)
class Upload:
    """An accepted image whose original is in the store, waiting for its ``photo`` row."""

    info: ImageInfo
    name: str  # for people: safe_display_name of the file name or the URL's last part
    source_url: str = ""


def read_file(path: str | Path) -> tuple[bytes, str]:
    """The bytes of a local image file, at most ``MAX_PHOTO_BYTES``; one-line errors."""
    from balita_cli.media import safe_display_name

    path = Path(path)
    label = safe_display_name(str(path)) or "the file"
    try:
        if not path.is_file():
            raise InvalidInput(f"{label} is not a file" if path.exists() else f"no file {label}")
        with path.open("rb") as handle:  # a regular file: never a FIFO that would hang
            data = handle.read(MAX_PHOTO_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"cannot read {label}: {exc.strerror or exc}") from None
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"{label} is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    return data, path.name


def fetch_policy(settings: Settings, *, allow_private: bool = False) -> FetchPolicy:
    from balita_cli.net import FetchPolicy
    from balita_cli.net.fetch import DEFAULT_USER_AGENT, header_safe

    contact = header_safe(f"{DEFAULT_USER_AGENT[:-1]}; {settings.site.contact})") if settings.site.contact else None
    return FetchPolicy(deadline=FETCH_DEADLINE, max_bytes=MAX_PHOTO_BYTES, allow_private=allow_private,
                       accept="image/*", user_agent=contact or DEFAULT_USER_AGENT)  # fmt: skip


def fetch_image(store: MediaStore, url: str, policy: FetchPolicy) -> Upload:
    """GET an image once and prepare it (see :func:`prepare`); the URL is kept as its source.
    Raises ``FetchError`` or ``InvalidInput``, one line each."""
    from balita_cli.net import fetch

    checked = check_url("image URL", url)
    if not checked:
        raise InvalidInput("image URL is empty")
    fetched = fetch(checked, policy)
    return prepare(store, fetched.body, url_name(fetched.url), source_url=checked, served_as=fetched.content_type)


def url_name(url: str) -> str:
    """The last part of a URL's path, for people ("photo.jpg"), else its host."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    return unquote(parts.path.rsplit("/", 1)[-1]) or parts.hostname or "image"


def prepare(store: MediaStore, data: bytes, name: str, *, source_url: str = "", served_as: str = "") -> Upload:
    """Accept the bytes as an image (``inspect_image``: JPEG, PNG, WebP or GIF, whole, not a
    bomb) and store the original; ``served_as`` is the Content-Type a server gave, for the message."""
    from balita_cli.media import inspect_image, safe_display_name

    shown = safe_display_name(name) or "the image"
    try:
        info = inspect_image(data, name=shown)
    except InvalidInput as exc:
        if served_as and not served_as.startswith("image/"):
            raise InvalidInput(f"{exc.message} (the server sent {served_as[:60]})") from None
        raise
    store.add(data, info)
    return Upload(info=info, name=shown, source_url=check_url("source URL", source_url) if source_url else "")


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


def record_upload(session: Session, upload: Upload, texts: dict[str, str] | None = None, *, who: str = "",
                  zone: Any = None) -> Added:  # fmt: skip
    """The ``photo`` row of an upload: a new one, or the existing photo with the same sha256
    (left as it is: ``media edit`` changes its descriptions)."""
    from sqlalchemy import insert, select
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import col

    from balita_cli.models import Photo
    from balita_cli.timeutil import as_utc, utcnow

    info = upload.info
    existing = session.execute(select(col(Photo.id)).where(col(Photo.sha256) == info.sha256)).scalar()
    if existing is not None:
        return Added(int(existing), False, upload.name)
    taken = as_utc(info.taken_at, zone or session.info.get("zone") or UTC) if info.taken_at else None
    values = {
        "sha256": info.sha256, "format": info.format, "width": info.width, "height": info.height,
        "size": info.size, "taken_at": taken, "original_name": upload.name[:255],
        "source_url": upload.source_url, "created_at": utcnow(), "created_by": check_text("updated_by", who),
        **(texts or {}),
    }  # fmt: skip
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
    from sqlalchemy import update
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
    from sqlalchemy import delete as sql_delete
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
        articles.update(session, article_id, ArticleChanges(values={"photo": None}), who=who,
                        note=f"photo {photo_id} deleted from the media library")  # fmt: skip
    sha256, format = session.execute(
        select(col(Photo.sha256), col(Photo.format)).where(col(Photo.id) == photo_id)
    ).one()
    session.execute(sql_delete(Photo).where(col(Photo.id) == photo_id))
    return Deleted(photo_id, str(sha256), str(format), using)


def remove_original(store: MediaStore, deleted: Deleted) -> bool:
    """Remove a deleted photo's original from the store (after the deletion is committed)."""
    try:
        store.original(deleted.sha256, deleted.format).unlink()
    except (FileNotFoundError, InvalidInput):
        return False
    return True


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
    from balita_cli.records import iso
    from balita_cli.services.reading import MEDIA_TYPES

    usage = "(SELECT count(*) FROM article WHERE article.image_id = photo.id)"
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


# ---------------------------------------------------------------- fetching what imports left as URLs


@dataclass(frozen=True)
class Missing:
    """Articles whose ``image_url`` has no library photo yet, grouped by URL."""

    url: str
    article_ids: tuple[int, ...]
    alt: str
    caption: str
    credit: str


def missing(db: Database, limit: int | None = None) -> list[Missing]:
    """Each URL once (several articles may share one), oldest article first; trashed ones skipped."""
    rows = db.rows(
        "SELECT id, image_url, image_alt, image_caption, image_credit FROM article "
        "WHERE image_id IS NULL AND image_url <> '' AND deleted_at IS NULL ORDER BY id"
    )
    grouped: dict[str, list[Any]] = {}
    for article_id, url, alt, caption, credit in rows:
        entry = grouped.setdefault(str(url), [[], alt, caption, credit])
        entry[0].append(int(article_id))
    found = [Missing(url, tuple(ids), *(str(v or "") for v in texts)) for url, (ids, *texts) in grouped.items()]
    return found[:limit] if limit is not None else found


@dataclass
class Outcome:
    """What became of one URL of ``media fetch --missing``."""

    url: str
    article_ids: tuple[int, ...]
    photo_id: int | None = None
    problem: str = ""


FETCH_BATCH = 16  # URLs whose bodies are in memory at once (each up to MAX_PHOTO_BYTES)


def fetch_missing(items: list[Missing], store: MediaStore, policy: FetchPolicy) -> dict[str, Upload | str]:
    """Fetch every URL once, a few at a time, and prepare what came: an Upload, or why not.

    A batch's bodies are stored (or refused) before the next batch is fetched, so memory holds
    at most ``FETCH_BATCH`` bodies however many images an archive names.
    """
    from balita_cli.net import FetchError, fetch_many

    results: dict[str, Upload | str] = {}
    requests = []
    for item in items:
        try:
            requests.append((item.url, check_url("image URL", item.url), None))
        except InvalidInput as exc:
            results[item.url] = exc.message
    for start in range(0, len(requests), FETCH_BATCH):
        for url, fetched in fetch_many(requests[start : start + FETCH_BATCH], policy).items():
            if isinstance(fetched, FetchError):
                results[url] = fetched.reason
                continue
            try:
                results[url] = prepare(store, fetched.body, url_name(fetched.url), source_url=url,
                                       served_as=fetched.content_type)  # fmt: skip
            except InvalidInput as exc:
                results[url] = exc.message
    return results


def link_fetched(session: Session, items: list[Missing], prepared: dict[str, Upload | str], *, who: str = "",
                 zone: Any = None) -> list[Outcome]:  # fmt: skip
    """Record each fetched image as a photo (described by its first article's image text) and make
    it the lead photo of the articles that named it, each a new version with its revision."""
    from balita_cli.services import articles
    from balita_cli.services.articles import ArticleChanges

    outcomes = []
    for item in items:
        upload = prepared.get(item.url, "not fetched")
        if isinstance(upload, str):
            outcomes.append(Outcome(item.url, item.article_ids, problem=upload))
            continue
        texts = _imported_texts(item)
        added = record_upload(session, upload, texts, who=who, zone=zone)
        for article_id in item.article_ids:
            articles.update(session, article_id, ArticleChanges(values={"photo": added.photo_id}), who=who,
                            note=f"lead photo fetched into the media library as photo {added.photo_id}")  # fmt: skip
        outcomes.append(Outcome(item.url, item.article_ids, photo_id=added.photo_id))
    return outcomes


def _imported_texts(item: Missing) -> dict[str, str]:
    """The article's image text, where it is storable as a photo's (an import may hold anything)."""
    texts = {}
    for name, value in (("alt", item.alt), ("caption", item.caption), ("credit", item.credit)):
        try:
            texts.update(clean_texts(**{name: value}))
        except InvalidInput:
            continue
    return texts
