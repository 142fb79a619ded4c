"""Photos on the site: responsive renditions and the crops search engines ask for, made once.

An article's library photo becomes WebP and JPEG renditions up to 1600 px and three crops for
the NewsArticle JSON-LD (``balita_cli.media.render_renditions``). Every name carries the
original's hash, so a file that exists is the right one and an unchanged photo is never decoded
again; renditions go through the output tree's manifest, so those no article uses are removed."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from balita_cli.errors import BalitaError, InvalidInput
from balita_cli.files import atomic_write_bytes
from balita_cli.media.images import FORMATS, ImageInfo, decode, inspect_image
from balita_cli.media.publish import prepare
from balita_cli.media.renditions import (
    NAME_HASH_LENGTH,
    RENDITION_DIRECTORY,
    RENDITION_FORMATS,
    RENDITION_WIDTHS,
    RenditionPlan,
    plan_renditions,
    render_renditions,
)
from balita_cli.media.store import MediaStore
from balita_cli.site.output import OutputTree, read_manifest

# A transparent image keeps its transparency in WebP and PNG; the JPEG is for feeds (media/urls.py).
ALPHA_FORMATS = ("webp", "png", "jpeg")
# The crops Google asks of a NewsArticle image (16:9, 4:3 and 1:1), at most this wide.
CROPS = ((16, 9), (4, 3), (1, 1))
CROP_WIDTH = 1200
CROP_QUALITY = 82
MAX_SIDE = 1_000_000
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Crop:
    path: str
    width: int
    height: int


@dataclass(frozen=True)
class Picture:
    """A photo as the build made it: where its files are and what a page says about it."""

    sha256: str
    width: int
    height: int
    renditions: tuple[RenditionPlan, ...]
    fallback: str  # the format of <img src>: jpeg, or png for a transparent image
    crops: tuple[Crop, ...]
    alt: str
    caption: str
    credit: str

    def of_format(self, format: str) -> list[RenditionPlan]:
        return [plan for plan in self.renditions if plan.format == format]

    def largest(self, format: str | None = None) -> RenditionPlan:
        return self.of_format(format or self.fallback)[-1]

    def identity(self) -> list[Any]:
        """What a page's key hashes: the facts its files and text follow from (the renditions are
        planned from these by the balita version the key also holds)."""
        return [self.sha256, self.width, self.height, self.fallback, self.alt, self.caption, self.credit]


@dataclass
class PhotoLibrary:
    """The build's photos: ``picture(photo)`` makes what is missing and claims the files."""

    tree: OutputTree
    store: MediaStore | None
    # Another build's output whose renditions may be linked instead of made (the preview takes
    # them from the site's output folder: the same name is the same file).
    seed: Path | None = None
    made: int = 0
    reused: int = 0
    problems: list[str] = field(default_factory=list)
    _done: dict[str, tuple[tuple[RenditionPlan, ...], str, tuple[Crop, ...]] | None] = field(default_factory=dict)
    _seed_memo: dict[str, Any] | None = None

    def picture(self, photo: Mapping[str, Any] | None) -> Picture | None:
        """The article's photo with its files in the output, or None (no photo, or one the build
        could not make: the reason is in ``problems``)."""
        if not photo:
            return None
        why = _unusable(photo)  # a record that cannot name a file (bad digest, format, size)
        if why:
            self._problem(photo, why)
            return None
        sha = str(photo["sha256"])
        if sha not in self._done:
            self._done[sha] = self._files(photo)
        made = self._done[sha]
        if made is None:
            return None
        renditions, fallback, crops = made
        return Picture(
            sha256=sha,
            width=int(photo["width"]),
            height=int(photo["height"]),
            renditions=renditions,
            fallback=fallback,
            crops=crops,
            alt=str(photo.get("alt") or ""),
            caption=str(photo.get("caption") or ""),
            credit=str(photo.get("credit") or ""),
        )

    def _files(self, photo: Mapping[str, Any]) -> tuple[tuple[RenditionPlan, ...], str, tuple[Crop, ...]] | None:
        sha = str(photo["sha256"])
        memo = self.tree.previous_memo.get(f"photo:{sha}")
        alpha = bool(memo.get("alpha")) if isinstance(memo, dict) else None
        if alpha is not None:
            plans, crops = self._plans(photo, alpha)
            sizes = self._sizes(plans, crops)
            if sizes is not None:
                self.reused += 1
                return self._claim(sha, plans, crops, alpha, sizes)
        seeded = self._from_seed(photo)
        if seeded is not None:
            return seeded
        if self.store is None:
            self._problem(photo, "no media folder is set")
            return None
        try:
            original = self.store.fetch(sha, str(photo["format"]))
            data = original.read_bytes()
            info = inspect_image(data, name=original.name)
            if info.sha256 != sha:
                raise InvalidInput(f"{original.name} does not match its recorded sha256: the media store is damaged")
            plans, crops = self._plans(photo, info.has_alpha)
            render_renditions(original, info, self.tree.root, formats=_formats(info.has_alpha))
            missing = [crop for crop in crops if not _complete(self.tree.root / crop.path)]
            if missing:
                _write_crops(data, info, self.tree.root, missing)
        except FileNotFoundError:
            shared = f" and {self.store.bucket.url}" if self.store.bucket is not None else ""
            self._problem(photo, f"its original is missing from the media folder{shared} ({sha[:12]}…)")
            return None
        except OSError as exc:
            self._problem(photo, f"cannot read its original: {exc.strerror or exc}")
            return None
        except BalitaError as exc:
            self._problem(photo, exc.message)
            return None
        self.made += 1
        return self._claim(sha, plans, crops, info.has_alpha)

    def _from_seed(self, photo: Mapping[str, Any]) -> tuple[tuple[RenditionPlan, ...], str, tuple[Crop, ...]] | None:
        """Link the photo's files from ``seed`` when that build made them all."""
        if self.seed is None:
            return None
        if self._seed_memo is None:
            memo = read_manifest(self.seed).get("memo")
            self._seed_memo = memo if isinstance(memo, dict) else {}
        sha = str(photo["sha256"])
        found = self._seed_memo.get(f"photo:{sha}")
        if not isinstance(found, dict):
            return None
        alpha = bool(found.get("alpha"))
        plans, crops = self._plans(photo, alpha)
        paths = [plan.relative_path for plan in plans] + [crop.path for crop in crops]
        if not all(_complete(self.seed / path) for path in paths):
            return None
        for path in paths:
            target = self.tree.root / path
            if not _complete(target):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.unlink(missing_ok=True)
                try:
                    os.link(self.seed / path, target)
                except OSError:
                    shutil.copyfile(self.seed / path, target)
        self.reused += 1
        return self._claim(sha, plans, crops, alpha)

    def _plans(self, photo: Mapping[str, Any], alpha: bool) -> tuple[tuple[RenditionPlan, ...], tuple[Crop, ...]]:
        info = _info(photo)
        return tuple(plan_renditions(info, RENDITION_WIDTHS, _formats(alpha))), _crop_plans(info)

    def _sizes(self, plans: tuple[RenditionPlan, ...], crops: tuple[Crop, ...]) -> dict[str, int] | None:
        """The files' sizes when every one is as the last build recorded it, else None."""
        sizes = {}
        root = str(self.tree.root)
        for path in [plan.relative_path for plan in plans] + [crop.path for crop in crops]:
            entry = self.tree.previous.get(path)
            try:
                size = os.stat(os.path.join(root, path)).st_size  # thousands of photos: no pathlib here
            except OSError:
                return None
            if entry is None or size != entry.get("size"):
                return None
            sizes[path] = size
        return sizes

    def _claim(
        self,
        sha: str,
        plans: tuple[RenditionPlan, ...],
        crops: tuple[Crop, ...],
        alpha: bool,
        sizes: dict[str, int] | None = None,
    ) -> tuple[tuple[RenditionPlan, ...], str, tuple[Crop, ...]]:
        for path in [plan.relative_path for plan in plans] + [crop.path for crop in crops]:
            self.tree.claim(path, sha, size=sizes.get(path) if sizes else None)
        self.tree.memo[f"photo:{sha}"] = {"alpha": alpha}
        return plans, "png" if alpha else "jpeg", crops

    def _problem(self, photo: Mapping[str, Any], why: str) -> None:
        self.problems.append(f"photo {photo.get('id')}: {why}")


