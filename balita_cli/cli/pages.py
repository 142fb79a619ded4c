"""page new|edit|list|show|delete|history|diff|revert: the site's pages that are not news
(about, contacts, editorial standards, corrections policy, privacy)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.drafting import body_from
from balita_cli.cli.history import DIFF_STYLES, HISTORY_FIELDS
from balita_cli.cli.options import (
    MAX_VERSION,
    IfVersion,
    NewVersion,
    NoteOpt,
    OldVersion,
    ShowFormat,
    ShowFormatOpt,
    YesOpt,
)
from balita_cli.cli.output import confirm_or_abort, display_cell, write_json, write_line, write_plain
from balita_cli.cli.state import AppState, app
from balita_cli.errors import Aborted, BalitaError, InvalidInput, UsageError

if TYPE_CHECKING:
    from balita_cli.records import Record

pages_app = typer.Typer(no_args_is_help=True, help="The site's pages: about, contacts, editorial standards, policies.")

PageRef = Annotated[str, typer.Argument(metavar="PAGE", help="Page id or slug.", show_default=False)]
TitleOpt = Annotated[str | None, typer.Option("--title", help="The page's title.")]
SlugOpt = Annotated[str | None, typer.Option("--slug", help="Its address, /<slug>/ (default: from the title).")]
SummaryOpt = Annotated[str | None, typer.Option("--summary", help="One sentence search engines and shares show.")]
RoleOpt = Annotated[
    str | None,
    typer.Option(
        "--role",
        help="What the site links it as: about, contacts, standards, corrections or privacy ('' for none).",
    ),
]
BodyOpt = Annotated[str | None, typer.Option("--body", metavar="TEXT", help="Body text (Markdown).")]
BodyFileOpt = Annotated[
    str | None, typer.Option("--body-file", metavar="PATH", help="Read the body from a file; - reads stdin.")
]
LIST_FIELDS = ("id", "slug", "title", "role", "version", "updated_at")


class PageListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    IDS = "ids"


def _document_names() -> tuple[str, ...]:
    from balita_cli.services.pages import DOCUMENT_FIELDS  # here: --help imports every command module

    return DOCUMENT_FIELDS


@pages_app.command("new")
def new(
    ctx: typer.Context,
    title: Annotated[str | None, typer.Argument(metavar="[TITLE]", help="The page's title.")] = None,
    *,
    slug: SlugOpt = None,
    summary: SummaryOpt = None,
    role: RoleOpt = None,
    body: BodyOpt = None,
    body_file: BodyFileOpt = None,
    edit: Annotated[bool, typer.Option("--edit", "-e", help="Open $EDITOR on a front-matter template.")] = False,
    porcelain: Annotated[bool, typer.Option("--porcelain", help="Print only the new page's id.")] = False,
) -> None:
    """Create a page, from flags or in $EDITOR.

    Example: balita page new "Editorial standards" --role standards --body-file standards.md
    """
    from balita_cli.services import pages  # here: --help imports every command module

    state = app(ctx)
    given = {"title": title or "", "slug": slug or "", "summary": summary or "", "role": role or ""}
    text = body_from(body, body_file) or ""
    if edit:
        from balita_cli.cli.editor import edit_text
        from balita_cli.services.documents import parse_document, render_document

        names = _document_names()
        document = parse_document(
            edit_text(render_document(given, text, names=names, placeholder=pages.PLACEHOLDER)),
            names=names,
            placeholder=pages.PLACEHOLDER,
        )
        given, text = {**given, **document.fields}, document.body
    if not str(given["title"]).strip():
        raise InvalidInput("a page's title cannot be empty (give it as the first argument)")
    data = pages.PageInput(body=text, **{name: str(value) for name, value in given.items()})
    who = state.who
    page_id = state.write(lambda session: pages.create(session, data, who=who))
    if porcelain:
        write_line(str(page_id))
        return
    record = _record(state, page_id)
    console.info(f"Created page {page_id}: /{record['slug']}/")


@pages_app.command("edit")
def edit(
    ctx: typer.Context,
    ref: PageRef,
    *,
    title: TitleOpt = None,
    slug: SlugOpt = None,
    summary: SummaryOpt = None,
    role: RoleOpt = None,
    body: BodyOpt = None,
    body_file: BodyFileOpt = None,
    from_file: Annotated[
        str | None,
        typer.Option("--from-file", metavar="PATH", help="Apply a front-matter document (as $EDITOR shows it)."),
    ] = None,
    if_version: IfVersion = None,
    message: NoteOpt = "",
) -> None:
    """Change a page with flags, or in $EDITOR when no flag is given.

    Example: balita page edit contacts --summary "How to reach the newsroom" -m "new phone line"
    """
    from balita_cli.services import pages  # here: --help imports every command module

    state = app(ctx)
    values = {"title": title, "slug": slug, "summary": summary, "role": role, "body": body_from(body, body_file)}
    given = {name: value for name, value in values.items() if value is not None}
    with state.reading() as db:
        page_id = pages.find(db, ref)
    who = state.who
    if given:
        if from_file:
            raise UsageError("--from-file cannot be combined with field flags")
        version = state.write(
            lambda session: pages.update(session, page_id, given, seen_version=if_version, who=who, note=message)
        )
    else:
        version = _edit_document(state, page_id, from_file, if_version, message)
    console.info(f"Updated page {page_id} to version {version}")


def _edit_document(state: AppState, page_id: int, from_file: str | None, if_version: int | None, note: str) -> int:
    """The page as a document, in $EDITOR or from a file; on a failure after the editor closed,
    the text is kept in a recovery file (as a story's is)."""
    from balita_cli.cli.drafting import read_body_file  # here: --help imports every command module
    from balita_cli.cli.editor import edit_text, save_recovery
    from balita_cli.services import pages
    from balita_cli.services.documents import parse_document, render_document

    names = _document_names()
    with state.reading() as db:
        page = pages.record(db, page_id, "")
    if from_file:
        text = read_body_file(from_file)
    else:
        fields = {name: page[name] for name in names}
        version = if_version or int(page["version"])
        text = edit_text(
            render_document(fields, str(page["body"]), version, names=names, placeholder=pages.PLACEHOLDER)
        )
    who = state.who

    def save(session: Any) -> int:
        document = parse_document(text, names=names, placeholder=pages.PLACEHOLDER)
        return pages.apply_document(session, page_id, document, who=who, note=note)

    try:
        return state.write(save)
    except Aborted:
        raise
    except BalitaError as exc:
        if from_file:
            raise
        saved = save_recovery(text, f"page-{page_id}")
        raise type(exc)(
            f"{exc.message}. Your text is kept in {saved}; to try it again run: "
            f"balita page edit {page_id} --from-file {saved}"
        ) from None


@pages_app.command("list")
def list_pages(
    ctx: typer.Context,
    *,
    output_format: Annotated[PageListFormat, typer.Option("--format", "-f", help="Output format.")] = (
        PageListFormat.TABLE
    ),
) -> None:
    """List the site's pages.

    Example: balita page list --format json
    """
    from balita_cli.services import pages  # here: --help imports every command module

    state = app(ctx)
    with state.reading() as db:
        records = pages.records(db, state.settings.site.base_url)
    if output_format is PageListFormat.JSON:
        write_json(records)
    elif output_format is PageListFormat.JSONL:
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif output_format is PageListFormat.IDS:
        if records:
            write_line(" ".join(str(record["id"]) for record in records))
    else:
        cell = display_cell(state.settings.site.tz)
        rows = [[cell(name, record[name]) for name in LIST_FIELDS] for record in records]
        if console.stdout_is_terminal():
            with console.paged():
                console.print_table(list(LIST_FIELDS), rows)
        else:
            write_plain(list(LIST_FIELDS), rows)


@pages_app.command("show")
def show(ctx: typer.Context, ref: PageRef, *, output_format: ShowFormatOpt = ShowFormat.TEXT) -> None:
    """Show one page.

    Example: balita page show contacts --format json
    """
    state = app(ctx)
    record = _record(state, ref)
    if output_format is ShowFormat.JSON:
        write_json(record)
        return
    pairs = [("Address", record["url"]), ("Role", record["role"]), ("Version", str(record["version"]))]
    if console.stdout_is_terminal():
        console.print_heading(record["title"], record["summary"])
        console.print_fields(pairs)
        console.print_line("")
        console.print_markdown(record["body"] or "_(no body yet)_")
        return
    lines = [record["title"], *([record["summary"]] if record["summary"] else [])]
    lines += [f"{label}: {value}" for label, value in pairs if value]
    for line in [*lines, "", record["body"] or "(no body yet)"]:
        console.print_line(line)


@pages_app.command("delete")
def delete(ctx: typer.Context, ref: PageRef, *, yes: YesOpt = False) -> None:
    """Delete a page for good, with its history (the site stops linking it).

    Example: balita page delete old-about --yes
    """
    from balita_cli.services import pages  # here: --help imports every command module

    state = app(ctx)
    record = _record(state, ref)
    confirm_or_abort(f"Delete page {record['id']} (/{record['slug']}/) and its history?", yes)
    state.write(lambda session: pages.delete(session, int(record["id"])))
    console.info(f"Deleted page {record['id']} (/{record['slug']}/)")


@pages_app.command("history")
def history(ctx: typer.Context, ref: PageRef, *, output_format: ShowFormatOpt = ShowFormat.TEXT) -> None:
    """List a page's versions: when, who and why (version 1 is its creation).

    Example: balita page history contacts --format json
    """
    from balita_cli.services import pages  # here: --help imports every command module

    state = app(ctx)
    with state.reading() as db:
        records = [entry.record() for entry in pages.history(db, pages.find(db, ref))]
    if output_format is ShowFormat.JSON:
        write_json(records)
        return
    cell = display_cell(state.settings.site.tz)
    rows = [
        [f"{r['version']}{' (current)' if r['current'] else ''}", *(cell(n, r[n]) for n in HISTORY_FIELDS[1:])]
        for r in records
    ]
    if console.stdout_is_terminal():
        console.print_table(list(HISTORY_FIELDS), rows)
    else:
        write_plain(list(HISTORY_FIELDS), rows)


@pages_app.command("diff")
def diff(
    ctx: typer.Context,
    ref: PageRef,
    old: OldVersion = None,
    new: NewVersion = None,
) -> None:
    """Show what changed between two versions of a page, fields first, then the body.

    Example: balita page diff contacts 1 3
    """
    from balita_cli.services import pages  # here: --help imports every command module

    with app(ctx).reading() as db:
        lines = pages.diff(db, pages.find(db, ref), old, new)
    if not lines:
        console.info("no differences")
    for line in lines:
        style = DIFF_STYLES.get(line[:1], "") if not line.startswith(("+++", "---")) else "bold"
        console.out().print(
            console.plain_text(line), style=style or None, markup=False, highlight=False, soft_wrap=True
        )


@pages_app.command("revert")
def revert(
    ctx: typer.Context,
    ref: PageRef,
    *,
    to: Annotated[
        int,
        typer.Option("--to", metavar="VERSION", min=1, max=MAX_VERSION, help="The version whose content comes back."),
    ],
    if_version: IfVersion = None,
    message: NoteOpt = "",
) -> None:
    """Bring back an earlier version of a page as a new version.

    Example: balita page revert about --to 2 -m "undo the rewrite"
    """
    from balita_cli.services import pages  # here: --help imports every command module

    state = app(ctx)
    with state.reading() as db:
        page_id = pages.find(db, ref)
    who = state.who
    version = state.write(
        lambda session: pages.revert(session, page_id, to, seen_version=if_version, who=who, note=message)
    )
    console.info(f"Page {page_id} now has version {to}'s content as version {version}")


def _record(state: AppState, ref: str | int) -> Record:
    from balita_cli.services import pages  # here: --help imports every command module

    with state.reading() as db:
        page_id = ref if isinstance(ref, int) else pages.find(db, ref)
        return pages.record(db, page_id, state.settings.site.base_url)


def register(typer_app: typer.Typer) -> None:
    typer_app.add_typer(pages_app, name="page")
