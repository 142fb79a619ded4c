"""Where a library photo is served on the public site: one rule for the site build and every feed.

Feeds, sitemaps and partner formats link to the largest JPEG rendition the build makes, which
every reader can show. The path follows from the photo's record alone (nothing here reads a file
or imports Pillow), and that record is checked like any input: a bad digest, format or size
gives no URL (:func:`served_photo` returns None)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from balita_cli.errors import InvalidInput
from balita_cli.media.images import FORMATS, ImageInfo
from balita_cli.media.renditions import RENDITION_WIDTHS, RenditionPlan, plan_renditions

FEED_FORMAT = "jpeg"  # what feeds, sitemaps and ninjs link to: every reader shows a JPEG
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_SIDE = 1_000_000


@dataclass(frozen=True)
class ServedPhoto:
    """One served rendition of a photo: where it is, and what a feed says about it."""

    url: str  # absolute: the site's base URL + path
    path: str  # relative to the site's output directory: "media/<sha256[:32]>-<width>.jpg"
    width: int
    height: int
    media_type: str


def _info(photo: Mapping[str, Any]) -> ImageInfo:
    """The parts of an :class:`ImageInfo` a rendition's name and size depend on, checked."""
    sha256, format = photo.get("sha256"), photo.get("format")
    width, height = photo.get("width"), photo.get("height")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise InvalidInput(f"photo {photo.get('id')} has no valid sha256")
    if format not in FORMATS:
        raise InvalidInput(f"photo {photo.get('id')} has an unknown format {str(format)[:20]!r}")
    if not (isinstance(width, int) and isinstance(height, int) and _is_side(width) and _is_side(height)):
        raise InvalidInput(f"photo {photo.get('id')} has no valid width and height")
    return ImageInfo(
        sha256=sha256, size=0, format=format, media_type=FORMATS[format].media_type, width=width, height=height
    )


def _is_side(value: int) -> bool:
    return not isinstance(value, bool) and 0 < value <= _MAX_SIDE


def photo_renditions(photo: Mapping[str, Any], format: str = FEED_FORMAT) -> list[RenditionPlan]:
    """The renditions the build makes of this photo in ``format``, narrowest first."""
    return plan_renditions(_info(photo), RENDITION_WIDTHS, (format,))


def rendition(photo: Mapping[str, Any], width: int | None = None, format: str = FEED_FORMAT) -> RenditionPlan:
    """The rendition of ``width`` (None: the widest), as the build names and sizes it."""
    plans = photo_renditions(photo, format)
    if width is None:
        return plans[-1]
    for plan in plans:
        if plan.width == width:
            return plan
    widths = ", ".join(str(plan.width) for plan in plans)
    raise InvalidInput(f"photo {photo.get('id')} has no {width} px rendition (it has {widths})")


def photo_path(photo: Mapping[str, Any], width: int | None = None, format: str = FEED_FORMAT) -> str:
    """``media/<sha256[:32]>-<width>.<ext>``, relative to the site's output directory."""
    return rendition(photo, width, format).relative_path


def photo_url(site: Any, photo: Mapping[str, Any], width: int | None = None, format: str = FEED_FORMAT) -> str:
    """The public URL of a rendition: ``<base_url>/media/<sha256[:32]>-<width>.<ext>``.

    ``site`` is the :class:`balita_cli.config.Site` (only ``base_url`` is read). Raises
    ``InvalidInput`` for a photo record that cannot name a file (see the module docstring).
    """
    return f"{str(site.base_url).rstrip('/')}/{photo_path(photo, width, format)}"


def served_photo(site: Any, photo: Mapping[str, Any] | None, format: str = FEED_FORMAT) -> ServedPhoto | None:
    """The widest rendition of a record's photo as feeds link it, or None (no photo, or a record
    that cannot name a file)."""
    if not photo:
        return None
    try:
        plan = rendition(photo, None, format)
    except InvalidInput:
        return None
    url = f"{str(site.base_url).rstrip('/')}/{plan.relative_path}"
    return ServedPhoto(
        url=url, path=plan.relative_path, width=plan.width, height=plan.height, media_type=plan.media_type
    )
