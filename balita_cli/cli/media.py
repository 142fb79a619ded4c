"""media add/list/show/edit/delete/fetch: the photo library, and what `new/edit --image` uses of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.completion import _rows
from balita_cli.cli.options import ListFormat, ListFormatOpt, ShowFormat, ShowFormatOpt, YesOpt
from balita_cli.cli.output import confirm_or_abort, write_json, write_line, write_records
from balita_cli.cli.state import AppState, app
from balita_cli.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.media.library import Upload

PHOTO_QUERY = (
    "SELECT CAST(id AS TEXT), original_name FROM photo WHERE CAST(id AS TEXT) LIKE ? ESCAPE '\\' "
    "ORDER BY id DESC LIMIT ?"
)


def complete_photo(ctx: Any, incomplete: str) -> Iterator[tuple[str, str]]:
    """Photo ids, newest first, with the file name as help."""
    yield from _rows(ctx, PHOTO_QUERY, incomplete.removeprefix("#"))


PhotoRef = Annotated[
    str,
    typer.Argument(
        metavar="PHOTO", help="Photo id (12 or #12) or sha256.", show_default=False, autocompletion=complete_photo
    ),
]
AltOpt = Annotated[str | None, typer.Option("--alt", metavar="TEXT", help="Alt text: what the photo shows.")]
CaptionOpt = Annotated[str | None, typer.Option("--caption", metavar="TEXT", help="Caption printed under the photo.")]
CreditOpt = Annotated[str | None, typer.Option("--credit", metavar="TEXT", help='Credit, shown as "Photo: …".')]
AllowPrivateOpt = Annotated[
    bool, typer.Option("--allow-private", help="Let URLs reach loopback and private addresses (an intranet server).")
]

media_app = typer.Typer(no_args_is_help=True, help="The photo library: add, list, show, edit, delete, fetch.")


@media_app.command("add")
def add(
    ctx: typer.Context,
    sources: Annotated[
        list[str], typer.Argument(metavar="FILE|URL...", help="Image files, or http(s) URLs fetched once.")
    ],
    *,
    alt: AltOpt = None,
    caption: CaptionOpt = None,
    credit: CreditOpt = None,
    allow_private: AllowPrivateOpt = False,
    porcelain: Annotated[bool, typer.Option("--porcelain", help="Print only the photo ids, one a line.")] = False,
    output_format: Annotated[
        ShowFormat | None, typer.Option("--format", "-f", help="Print the photos as json.")
    ] = None,
) -> None:
    """Add photos (JPEG, PNG, WebP, GIF): stored once by content, recorded with their size and date.

    The same file twice is one photo: its id is reported again. The original keeps its EXIF in
    the media folder (`[site] media_dir`, never served); the site publishes clean copies.

    Example: balita media add quiapo.jpg --alt "Devotees outside Quiapo Church" --credit "Juan Reyes"
    """
    from balita_cli.media import library as media  # here: --help imports every command module

    state = app(ctx)
    texts = media.clean_texts(alt, caption, credit)
    uploads = [prepare_source(state, source, allow_private=allow_private) for source in sources]
    who = state.who
    added = state.write(lambda session: [media.record_upload(session, upload, texts, who=who) for upload in uploads])
    if porcelain:
        for item in added:
            write_line(str(item.photo_id))
    elif output_format is ShowFormat.JSON:
        with state.reading() as db:
            found = {photo["id"]: photo for photo in media.photos(db, [item.photo_id for item in added])}
        write_json([{**found[item.photo_id], "added": item.created} for item in added])
    for item in added:
        if item.created:
            console.info(f"Added photo {item.photo_id}: {item.name}")
        else:
            console.info(f"{item.name} is already in the library as photo {item.photo_id} (media edit changes it)")


def prepare_source(state: AppState, source: str, *, allow_private: bool = False) -> Upload:
    """A file or an http(s) URL, read, accepted as an image and stored; nothing recorded yet."""
    from balita_cli.media import library as media  # here: --help imports every command module
    from balita_cli.media import uploads as media_uploads

    store = media.store_for(state.settings)
    if looks_like_url(source) and not Path(source).exists():
        policy = media_uploads.fetch_policy(state.settings, allow_private=allow_private)
        return media_uploads.fetch_image(store, source, policy)
    data, name = media_uploads.read_file(source)
    return media_uploads.prepare(store, data, name)


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def looks_like_url(text: str) -> bool:
    """ "https://…", but also "javascript:…" or "ftp://…", which the fetch then refuses by name."""
    return "://" in text or (_SCHEME.match(text) is not None and not re.match(r"^[A-Za-z]:[\\/]", text))


@media_app.command("list")
def list_photos(ctx: typer.Context, output_format: ListFormatOpt = ListFormat.TABLE) -> None:
    """List the photos, newest first, with how many articles use each.

    Example: balita media list --format csv
    """
    from balita_cli.media import library as media  # here: --help imports every command module

    state = app(ctx)
    with state.reading() as db:
        records = media.photos(db)
    fields = None if output_format is ListFormat.TABLE else media.PHOTO_FIELDS
    write_records(records, output_format, fields, state.settings.site, table_fields=media.TABLE_FIELDS)


@media_app.command("show")
def show(ctx: typer.Context, ref: PhotoRef, *, output_format: ShowFormatOpt = ShowFormat.TEXT) -> None:
    """Show a photo: size, descriptions, where it came from, and the articles that use it.

    Example: balita media show 12 --format json
    """
    from balita_cli.media import library as media  # here: --help imports every command module

    state = app(ctx)
    with state.reading() as db:
        record = media.photo(db, ref)
    record["original"] = media.store_for(state.settings).location(record["sha256"], record["format"])
    if output_format is ShowFormat.JSON:
        write_json(record)
        return
    used = ", ".join(f"{item['id']} ({item['slug']}, {item['status']})" for item in record["used_by"])
    pairs = [(name, "" if record[name] is None else str(record[name])) for name in (*media.PHOTO_FIELDS, "original")]
    console.print_fields([*pairs, ("used by", used)])


@media_app.command("edit")
def edit(
    ctx: typer.Context,
    ref: PhotoRef,
    *,
    alt: AltOpt = None,
    caption: CaptionOpt = None,
    credit: CreditOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Remove the alt text even while a published story uses the photo.")
    ] = False,
) -> None:
    """Change a photo's alt text, caption or credit (every article using it shows the change).

    Example: balita media edit 12 --alt "Jeepneys on España Boulevard at dawn"
    """
    from balita_cli.media import library as media  # here: --help imports every command module

    state = app(ctx)
    texts = media.clean_texts(alt, caption, credit)
    photo_id = state.write(lambda session: media.edit(session, ref, texts, force=force))
    console.info(f"Updated photo {photo_id}: {', '.join(texts)}")


@media_app.command("delete")
def delete(
    ctx: typer.Context,
    refs: Annotated[
        list[str], typer.Argument(metavar="PHOTO...", help="Photo ids or sha256.", autocompletion=complete_photo)
    ],
    *,
    force: Annotated[
        bool, typer.Option("--force", help="Delete even when articles use it: they are left without a photo.")
    ] = False,
    yes: YesOpt = False,
) -> None:
    """Delete photos and their originals; refused while an article uses one, unless --force.

    Example: balita media delete 12 --yes
    """
    from balita_cli.media import library as media  # here: --help imports every command module

    state = app(ctx)
    confirm_or_abort(f"Delete photo(s) {', '.join(refs)} and their original files?", yes)
    who, store = state.who, media.store_for(state.settings)
    deleted = state.write(lambda session: [media.delete(session, ref, force=force, who=who) for ref in refs])
    for item in deleted:  # the files go once the rows are gone for good
        media.remove_original(store, item)
        cleared = f"; taken off {media.describe(item.cleared)}" if item.cleared else ""
        console.info(f"Deleted photo {item.photo_id}{cleared}")


@media_app.command("fetch")
def fetch(
    ctx: typer.Context,
    *,
    missing: Annotated[
        bool, typer.Option("--missing", help="Fetch the image_url of every article that has no library photo.")
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many URLs.")] = None,
    allow_private: AllowPrivateOpt = False,
) -> None:
    """Bring imported images into the library: each URL fetched once, stored, linked to its articles.

    Prints a line per URL: `linked PHOTO ARTICLES URL`, or `failed - ARTICLES URL: why`; exits 1
    when any failed (the others are linked all the same).

    Example: balita media fetch --missing
    """
    from balita_cli.media import library as media  # here: --help imports every command module
    from balita_cli.media import uploads as media_uploads

    if not missing:
        raise UsageError("say --missing (balita media add URL fetches one image)")
    state = app(ctx)
    with state.reading() as db:
        items = media_uploads.missing(db, limit)
    store = media.store_for(state.settings)
    policy = media_uploads.fetch_policy(state.settings, allow_private=allow_private)
    prepared = media_uploads.fetch_missing(items, store, policy)
    who = state.who
    outcomes = state.write(lambda session: media_uploads.link_fetched(session, items, prepared, who=who))
    for outcome in outcomes:
        ids = ",".join(str(article_id) for article_id in outcome.article_ids)
        if outcome.photo_id is not None:
            write_line(f"linked\t{outcome.photo_id}\t{ids}\t{console.plain_text(outcome.url)}")
        else:
            write_line(f"failed\t-\t{ids}\t{console.plain_text(outcome.url)}: {console.plain_text(outcome.problem)}")
    failed = sum(1 for outcome in outcomes if outcome.photo_id is None)
    console.info(f"{len(outcomes) - failed} linked, {failed} failed")
    if failed:
        raise typer.Exit(1)


# ---------------------------------------------------------------- new/edit --image


@dataclass(frozen=True)
class ImageChoice:
    """What ``--image`` asked for: a photo of the library (``ref``), a file or URL stored as one
    (``upload``, recorded in the article's own transaction), or none (``ref`` None: remove)."""

    ref: str | None
    upload: Upload | None = None

    def record(self, session: Session, who: str) -> None:
        from balita_cli.media import library as media  # here: --help imports every command module

        if self.upload is not None:
            media.record_upload(session, self.upload, who=who)


_PHOTO_ID = re.compile(r"^(?:#|id:)?(\d{1,18})$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def image_choice(state: AppState, value: str) -> ImageChoice:
    """``--image`` as given: '' (none), 12 / #12 (a photo), a sha256, a URL, else a file (./12 for
    a file whose name is a number)."""
    text = value.strip()
    if not text:
        return ImageChoice(None)
    number = _PHOTO_ID.match(text)
    if number:
        return ImageChoice(number.group(1))
    if _SHA256.match(text):
        return ImageChoice(text.lower())
    upload = prepare_source(state, text)
    return ImageChoice(upload.info.sha256, upload)


IMAGE_HELP = "Lead photo: a library id (12), a sha256, an image FILE (added to the library) or a URL (fetched once)."
ImageOpt = Annotated[str | None, typer.Option("--image", metavar="ID|FILE|URL", help=IMAGE_HELP)]
EditImageOpt = Annotated[
    str | None, typer.Option("--image", metavar="ID|FILE|URL", help=f"{IMAGE_HELP} '' removes it.")
]


def register(typer_app: typer.Typer) -> None:
    typer_app.add_typer(media_app, name="media", help="The photo library: add, list, show, edit, delete, fetch.")
