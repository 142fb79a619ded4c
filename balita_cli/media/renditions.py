"""Responsive renditions for the site: a few widths, in WebP plus a fallback, never upscaled.

A rendition's name carries its original's hash (``media/<sha[:32]>-640.webp``), so a file that
exists is the right one and is never encoded again: a site build re-renders only new photos.
Renditions are made from the upright, metadata-free frame :func:`publish.prepare` gives, resized
with Lanczos; an animation's renditions are of its first frame (a still poster).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from balita_cli.errors import InvalidInput
from balita_cli.files import atomic_write_bytes
from balita_cli.media.images import FORMATS, ImageInfo, decode
from balita_cli.media.publish import prepare

if TYPE_CHECKING:
    from PIL.Image import Image

RENDITION_WIDTHS = (320, 640, 1024, 1600)
RENDITION_FORMATS = ("webp", "jpeg")
# JPEG has no transparency: an image that uses its alpha gets WebP plus a PNG fallback.
ALPHA_RENDITION_FORMATS = ("webp", "png")
RENDITION_DIRECTORY = "media"
# 128 bits of the hash: with 12 hex digits (48 bits) an uploader could make two images with
# the same name in about 2**24 tries, and one would be served as the other.
NAME_HASH_LENGTH = 32
MAX_RENDITION_WIDTH = 8192
MAX_RENDITION_HEIGHT = 16383  # WebP's limit: a long infographic gets narrower renditions instead
_ENCODERS = {"webp", "jpeg", "png"}
_QUALITY = {"jpeg": 82, "webp": 80}


@dataclass(frozen=True)
class RenditionPlan:
    width: int
    height: int
    format: str
    relative_path: str  # relative to the site's output directory, "/"-separated

    @property
    def media_type(self) -> str:
        return FORMATS[self.format].media_type


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    format: str
    media_type: str
    relative_path: str
    size: int


@dataclass(frozen=True)
class RenderResult:
    renditions: tuple[Rendition, ...]
    made: int
    reused: int


def rendition_formats(info: ImageInfo) -> tuple[str, ...]:
    return ALPHA_RENDITION_FORMATS if info.has_alpha else RENDITION_FORMATS


def plan_renditions(
    info: ImageInfo,
    widths: Sequence[int] = RENDITION_WIDTHS,
    formats: Sequence[str] | None = None,
    *,
    directory: str = RENDITION_DIRECTORY,
) -> list[RenditionPlan]:
    """The renditions of one image, by format then width, smallest first.

    Only widths up to the image's own are made; when the image is narrower than the widest
    requested width, one more rendition at its own width is added (a 200 px image gets one
    at 200, a 900 px image gets 320, 640 and 900), so the sharpest copy is never thrown away.
    Heights keep the aspect ratio, rounded to the nearest pixel, and stay under
    ``MAX_RENDITION_HEIGHT``: a width that would be taller is replaced by the widest that fits.
    """
    chosen_formats = tuple(dict.fromkeys(formats or rendition_formats(info)))
    unknown = [name for name in chosen_formats if name not in _ENCODERS]
    if unknown:
        raise InvalidInput(f"cannot make renditions in {', '.join(unknown)}; use {', '.join(sorted(_ENCODERS))}")
    if not widths or any(not isinstance(width, int) or not 0 < width <= MAX_RENDITION_WIDTH for width in widths):
        raise InvalidInput(f"rendition widths must be between 1 and {MAX_RENDITION_WIDTH} pixels")
    prefix = _safe_directory(directory)
    chosen = {width for width in widths if width <= info.width}
    if info.width < max(widths):
        chosen.add(info.width)
    fits = max(1, info.width * MAX_RENDITION_HEIGHT // info.height)
    chosen = {min(width, fits) for width in chosen}
    stem = info.sha256[:NAME_HASH_LENGTH]
    return [
        RenditionPlan(
            width=width,
            height=max(1, round(width * info.height / info.width)),
            format=name,
            relative_path=f"{prefix}{stem}-{width}.{FORMATS[name].extension}",
        )
        for name in chosen_formats
        for width in sorted(chosen)
    ]


def render_renditions(
    original: Path,
    info: ImageInfo,
    out_dir: Path,
    *,
    widths: Sequence[int] = RENDITION_WIDTHS,
    formats: Sequence[str] | None = None,
    directory: str = RENDITION_DIRECTORY,
) -> RenderResult:
    """Write the planned renditions under ``out_dir`` that are not there yet (mode ``0o644``)."""
    plans = plan_renditions(info, widths, formats, directory=directory)
    missing = [plan for plan in plans if not (out_dir / plan.relative_path).is_file()]
    if missing:
        frame, icc = _source_frame(original, info)
        resized: dict[int, Image] = {}
        for plan in sorted(missing, key=lambda plan: -plan.width):
            if plan.width not in resized:
                resized[plan.width] = _resize(frame, resized, plan.width, plan.height)
            # Durable: a file that exists is trusted as complete, so it must never be a crash's leftover.
            atomic_write_bytes(out_dir / plan.relative_path, _encode(resized[plan.width], plan.format, icc))
    renditions = tuple(
        Rendition(
            plan.width,
            plan.height,
            plan.format,
            plan.media_type,
            plan.relative_path,
            (out_dir / plan.relative_path).stat().st_size,
        )
        for plan in plans
    )
    return RenderResult(renditions, made=len(missing), reused=len(plans) - len(missing))


def srcset(renditions: Sequence[Rendition], format: str, prefix: str = "") -> str:
    """An ``srcset`` value for one format: ``"media/x-320.webp 320w, media/x-640.webp 640w"``."""
    chosen = {item.width: item for item in renditions if item.format == format}
    return ", ".join(f"{prefix}{chosen[width].relative_path} {width}w" for width in sorted(chosen))


def _safe_directory(directory: str) -> str:
    path = PurePosixPath(directory)
    if path.is_absolute() or ".." in path.parts or "\\" in directory:
        raise InvalidInput(f"rendition directory must stay inside the site: {directory[:80]!r}")
    return f"{path}/" if path.parts else ""


def _source_frame(original: Path, info: ImageInfo) -> tuple[Image, bytes | None]:
    data = original.read_bytes()
    if hashlib.sha256(data).hexdigest() != info.sha256:
        raise InvalidInput(f"{original.name} does not match its recorded sha256: the media store is damaged")
    pixels = info.width * info.height * info.frames
    decoded = decode(data, name=original.name, max_pixels=pixels, keep="first")
    frame, icc = prepare(decoded.frames[0][0], info.orientation, decoded.icc_profile, rgb=True)
    if frame.mode == "RGBA" and not info.has_alpha:
        frame = frame.convert("RGB")
    return frame, icc


def _resize(frame: Image, done: dict[int, Image], width: int, height: int) -> Image:
    """Lanczos, from the smallest image already made that is at least twice as wide (or the source)."""
    from PIL import Image as PILImage  # here: Pillow only when an image is handled

    if (width, height) == frame.size:
        return frame
    larger = [image for made_width, image in done.items() if made_width >= 2 * width]
    source = min(larger, key=lambda image: image.width) if larger else frame
    return source.resize((width, height), PILImage.Resampling.LANCZOS)


def _encode(image: Image, format: str, icc: bytes | None) -> bytes:
    from PIL import Image as PILImage  # here: Pillow only when an image is handled

    options: dict[str, Any] = {"format": FORMATS[format].pillow}
    if icc is not None:
        options["icc_profile"] = icc
    if format == "jpeg":
        if image.mode == "RGBA":  # flattened on white when a caller asks JPEG of a transparent image
            flat = PILImage.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        options.update(quality=_QUALITY["jpeg"], progressive=True, optimize=True)
    elif format == "webp":
        options.update(quality=_QUALITY["webp"], method=4)
    else:
        options.update(compress_level=6)
    buffer = io.BytesIO()
    image.save(buffer, **options)
    return buffer.getvalue()
