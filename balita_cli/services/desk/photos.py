"""A source's images kept in the media library: fetched before filing, recorded as stories are filed.

For a source set to keep photos (``source add/edit --keep-photos``), each new entry's image is
fetched as ``balita media add URL`` fetches one (``media/uploads.py``: JPEG, PNG, WebP or GIF,
whole, at most 40 MB) under the source's address policy, before the write transaction takes the
database's lock; its original goes into the media store. When the entry becomes a new story, the
photo's row is added (credited to the outlet) and the story leads with it instead of linking the
outlet's file. An image that cannot be had leaves the story its link and the run one warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from balita_cli.errors import InvalidInput
from balita_cli.services.desk.source_settings import SourceRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.config import Settings
    from balita_cli.media.library import Upload
    from balita_cli.schema import ArticleInput


ImageKey = tuple[bool, str]  # (fetched with private addresses allowed, the image's URL)


def image_wanted(source: SourceRecord, record: ArticleInput) -> ImageKey | None:
    """What to fetch for a story of ``source``: its image under the source's address policy, or
    None when the source links images (or the story has none)."""
    if not source["keep_photos"] or not record.get("image_url"):
        return None
    return bool(source["allow_private"]), str(record["image_url"])


def fetch_images(wanted: Iterable[ImageKey], settings: Settings) -> dict[ImageKey, Upload | str]:
    """Each image once, under its policy, stored in the media store: an upload, or why not."""
    keys = list(dict.fromkeys(wanted))
    if not keys:
        return {}
    # here: the image and network code only for a run that keeps photos
    from balita_cli.media.library import store_for
    from balita_cli.media.uploads import Missing, fetch_missing, fetch_policy

    try:
        store = store_for(settings)
    except InvalidInput as exc:
        return dict.fromkeys(keys, exc.message)
    found: dict[ImageKey, Upload | str] = {}
    for allow_private in (False, True):
        urls = [url for private, url in keys if private is allow_private]
        if urls:
            policy = fetch_policy(settings, allow_private=allow_private)
            fetched = fetch_missing([Missing(url, (), "", "", "") for url in urls], store, policy)
            found.update(((allow_private, url), fetched.get(url, "not fetched")) for url in urls)
    return found


def lead_with_photo(session: Session, record: ArticleInput, upload: Upload, *, who: str) -> None:
    """Record the upload as a library photo credited to the outlet (described by the feed's alt
    text, else the story's title) and make it the record's lead photo in place of the link."""
    from balita_cli.media.library import clean_texts, record_upload  # here: only when a photo came

    texts: dict[str, str] = {}
    given = {"alt": str(record.get("image_alt") or record.get("title") or ""), "credit": str(record["source_name"])}
    for name, value in given.items():
        try:  # a feed's text the photo cannot hold is left out, never the story
            texts.update(clean_texts(**{name: value[:200] if name == "credit" else value[:1000]}))
        except InvalidInput:
            continue
    added = record_upload(session, upload, texts, who=who)
    record["photo"] = added.photo_id
    record["image_url"] = ""


def unkept_warning(record: ArticleInput, reason: str) -> str:
    """The one line a run reports for an image it could not keep."""
    return f"{record.origin}: its image stays linked at the outlet: {reason}"