def _unusable(photo: Mapping[str, Any]) -> str:
    """Why a photo record cannot name its files ("" when it can)."""
    sha, format = photo.get("sha256"), photo.get("format")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        return "it has no valid sha256"
    if format not in FORMATS:
        return f"its format {str(format)[:20]!r} is not one balita knows"
    for side in (photo.get("width"), photo.get("height")):
        if not isinstance(side, int) or isinstance(side, bool) or not 0 < side <= MAX_SIDE:
            return "it has no valid width and height"
    return ""


def _complete(path: Path) -> bool:
    """A crop written by an earlier build (not synced before a crash, it may be empty)."""
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _formats(alpha: bool) -> tuple[str, ...]:
    return ALPHA_FORMATS if alpha else RENDITION_FORMATS


def _info(photo: Mapping[str, Any]) -> ImageInfo:
    fmt = str(photo["format"])
    return ImageInfo(
        sha256=str(photo["sha256"]),
        size=0,
        format=fmt,
        media_type=FORMATS[fmt].media_type,
        width=int(photo["width"]),
        height=int(photo["height"]),
    )


def _crop_plans(info: ImageInfo) -> tuple[Crop, ...]:
    """16:9, 4:3 and 1:1 crops from the middle of the photo, at most ``CROP_WIDTH`` wide."""
    crops = []
    for across, down in CROPS:
        width = min(info.width, info.height * across // down, CROP_WIDTH)
        height = max(1, width * down // across)
        width = max(1, height * across // down)
        stem = info.sha256[:NAME_HASH_LENGTH]
        crops.append(Crop(f"{RENDITION_DIRECTORY}/{stem}-{across}x{down}.jpg", width, height))
    return tuple(crops)


def _write_crops(data: bytes, info: ImageInfo, root: Path, crops: list[Crop]) -> None:
    """Crop the upright, metadata-free frame (as renditions are made) and save JPEGs."""
    decoded = decode(data, max_pixels=info.width * info.height * info.frames, keep="first")
    frame, icc = prepare(decoded.frames[0][0], info.orientation, decoded.icc_profile, rgb=True)
    if frame.mode == "RGBA":  # JPEG has no transparency: flattened on white
        flat = Image.new("RGB", frame.size, (255, 255, 255))
        flat.paste(frame, mask=frame.getchannel("A"))
        frame = flat
    for crop in crops:
        across, down = crop.width, crop.height
        box_width = min(frame.width, frame.height * across // down)
        box_height = min(frame.height, box_width * down // across)
        left, top = (frame.width - box_width) // 2, (frame.height - box_height) // 2
        cut = frame.crop((left, top, left + box_width, top + box_height))
        cut = cut.resize((crop.width, crop.height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        options: dict[str, Any] = {"quality": CROP_QUALITY, "progressive": True, "optimize": True}
        if icc is not None:
            options["icc_profile"] = icc
        cut.save(buffer, format="JPEG", **options)
        # Synced with every other file of the build, before its manifest names it.
        atomic_write_bytes(root / crop.path, buffer.getvalue(), durable=False)
