"""The built site as tests read it: the build's report and manifest, article pages, and photos
made with Pillow and stored the way the media library stores them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import lxml.html
from sqlalchemy import text

from balita_cli.db.engine import session_scope
from balita_cli.media import MediaStore, inspect_image
from balita_cli.models import Status
from balita_cli.services import articles, publishing
from tests.helpers.cli import Cli
from tests.helpers.database import engine_of, store_raw

MANIFEST = ".balita-build.json"


def site_manifest_files(output: Path) -> dict[str, dict[str, Any]]:
    """Path -> entry of each file the last build of ``output`` recorded, whichever layout its
    manifest has (version 3 keeps one list per field; older ones an object per file)."""
    files = json.loads((output / MANIFEST).read_text(encoding="utf-8"))["files"]
    if isinstance(files.get("path"), list):
        rows = zip(*(files[name] for name in ("path", "size", "sha256", "key")), strict=True)
        return {path: {"size": size, "sha256": sha256, "key": key} for path, size, sha256, key in rows}
    return dict(files)


def build(cli: Cli, *args: str) -> dict[str, Any]:
    """``balita build --no-search``: the pages without the search index; what the build reports."""
    summary: dict[str, Any] = json.loads(cli.ok("build", "--format", "json", "--no-search", *args).stdout)
    return summary


def published(cli: Cli) -> list[dict[str, Any]]:
    fields = "id,slug,title,source_name,source_url,language,section,tags,authors,url"
    rows: list[dict[str, Any]] = cli.json("list", "--status", "published", "--format", "json", "--fields", fields)
    return rows


def page(output: Path, slug: str) -> Any:
    """An article page of the built site, parsed."""
    return lxml.html.parse(str(output / "articles" / slug / "index.html")).getroot()


def set_site(site: Path, **values: Any) -> None:
    """Add settings to [site] in the site's balita.toml."""
    config = site / "balita.toml"
    lines = config.read_text(encoding="utf-8").splitlines()
    at = lines.index("[site]") + 1
    for key, value in values.items():
        lines = [line for line in lines if not line.startswith(f"{key} =")]
        lines.insert(at, f"{key} = {json.dumps(value)}")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


def retract(db_url: str, ref: str, reason: str) -> None:
    """Retract through the service, past the command's confirmation."""
    engine = engine_of(db_url)
    try:
        with session_scope(engine, write=True) as session:
            article = articles.resolve(session, ref)
            extra = {"retraction_reason": reason}
            publishing.change_status(session, article, Status.RETRACTED, extra=extra)
    finally:
        engine.dispose()


def make_photo(width: int, height: int, *, seed: int = 0, format: str = "JPEG", alpha: bool = False) -> bytes:
    """A picture worth looking at: a sky-to-sea gradient, a sun and a hill, tinted by ``seed``."""
    from PIL import Image, ImageDraw

    mode = "RGBA" if alpha else "RGB"
    image = Image.new(mode, (width, height))
    draw = ImageDraw.Draw(image)
    tint = [(40, 90, 160), (170, 70, 40), (40, 130, 90), (120, 60, 140), (30, 110, 130)][seed % 5]
    for y in range(height):
        share = y / max(1, height - 1)
        colour = tuple(int(c * (1 - share) + 235 * share * (i == 2) + 60 * share) for i, c in enumerate(tint))
        draw.line([(0, y), (width, y)], fill=(*colour, 255 if not alpha else int(255 * (1 - share / 2))))
    radius = max(4, min(width, height) // 8)
    cx, cy = width * (2 + seed % 3) // 6, height // 3
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=(250, 210, 80, 255))
    draw.polygon([(0, height), (width // 3, height * 3 // 5), (width * 2 // 3, height)], fill=(30, 60, 40, 255))
    buffer = io.BytesIO()
    if format == "JPEG":
        image.save(buffer, format=format, quality=90)
    else:
        image.save(buffer, format=format)
    return buffer.getvalue()


NEW_PHOTO = text(
    "INSERT INTO photo (sha256, format, width, height, size, original_name, alt, caption, credit, source_url, "
    "created_at, created_by) VALUES (:sha, :format, :w, :h, :size, :name, :alt, :caption, :credit, '', "
    "CURRENT_TIMESTAMP, 'test')"
)
PHOTO_ID = text("SELECT id FROM photo WHERE sha256 = :s")


def attach_photo(
    cli: Cli,
    site: Path,
    article_id: int,
    data: bytes,
    *,
    alt: str = "",
    caption: str = "",
    credit: str = "",
    name: str = "photo.jpg",
) -> dict[str, Any]:
    """Store ``data`` as the library does and make it the article's lead photo."""
    info = inspect_image(data, name=name)
    MediaStore(site / "media").add(data, info)
    engine = engine_of(cli.db_url)
    try:
        with engine.begin() as connection:
            found = connection.execute(PHOTO_ID, {"s": info.sha256}).scalar_one_or_none()
            if found is None:
                values = {"sha": info.sha256, "format": info.format, "w": info.width, "h": info.height}
                values |= {"size": info.size, "name": name, "alt": alt, "caption": caption, "credit": credit}
                connection.execute(NEW_PHOTO, values)
                found = connection.execute(PHOTO_ID, {"s": info.sha256}).scalar_one()
    finally:
        engine.dispose()
    store_raw(cli.db_url, article_id, image_id=int(found))
    return {"id": int(found), "sha256": info.sha256, "width": info.width, "height": info.height}
