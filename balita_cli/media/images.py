"""Reading an uploaded image: what it is, and whether balita accepts it.

Everything here is hostile until proven otherwise: the bytes, the file name, the EXIF text.
An image is accepted only when its *content* is JPEG, PNG, WebP or GIF (the name's extension is
never trusted), its header claims no more than ``max_pixels`` (checked before any pixel is
decoded, so a 20000×20000 "bomb" costs a header read), and every frame decodes completely.

Pillow is imported inside the functions: ``balita --help`` must not pay for it.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import struct
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal

from balita_cli.errors import InvalidInput
from balita_cli.media.names import clean_text, safe_display_name

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageFile import ImageFile

DEFAULT_MAX_PIXELS = 50_000_000
MAX_ICC_BYTES = 1 << 20


@dataclass(frozen=True)
class ImageFormat:
    name: str
    media_type: str
    extension: str
    pillow: str


FORMATS: dict[str, ImageFormat] = {
    item.name: item
    for item in (
        ImageFormat("jpeg", "image/jpeg", "jpg", "JPEG"),
        ImageFormat("png", "image/png", "png", "PNG"),
        ImageFormat("webp", "image/webp", "webp", "WEBP"),
        ImageFormat("gif", "image/gif", "gif", "GIF"),
    )
}
# Pillow opens a camera's multi-picture JPEG as "MPO"; only its first picture is ever published.
_ACCEPTED = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
_OPENERS = [item.pillow for item in FORMATS.values()]  # the only Pillow parsers hostile bytes ever reach
_ACCEPTED_NAMES = "JPEG, PNG, WebP or GIF"
# What Pillow raises on hostile or damaged input: its fuzz tests' list, plus the IndexError of
# its GIF reader on a frame cut short (found by fuzzing; see tests/test_media_images.py).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, NotImplementedError, struct.error, IndexError)


@dataclass(frozen=True)
class ImageInfo:
    """An accepted image. ``width``/``height`` are as displayed, after the EXIF orientation.

    ``taken_at`` is EXIF DateTimeOriginal: aware when the camera wrote OffsetTimeOriginal,
    otherwise naive: the camera's wall clock, zone unknown (the caller may read it in the site's
    zone with ``timeutil.as_utc``). ``camera`` is "Make Model", controls removed, not escaped.
    """

    sha256: str
    size: int
    format: str
    media_type: str
    width: int
    height: int
    orientation: int = 1
    taken_at: datetime | None = None
    has_gps: bool = False
    camera: str = ""
    has_alpha: bool = False
    frames: int = 1

    @property
    def animated(self) -> bool:
        return self.frames > 1

    @property
    def extension(self) -> str:
        return FORMATS[self.format].extension


@dataclass
class Decoded:
    """An image decoded by :func:`decode`: its info, and the frames the caller asked to keep."""

    info: ImageInfo
    frames: list[tuple[Image, int]] = field(default_factory=list)  # (frame, duration in ms)
    loop: int | None = None
    icc_profile: bytes | None = None


def inspect_image(data: bytes, *, name: str = "", max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageInfo:
    """Accept an upload or raise :class:`InvalidInput` with one line naming the file.

    Every frame is decoded (a truncated file is refused, not half-read); an animation's frames
    together count against ``max_pixels``. An animation is accepted; ``frames`` says how many.
    """
    return decode(data, name=name, max_pixels=max_pixels, keep="none").info


def decode(
    data: bytes, *, name: str = "", max_pixels: int = DEFAULT_MAX_PIXELS, keep: Literal["none", "first", "all"]
) -> Decoded:
    """The one road from bytes to pixels, shared by inspection, publishing and renditions."""
    from PIL import Image, UnidentifiedImageError  # here: Pillow only when an image is handled

    label = safe_display_name(name) or "the image"
    if not data:
        raise InvalidInput(f"{label} is empty (0 bytes)")
    refusal = _refusal(data)
    if refusal:
        raise InvalidInput(f"{label} {refusal}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            warnings.simplefilter("ignore", UserWarning)  # Pillow's "Corrupt EXIF data": dropped anyway
            with Image.open(io.BytesIO(data), formats=_OPENERS) as image:
                return _decode_frames(image, data, label, max_pixels, keep)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        claimed = re.search(r"\((\d+) pixels\)", str(exc))  # Pillow refused it in Image.open, from the header
        pixels = f"{int(claimed.group(1)):,}; " if claimed else ""
        limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
        raise InvalidInput(
            f"{label} has too many pixels ({pixels}limit {limit:,}): refused as a decompression bomb"
        ) from None
    except UnidentifiedImageError:
        raise InvalidInput(f"{label} is not an image balita accepts ({_ACCEPTED_NAMES})") from None
    except _DECODE_ERRORS as exc:
        raise InvalidInput(f"{label} is damaged or truncated: {clean_text(str(exc)) or type(exc).__name__}") from None


def _decode_frames(image: ImageFile, data: bytes, label: str, max_pixels: int, keep: str) -> Decoded:
    format_name = _ACCEPTED[image.format or ""]  # Image.open was limited to these formats
    stored_width, stored_height = image.size
    _check_pixels(label, stored_width * stored_height, max_pixels, stored_width, stored_height)
    orientation, taken_at, has_gps, camera = _metadata(image)
    icc_profile = _icc_profile(image.info.get("icc_profile"))
    loop = image.info.get("loop")
    frames: list[tuple[Image, int]] = []
    has_alpha, total, count = False, 0, 0
    for index in itertools.count():
        if index:
            try:
                image.seek(index)
            except EOFError:
                break
        total += image.size[0] * image.size[1]
        _check_pixels(label, total, max_pixels, *image.size, animated=index > 0)
        image.load()
        count += 1
        if index == 0:
            has_alpha = _has_alpha(image)
        if keep == "all" or (keep == "first" and index == 0):
            frames.append((image.copy(), int(image.info.get("duration") or 0)))
        if format_name == "jpeg":
            break  # an MPO's second picture (a preview, a depth map) is neither checked nor published
    width, height = (stored_height, stored_width) if orientation in (5, 6, 7, 8) else (stored_width, stored_height)
    info = ImageInfo(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        format=format_name,
        media_type=FORMATS[format_name].media_type,
        width=width,
        height=height,
        orientation=orientation,
        taken_at=taken_at,
        has_gps=has_gps,
        camera=camera,
        has_alpha=has_alpha,
        frames=count,
    )
    return Decoded(info, frames, loop if isinstance(loop, int) else None, icc_profile)


def _check_pixels(label: str, pixels: int, limit: int, width: int, height: int, *, animated: bool = False) -> None:
    if width <= 0 or height <= 0:
        raise InvalidInput(f"{label} has no pixels ({width}×{height})")
    if pixels > limit:
        what = "its frames together have" if animated else f"it is {width}×{height}, that is"
        raise InvalidInput(
            f"{label} has too many pixels ({what} {pixels:,}; limit {limit:,}): refused as a decompression bomb"
        )


def _has_alpha(image: Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA"):
        # An alpha channel that is opaque everywhere is no transparency.
        low, _high = image.getchannel("A").getextrema()
        return isinstance(low, int | float) and low < 255
    return "transparency" in image.info


_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"%PDF", 0, "PDF"),
    (b"8BPS", 0, "Photoshop (PSD)"),
    (b"\xff\x0a", 0, "JPEG XL"),
    (b"JXL ", 4, "JPEG XL"),
    (b"qoif", 0, "QOI"),
    (b"\x00\x00\x01\x00", 0, "ICO"),
)
_ISO_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIF", b"msf1": "HEIF", b"avif": "AVIF", b"avis": "AVIF"}
_SVG = re.compile(rb"<svg[\s>/]", re.IGNORECASE)


def _refusal(data: bytes) -> str:
    """Why a file Pillow need not even look at is refused, for a message better than "not an image"."""
    head = data[:65536]
    if _SVG.search(head) and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "is SVG, refused because it can carry script; export it as PNG"
    for signature, offset, kind in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return f"is {kind}, not an image balita accepts ({_ACCEPTED_NAMES})"
    if head[4:8] == b"ftyp" and head[8:12] in _ISO_BRANDS:
        return f"is {_ISO_BRANDS[head[8:12]]}, not an image balita accepts ({_ACCEPTED_NAMES}); export it as JPEG"
    if head[:2] == b"BM" and len(head) > 18 and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124):
        return f"is BMP, not an image balita accepts ({_ACCEPTED_NAMES})"
    return ""


def _icc_profile(raw: object) -> bytes | None:
    """An embedded ICC profile worth keeping: the right size and the 'acsp' signature."""
    if not isinstance(raw, bytes) or not 128 <= len(raw) <= MAX_ICC_BYTES:
        return None
    if raw[36:40] != b"acsp" or int.from_bytes(raw[:4], "big") != len(raw):
        return None
    return raw


_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_MAKE, _MODEL, _ORIENTATION = 0x010F, 0x0110, 0x0112
_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
_EXIF_DATETIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def _metadata(image: ImageFile) -> tuple[int, datetime | None, bool, str]:
    """Orientation, DateTimeOriginal, whether a location is recorded, and the camera.

    Broken EXIF is not a reason to refuse a photo: it is dropped from every published copy anyway.
    """
    try:
        exif = image.getexif()
        exif_ifd = exif.get_ifd(_EXIF_IFD)
        gps_ifd = exif.get_ifd(_GPS_IFD)
    except _DECODE_ERRORS:
        return 1, None, _xmp_has_gps(image.info), ""
    value = exif.get(_ORIENTATION)
    orientation = value if isinstance(value, int) and 1 <= value <= 8 else 1
    taken_at = _exif_datetime(exif_ifd.get(_DATETIME_ORIGINAL), exif_ifd.get(_OFFSET_TIME_ORIGINAL))
    has_gps = _GPS_IFD in exif or bool(gps_ifd) or _xmp_has_gps(image.info)
    make, model = (_exif_text(exif.get(tag)) for tag in (_MAKE, _MODEL))
    camera = model if make and model.casefold().startswith(make.casefold()) else f"{make} {model}"
    return orientation, taken_at, has_gps, clean_text(camera)


def _exif_text(value: object) -> str:
    return clean_text(value) if isinstance(value, str | bytes) else ""


def _exif_datetime(value: object, offset: object) -> datetime | None:
    match = _EXIF_DATETIME.match(_exif_text(value))
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None  # "0000:00:00 00:00:00" and other impossible dates
    zone = _EXIF_OFFSET.match(_exif_text(offset))
    if zone is not None:
        minutes = int(zone.group(2)) * 60 + int(zone.group(3))
        if minutes <= 14 * 60:
            sign = -1 if zone.group(1) == "-" else 1
            moment = moment.replace(tzinfo=timezone(timedelta(minutes=sign * minutes)))
    return moment


def _xmp_has_gps(info: Mapping[Any, Any]) -> bool:
    for key in ("xmp", "XML:com.adobe.xmp"):
        packet = info.get(key)
        if isinstance(packet, str):
            packet = packet.encode("utf-8", errors="replace")
        if isinstance(packet, bytes) and (b"GPSLatitude" in packet or b"GPSLongitude" in packet):
            return True
    return False
