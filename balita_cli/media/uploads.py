"""Images coming into the media library: from a file, from a URL, and the lead images imports left as URLs.

An upload is read and inspected *before* any transaction opens (decoding a large photo takes a
moment, and a write transaction holds SQLite's lock): :func:`read_file` / :func:`fetch_image`
give bytes, :func:`prepare` accepts or refuses them and stores the original in the media store
(content-addressed, so storing twice is harmless); ``media.record_upload`` then adds the
``photo`` row in the caller's transaction. ``media fetch --missing`` (:func:`missing`,
:func:`fetch_missing`, :func:`link_fetched`) fetches each image an import named only by URL,
once, and makes it the lead photo of the articles that named it.

The image code (``balita_cli.media``) and the network (``balita_cli.net``) are imported when used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from balita_cli.db.dbapi import Database
from balita_cli.errors import InvalidInput
from balita_cli.media import inspect_image, safe_display_name
from balita_cli.media.library import Upload, clean_texts, record_upload
from balita_cli.net import FetchError, FetchPolicy, fetch, fetch_many
from balita_cli.net.policy import DEFAULT_USER_AGENT, header_safe
from balita_cli.schema import check_url
from balita_cli.services import articles
from balita_cli.services.articles import ArticleChanges

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.config import Settings
    from balita_cli.media import MediaStore
    from balita_cli.net import FetchPolicy

MAX_PHOTO_BYTES = 40 * 1024 * 1024  # a camera's largest JPEG is about 25 MB
FETCH_DEADLINE = 60.0


# ---------------------------------------------------------------- reading an upload


def read_file(path: str | Path) -> tuple[bytes, str]:
    """The bytes of a local image file, at most ``MAX_PHOTO_BYTES``; one-line errors."""
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
    email = settings.site.publisher.email
    contact = header_safe(f"{DEFAULT_USER_AGENT[:-1]}; {email})") if email else None
    return FetchPolicy(
        deadline=FETCH_DEADLINE,
        max_bytes=MAX_PHOTO_BYTES,
        allow_private=allow_private,
        accept="image/*",
        user_agent=contact or DEFAULT_USER_AGENT,
    )


def fetch_image(store: MediaStore, url: str, policy: FetchPolicy) -> Upload:
    """GET an image once and prepare it (see :func:`prepare`); the URL is kept as its source.
    Raises ``FetchError`` or ``InvalidInput``, one line each."""
    checked = check_url("image URL", url)
    if not checked:
        raise InvalidInput("image URL is empty")
    fetched = fetch(checked, policy)
    return prepare(store, fetched.body, url_name(fetched.url), source_url=checked, served_as=fetched.content_type)


def url_name(url: str) -> str:
    """The last part of a URL's path, for people ("photo.jpg"), else its host."""
    parts = urlsplit(url)
    return unquote(parts.path.rsplit("/", 1)[-1]) or parts.hostname or "image"


def prepare(store: MediaStore, data: bytes, name: str, *, source_url: str = "", served_as: str = "") -> Upload:
    """Accept the bytes as an image (``inspect_image``: JPEG, PNG, WebP or GIF, whole, not a
    bomb) and store the original; ``served_as`` is the Content-Type a server gave, for the message."""
    shown = safe_display_name(name) or "the image"
    try:
        info = inspect_image(data, name=shown)
    except InvalidInput as exc:
        if served_as and not served_as.startswith("image/"):
            raise InvalidInput(f"{exc.message} (the server sent {served_as[:60]})") from None
        raise
    store.add(data, info)
    return Upload(info=info, name=shown, source_url=check_url("source URL", source_url) if source_url else "")


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
                results[url] = prepare(
                    store, fetched.body, url_name(fetched.url), source_url=url, served_as=fetched.content_type
                )
            except InvalidInput as exc:
                results[url] = exc.message
    return results


def link_fetched(
    session: Session, items: list[Missing], prepared: dict[str, Upload | str], *, who: str = "", zone: Any = None
) -> list[Outcome]:
    """Record each fetched image as a photo (described by its first article's image text) and make
    it the lead photo of the articles that named it, each a new version with its revision."""
    outcomes = []
    for item in items:
        upload = prepared.get(item.url, "not fetched")
        if isinstance(upload, str):
            outcomes.append(Outcome(item.url, item.article_ids, problem=upload))
            continue
        texts = _imported_texts(item)
        added = record_upload(session, upload, texts, who=who, zone=zone)
        for article_id in item.article_ids:
            articles.update(
                session,
                article_id,
                ArticleChanges(values={"photo": added.photo_id}),
                who=who,
                note=f"lead photo fetched into the media library as photo {added.photo_id}",
            )
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
