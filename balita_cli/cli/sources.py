"""``balita source add|list|show|edit|pause|resume|remove``: the outlets the desk follows."""

from __future__ import annotations

import sys
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.completion import complete_section, complete_source
from balita_cli.cli.options import YesOpt
from balita_cli.cli.output import confirm_or_abort, write_json, write_line, write_plain
from balita_cli.cli.state import app
from balita_cli.errors import UsageError
from balita_cli.formats.sources import DESCRIPTIONS
from balita_cli.timeutil import human, relative_words, utcnow

if TYPE_CHECKING:
    from balita_cli.schema import ArticleInput
    from balita_cli.services.desk.source_settings import SourceRecord

sub = typer.Typer(no_args_is_help=True, help="The outlets the desk follows.")


class SourceFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"


class ShowFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


SOURCE_HELP = "Source name or slug (#3 for the id)."
SOURCE_TYPES = " or ".join(f"{description} ({name})" for name, description in DESCRIPTIONS.items())
SourceRef = Annotated[
    str, typer.Argument(metavar="NAME", help=SOURCE_HELP, show_default=False, autocompletion=complete_source)
]
SourceRefs = Annotated[
    list[str], typer.Argument(metavar="NAME...", help=SOURCE_HELP, show_default=False, autocompletion=complete_source)
]
SectionOpt = Annotated[
    str | None,
    typer.Option("--section", metavar="NAME", help="Section of its stories.", autocompletion=complete_section),
]
LangOpt = Annotated[str | None, typer.Option("--lang", metavar="TAG", help="Language of its stories: en, fil…")]
TagsOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", metavar="NAME", help="Tag for its stories (repeatable).", show_default=False),
]
WordsOpt = Annotated[
    int | None,
    typer.Option("--excerpt-words", metavar="N", help="Words of the outlet's text kept, cut at a sentence end (120)."),
]
PublishOpt = Annotated[
    str | None,
    typer.Option("--publish", metavar="POLICY", help="review (wait in `balita review`), draft, or auto (publish)."),
]
EveryOpt = Annotated[str | None, typer.Option("--every", metavar="INTERVAL", help="Poll interval: 15m, 2h, 1d.")]
SuffixOpt = Annotated[
    str | None,
    typer.Option("--title-suffix", metavar="TEXT", help='A label cut from the end of its titles, e.g. "| TV Patrol".'),
]
CreditOpt = Annotated[
    str | None,
    typer.Option(
        "--credit", metavar="OUTLET", help='The outlet as credited ("Read more on OUTLET"; the name if unset).'
    ),
]


def add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help='Outlet credited: "Read more on NAME".', show_default=False)
    ],
    url: Annotated[str, typer.Argument(metavar="URL", help=f"The address of its {SOURCE_TYPES}.", show_default=False)],
    *,
    section: SectionOpt = None,
    lang: LangOpt = None,
    tags: TagsOpt = None,
    excerpt_words: WordsOpt = None,
    full_text: Annotated[
        bool, typer.Option("--full-text", help="Keep the whole story (outlets that allow it).")
    ] = False,
    publish: PublishOpt = None,
    every: EveryOpt = None,
    title_suffix: SuffixOpt = None,
    credit: CreditOpt = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Allow a feed on a private or loopback address.")
    ] = False,
    keep_photos: Annotated[
        bool,
        typer.Option("--keep-photos", help="Fetch its stories' images into the media library instead of linking them."),
    ] = False,
) -> None:
    """Follow an outlet's feed; `balita fetch` polls it from now on.

    Example: balita source add "GMA News" https://data.gmanetwork.com/gno/rss/news/feed.xml --section Nation
    """
    from balita_cli.services.desk import sources  # here: --help imports every command module
    from balita_cli.services.desk.source_settings import SourceSettings, format_every

    settings = SourceSettings(
        name=name,
        url=url,
        section=section,
        language=lang,
        tags=tags,
        publish=publish,
        excerpt_words=excerpt_words,
        full_text=full_text,
        every=every,
        title_suffix=title_suffix,
        credit=credit,
        allow_private=allow_private,
        keep_photos=keep_photos,
    )
    source = app(ctx).write(lambda session: sources.add(session, settings))
    console.info(f"Added source {source.name} ({source.slug}): polled every {format_every(source.every_minutes)}")


def list_sources(
    ctx: typer.Context,
    *,
    output_format: Annotated[SourceFormat, typer.Option("--format", "-f", help="Output format.")] = SourceFormat.TABLE,
) -> None:
    """List the sources: last fetch, last new story, stories this week, next poll, last error.

    Example: balita source list --format json
    """
    from balita_cli.services.desk import sources  # here: --help imports every command module

    state = app(ctx)
    now = utcnow()
    with state.reading() as db:
        records = sources.listing(db, now)
    if output_format is SourceFormat.JSON:
        write_json(records)
    elif output_format is SourceFormat.JSONL:
        from balita_cli.formats.streaming import json_line  # here: --help imports every command module

        for record in records:
            sys.stdout.write(json_line(record))
    else:
        _table(records, now)


