"""The image core of the media library: accept an upload, store its original, publish clean copies.

``inspect_image`` accepts or refuses bytes; ``MediaStore`` keeps originals by content;
``publishable`` and ``render_renditions`` make what the public sees: upright, without EXIF/GPS.
Nothing here opens a database or prints; Pillow is imported only when an image is handled.
"""

from __future__ import annotations

from balita_cli.media.images import DEFAULT_MAX_PIXELS, FORMATS, ImageFormat, ImageInfo, inspect_image
from balita_cli.media.names import clean_text, safe_display_name
from balita_cli.media.publish import publishable
from balita_cli.media.renditions import (
    ALPHA_RENDITION_FORMATS,
    RENDITION_FORMATS,
    RENDITION_WIDTHS,
    RenderResult,
    Rendition,
    RenditionPlan,
    plan_renditions,
    render_renditions,
    srcset,
)
from balita_cli.media.store import MediaStore

__all__ = [
    "ALPHA_RENDITION_FORMATS",
    "DEFAULT_MAX_PIXELS",
    "FORMATS",
    "RENDITION_FORMATS",
    "RENDITION_WIDTHS",
    "ImageFormat",
    "ImageInfo",
    "MediaStore",
    "RenderResult",
    "Rendition",
    "RenditionPlan",
    "clean_text",
    "inspect_image",
    "plan_renditions",
    "publishable",
    "render_renditions",
    "safe_display_name",
    "srcset",
]
