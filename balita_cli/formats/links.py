"""The one rule for every URL a public output carries, and the lead image as feeds describe it.

URLs are checked when they are stored (``schema.check_url``), and again here, when they are
written: a value that reached the database some other way (an older version, another client, a
hand-edited row) must not become a ``javascript:`` link in a reader. Every URL-bearing element
and attribute of the feeds, ninjs and sitemaps goes through :func:`web_url`: http or https with
a host, no white space or control character, else it is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from balita_cli.errors import InvalidInput
from balita_cli.formats.html import clean_text
from balita_cli.media.urls import photo_renditions, served_photo
from balita_cli.records import Record
from balita_cli.schema import control_characters, is_web_url


def web_url(value: Any) -> str | None:
    """``value`` when it is an http(s) URL readers may follow (no control characters either),
    else None."""
    if not isinstance(value, str) or not value or control_characters(value):
        return None
    return value if is_web_url(value) else None


def site_url(site: Any) -> str:
    """The site's base URL, which channel and feed links need: refused when it is not http(s)."""
    url = web_url(site.base_url)
    if url is None:
        raise InvalidInput(f"the site's base_url must be an http(s) URL, not {str(site.base_url)[:60]!r}")
    return url


@dataclass(frozen=True)
class LeadImage:
    """What a feed says of an article's lead photo. ``width``/``height``/``length``/``media_type``
    are known for a photo of the media library and None for a hot-linked ``image_url``."""

    url: str
    library: bool
    media_type: str | None = None
    width: int | None = None
    height: int | None = None
    length: int | None = None
    alt: str = ""
    caption: str = ""
    credit: str = ""
    renditions: tuple[tuple[str, int, int, str], ...] = ()  # (url, width, height, media type), narrowest first


def lead_image(record: Record, site: Any, *, hotlinked: bool = True) -> LeadImage | None:
    """The article's lead image: its library photo, served by the site (see ``media.urls``), or
    else, when ``hotlinked``, its ``image_url`` on another server (only where an output carried
    it before the media library: JSON Feed and ninjs).

    ``length`` is the size of the stored original: the rendition a reader downloads is made at
    build time, so its exact size is not known to an export; feeds give it as the hint that RSS
    ``enclosure length`` and Atom ``length`` are ("advisory", RFC 4287).
    """
    photo = record.get("photo")
    served = served_photo(site, photo) if isinstance(photo, dict) else None
    if served is not None and web_url(served.url) and isinstance(photo, dict):
        base = str(site.base_url).rstrip("/")
        renditions = tuple(
            (f"{base}/{plan.relative_path}", plan.width, plan.height, plan.media_type)
            for plan in photo_renditions(photo)
        )
        size = photo.get("size")
        return LeadImage(
            url=served.url,
            library=True,
            media_type=served.media_type,
            width=served.width,
            height=served.height,
            length=size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else None,
            alt=clean_text(str(photo.get("alt") or "")),
            caption=clean_text(str(photo.get("caption") or "")),
            credit=clean_text(str(photo.get("credit") or "")),
            renditions=renditions,
        )
    url = web_url(record.get("image_url")) if hotlinked else None
    if url is None:
        return None
    return LeadImage(
        url=url,
        library=False,
        alt=clean_text(record.get("image_alt")),
        caption=clean_text(record.get("image_caption")),
        credit=clean_text(record.get("image_credit")),
    )