TABLE = ("name", "every", "publish", "last fetch", "last new", "week", "next", "last error")
# On a narrow terminal, given up in this order (the name stays, and so do the errors, below it).
DROP_FIRST = ("publish", "every", "week", "last new", "last fetch", "next")


def _table(records: list[SourceRecord], now: datetime) -> None:
    if not console.stdout_is_terminal():
        write_plain(list(TABLE), [_row(r, now, short=False) for r in records])
        return
    if not records:
        console.info('No sources yet: balita source add "GMA News" URL')
        return
    rows = [_row(r, now, short=True) for r in records]
    if console.fits(list(TABLE), rows):
        console.print_table(list(TABLE), rows)
        return
    # An error is read whole, never cut: below the table, a line each, when the table has no room.
    console.print_table(list(TABLE[:-1]), [row[:-1] for row in rows], drop_first=DROP_FIRST)
    for record in records:
        if record["last_error"]:
            console.print_wrapped(f"{record['name']} — last error: {record['last_error']}")


def _row(r: SourceRecord, now: datetime, *, short: bool) -> list[str]:
    week = f"{r['stories_week']}" + (f" +{r['related_week']}" if r["related_week"] else "")
    times = [_ago(r["last_fetch_at"], now, short=short), _ago(r["last_new_at"], now, short=short)]
    return [r["name"], r["every"], r["publish"], *times, week, _next(r, now, short=short), r["last_error"]]


def _ago(value: str | None, now: datetime, *, short: bool = False) -> str:
    return relative_words(datetime.fromisoformat(value), now=now, short=short) if value else "never"


def _next(record: SourceRecord, now: datetime, *, short: bool = False) -> str:
    if record["paused"]:
        return "paused"
    due = record["next_due_at"]
    return "due" if not due or datetime.fromisoformat(due) <= now else _ago(due, now, short=short)


def show(
    ctx: typer.Context,
    ref: SourceRef,
    *,
    output_format: Annotated[ShowFormat, typer.Option("--format", "-f", help="text or json.")] = ShowFormat.TEXT,
) -> None:
    """Show a source's settings and the state of polling it.

    Example: balita source show gma-news
    """
    from balita_cli.services.desk import sources  # here: --help imports every command module

    state = app(ctx)
    now = utcnow()
    with state.reading() as db:
        wanted = sources.find(db, ref)["id"]
        record = next(r for r in sources.listing(db, now) if r["id"] == wanted)
    if output_format is ShowFormat.JSON:
        write_json(record)
        return
    pairs = _fields(record, now, state.settings.site.tz)
    if console.stdout_is_terminal():
        console.print_heading(record["name"])
        console.print_fields(pairs)
    else:
        for label, value in [("name", record["name"]), *pairs]:
            if value:
                write_line(console.plain_text(f"{label}: {value}"))


def _fields(record: SourceRecord, now: datetime, zone: tzinfo) -> list[tuple[str, str]]:
    def when(name: str) -> str:
        value = record[name]
        return f"{human(datetime.fromisoformat(value), zone)} ({_ago(value, now)})" if value else ""

    words = "full text" if record["full_text"] else f"excerpt of {record['excerpt_words']} words"
    return [
        ("id", str(record["id"])),
        ("slug", record["slug"]),
        ("url", record["url"]),
        ("section", record["section"]),
        ("language", record["language"]),
        ("tags", ", ".join(record["tags"])),
        ("title suffix", record["title_suffix"]),
        ("credit", record["credit"]),
        ("keeps", words),
        ("publish", record["publish"]),
        ("every", record["every"]),
        ("private addresses", "allowed" if record["allow_private"] else ""),
        ("photos", "kept in the media library" if record["keep_photos"] else ""),
        ("last fetch", when("last_fetch_at")),
        ("last success", when("last_success_at")),
        ("last new story", when("last_new_at")),
        ("this week", f"{record['stories_week']} stories, {record['related_week']} related"),
        ("next", _next(record, now)),
        ("failures", str(record["failures"] or "")),
        ("last error", record["last_error"]),
        ("etag", record["etag"]),
        ("last modified", record["last_modified"]),
    ]


