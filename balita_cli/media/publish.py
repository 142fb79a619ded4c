"""The copies the public sees: upright, and carrying nothing but pixels and a colour profile.

A published copy is re-encoded from pixels into a fresh image whose ``info`` is emptied, and the
encoder is handed only what it must write (ICC profile, transparency, frame timing). Pillow copies
``info`` into its output on its own (a JPEG's COM comment, a GIF's comment, XMP), so emptying it
is what keeps EXIF, GPS, XMP, IPTC and comments out, whatever the source carried.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from balita_cli.media.images import DEFAULT_MAX_PIXELS, FORMATS, decode

if TYPE_CHECKING:
    from PIL.Image import Image

JPEG_QUALITY = 88
WEBP_QUALITY = 88
# The only ``info`` a published frame keeps; everything else is metadata.
_KEPT_INFO = ("transparency",)
# The colour space an ICC profile must describe to be embedded with an image of each mode.
_ICC_SPACES = {"RGB": b"RGB ", "RGBA": b"RGB ", "P": b"RGB ", "L": b"GRAY", "LA": b"GRAY", "I;16": b"GRAY"}
_WIDE_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")


def publishable(data: bytes, *, name: str = "", max_pixels: int = DEFAULT_MAX_PIXELS) -> bytes:
    """The copy the public may download: same format, orientation applied, no metadata.

    JPEG is quality 88, progressive; PNG is optimized; an animation keeps its frames, timing and
    loop count. The ICC profile is kept when it describes the pixels (a CMYK JPEG is converted
    to sRGB RGB instead: browsers render CMYK inconsistently). Raises ``InvalidInput`` as
    :func:`inspect_image` does.
    """
    decoded = decode(data, name=name, max_pixels=max_pixels, keep="all")
    info = decoded.info
    frames: list[Image] = []
    icc = decoded.icc_profile
    for frame, _duration in decoded.frames:
        prepared, icc = prepare(frame, info.orientation, decoded.icc_profile, rgb=False)
        if info.format == "jpeg" and prepared.mode not in ("L", "RGB"):
            prepared = prepared.convert("RGB")
            icc = icc if _icc_fits(prepared.mode, icc) else None
        frames.append(prepared)
    options: dict[str, Any] = {"format": FORMATS[info.format].pillow}
    if icc is not None and info.format != "gif":
        options["icc_profile"] = icc
    if info.format == "jpeg":
        options.update(quality=JPEG_QUALITY, progressive=True, optimize=True)
    elif info.format == "png":
        options.update(optimize=True)
    elif info.format == "webp":
        options.update(quality=WEBP_QUALITY, method=4)
    if len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:], duration=[d for _, d in decoded.frames])
        if decoded.loop is not None:
            options["loop"] = decoded.loop
    buffer = io.BytesIO()
    frames[0].save(buffer, **options)
    return buffer.getvalue()


def prepare(image: Image, orientation: int, icc: bytes | None, *, rgb: bool) -> tuple[Image, bytes | None]:
    """A decoded frame made upright and stripped of ``info``; with ``rgb``, 8-bit RGB or RGBA.

    Returns the frame and the ICC profile that still describes it (``None`` when it no longer
    does, e.g. after a CMYK frame is converted to sRGB). ``image`` is a frame :func:`decode` kept
    for the caller: it may be changed in place (a 12-megapixel copy saved).
    """
    from PIL import Image as PILImage  # here: Pillow only when an image is handled

    transposes = {
        2: PILImage.Transpose.FLIP_LEFT_RIGHT,
        3: PILImage.Transpose.ROTATE_180,
        4: PILImage.Transpose.FLIP_TOP_BOTTOM,
        5: PILImage.Transpose.TRANSPOSE,
        6: PILImage.Transpose.ROTATE_270,
        7: PILImage.Transpose.TRANSVERSE,
        8: PILImage.Transpose.ROTATE_90,
    }  # the same table as ImageOps.exif_transpose, applied to every frame of an animation
    method = transposes.get(orientation)
    upright = image.transpose(method) if method is not None else image
    kept = {key: upright.info[key] for key in _KEPT_INFO if key in upright.info}
    upright.info.clear()
    upright.info.update(kept)
    if upright.mode == "CMYK":
        upright, icc = _cmyk_to_srgb(upright, icc), None
    elif upright.mode == "PA":
        upright = upright.convert("RGBA")
    if rgb:
        if upright.mode in _WIDE_MODES:  # 16 bits to 8, scaled rather than clipped
            upright = upright.convert("I").point(lambda value: value * (1 / 256)).convert("L")
        has_alpha = upright.mode in ("RGBA", "LA") or "transparency" in upright.info  # tRNS: a colour key
        target = "RGBA" if has_alpha else "RGB"
        if upright.mode != target:
            upright = upright.convert(target)
        upright.info.clear()
    return upright, icc if _icc_fits(upright.mode, icc) else None


def _icc_fits(mode: str, icc: bytes | None) -> bool:
    return icc is not None and _ICC_SPACES.get(mode) == icc[16:20]


def _cmyk_to_srgb(image: Image, icc: bytes | None) -> Image:
    from PIL import ImageCms  # here: Pillow only when an image is handled

    if icc is not None and icc[16:20] == b"CMYK":
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # a profile littleCMS cannot use: fall back to the naive conversion
        if converted is not None:
            converted.info.clear()
            return converted
    rgb = image.convert("RGB")
    rgb.info.clear()
    return rgb