def edit(
    ctx: typer.Context,
    ref: SourceRef,
    *,
    name: Annotated[str | None, typer.Option("--name", metavar="NAME", help="New name (the credit).")] = None,
    url: Annotated[str | None, typer.Option("--url", metavar="URL", help="New feed URL (polled at once).")] = None,
    section: SectionOpt = None,
    lang: LangOpt = None,
    tags: TagsOpt = None,
    no_tags: Annotated[bool, typer.Option("--no-tags", help="Give its stories no tags.")] = False,
    excerpt_words: WordsOpt = None,
    full_text: Annotated[
        bool | None, typer.Option("--full-text/--excerpt", help="Keep the whole story, or an excerpt.")
    ] = None,
    publish: PublishOpt = None,
    every: EveryOpt = None,
    title_suffix: SuffixOpt = None,
    credit: CreditOpt = None,
    allow_private: Annotated[
        bool | None, typer.Option("--allow-private/--no-allow-private", help="Allow a private or loopback address.")
    ] = None,
    keep_photos: Annotated[
        bool | None,
        typer.Option(
            "--keep-photos/--no-keep-photos",
            help="Fetch its new stories' images into the media library, or link the outlet's.",
        ),
    ] = None,
) -> None:
    """Change a source's settings ("" clears the section, language, title suffix or credit).

    Example: balita source edit gma-news --excerpt-words 80 --every 30m
    """
    from balita_cli.services.desk import sources  # here: --help imports every command module
    from balita_cli.services.desk.source_settings import SourceSettings

    if tags and no_tags:
        raise UsageError("--tag and --no-tags contradict each other")
    settings = SourceSettings(
        name=name,
        url=url,
        section=section,
        language=lang,
        tags=[] if no_tags else tags,
        excerpt_words=excerpt_words,
        full_text=full_text,
        publish=publish,
        every=every,
        title_suffix=title_suffix,
        credit=credit,
        allow_private=allow_private,
        keep_photos=keep_photos,
    )
    source = app(ctx).write(lambda session: sources.edit(session, ref, settings))
    console.info(f"Changed source {source.name} ({source.slug})")


def _pause(ctx: typer.Context, refs: list[str], paused: bool) -> None:
    from balita_cli.services.desk import sources  # here: --help imports every command module

    changed = app(ctx).write(lambda session: [s.name for s in sources.set_paused(session, refs, paused)])
    for name in changed:
        console.info(f"{'Paused' if paused else 'Resumed'} {name}" + ("" if paused else ": due at once"))


def pause(ctx: typer.Context, refs: SourceRefs) -> None:
    """Stop polling sources (their stories stay).

    Example: balita source pause gma-news
    """
    _pause(ctx, refs, True)


def resume(ctx: typer.Context, refs: SourceRefs) -> None:
    """Poll paused sources again, starting with the next `balita fetch`.

    Example: balita source resume gma-news
    """
    _pause(ctx, refs, False)


def remove(ctx: typer.Context, ref: SourceRef, *, yes: YesOpt = False) -> None:
    """Stop following a source; its stories stay, credited to it by name.

    Example: balita source remove gma-news --yes
    """
    from balita_cli.services.desk import sources  # here: --help imports every command module

    confirm_or_abort(f"Remove source {ref}? Its stories stay.", yes)
    name, stories = app(ctx).write(lambda session: sources.remove(session, ref))
    console.info(f"Removed source {name} ({stories} of its stories stay)")


class ImportSource:
    """``import feed --source NAME`` (or ``--source-name NAME`` naming a source): the stories of
    a source the desk follows are credited, excerpted, filed and fetched as ``balita fetch``
    would, and linked to it. ``followed``: NAME must be such a source."""

    def __init__(self, state: Any, source_name: str | None, *, followed: bool = False) -> None:
        from balita_cli.services.desk.intake import import_intake  # here: --help imports every command module

        if source_name:
            with state.reading() as db:
                self.intake, self.source_id = import_intake(db, state.settings, source_name, followed=followed)
        else:
            self.intake, self.source_id = import_intake(None, state.settings, None)
        self.external_ids: list[str] = []

    def keep(self, item: ArticleInput) -> None:
        """Note an article read, to link it to the source."""
        if self.source_id is not None and item.get("external_id"):
            self.external_ids.append(str(item["external_id"]))

    def link(self, state: Any) -> None:
        from balita_cli.services.desk import sources  # here: --help imports every command module

        source_id = self.source_id
        if source_id is not None and self.external_ids:
            state.write(lambda session: sources.link_articles(session, source_id, self.external_ids))


def register(typer_app: typer.Typer) -> None:
    sub.command("add")(add)
    sub.command("list")(list_sources)
    sub.command("show")(show)
    sub.command("edit")(edit)
    sub.command("pause")(pause)
    sub.command("resume")(resume)
    sub.command("remove")(remove)
    typer_app.add_typer(sub, name="source", help="Follow outlets' feeds: add, list, show, edit, pause, resume, remove.")
