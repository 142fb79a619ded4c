"""new/create, show, edit, delete and restore: one article at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli import drafting
from balita_cli.cli.completion import complete_tag
from balita_cli.cli.fields import EDIT_FIELDS, NEW_FIELDS, FieldValues
from balita_cli.cli.media import EditImageOpt, ImageOpt, image_choice
from balita_cli.cli.options import (
    ArticleRef,
    ArticleRefs,
    IfVersion,
    NoteOpt,
    PrintFormatOpt,
    ShowFormat,
    ShowFormatOpt,
    YesOpt,
)
from balita_cli.cli.output import confirm_or_abort, write_json, write_line
from balita_cli.cli.params import options
from balita_cli.cli.serve import open_preview
from balita_cli.cli.state import AppState, app
from balita_cli.errors import UsageError
from balita_cli.workflow import Status

if TYPE_CHECKING:
    from balita_cli.records import Record

BodyOpt = Annotated[str | None, typer.Option("--body", metavar="TEXT", help="Body text (Markdown).")]
BodyFileOpt = Annotated[
    str | None, typer.Option("--body-file", metavar="PATH", help="Read the body from a file; - reads stdin.")
]


@options(NEW_FIELDS)
def new(
    ctx: typer.Context,
    title: Annotated[
        str | None, typer.Argument(metavar="[TITLE]", help="Headline. Omit on a terminal to be asked / open $EDITOR.")
    ] = None,
    *,
    fields: FieldValues,
    body: BodyOpt = None,
    body_file: BodyFileOpt = None,
    status: Annotated[Status, typer.Option(help="Initial status.")] = Status.DRAFT,
    at: Annotated[
        str | None, typer.Option("--at", metavar="TIME", help="Publication time for published/scheduled.")
    ] = None,
    edit: Annotated[bool, typer.Option("--edit", "-e", help="Open $EDITOR on a front-matter template.")] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt or open an editor; fail on anything missing.")
    ] = False,
    porcelain: Annotated[bool, typer.Option("--porcelain", help="Print only the new article's id.")] = False,
    output_format: PrintFormatOpt = None,
    image: ImageOpt = None,
) -> None:
    """Create an article.

    Example: balita new "Senate approves 2027 budget" --section Politics --tag Senate --body-file story.md
    """
    state = app(ctx)
    data = drafting.draft(state, title, fields, drafting.body_from(body, body_file), edit=edit, no_input=no_input)
    data.values.update(drafting.initial_times(status, at, state.settings.site.tz))
    chosen = image_choice(state, image) if image else None
    if chosen is not None:
        data["photo"] = chosen.ref
    who = state.who
    article_id = state.write(lambda session: drafting.create(session, data, chosen, who=who))
    if porcelain:
        write_line(str(article_id))
        return
    record = report(state, article_id, output_format)
    console.info(f"Created article {article_id} ({record['status']}): {record['slug']}")


def report(state: AppState, article_id: int, output_format: ShowFormat | None) -> Record:
    """The article as it is now; printed as json when asked for."""
    from balita_cli.services import reading  # here: --help imports every command module

    with state.reading() as db:
        record = reading.record(db, article_id, state.settings.site.base_url)
    if output_format is ShowFormat.JSON:
        write_json(record)
    return record


def show(
    ctx: typer.Context,
    ref: ArticleRef,
    *,
    output_format: ShowFormatOpt = ShowFormat.TEXT,
    trash: Annotated[bool, typer.Option("--trash", help="Show an article that is in the trash.")] = False,
    open_page: Annotated[
        bool, typer.Option("--open", help="Open its page, as readers will see it, in the browser (drafts too).")
    ] = False,
) -> None:
    """Show one article.

    Example: balita show senate-approves-2027-budget --format json   |   balita show 12 --open
    """
    from balita_cli.cli.showing import render_article  # here: --help imports every command module
    from balita_cli.services import reading

    state = app(ctx)
    with state.reading() as db:
        record = reading.record(db, reading.find(db, ref, trash=trash), state.settings.site.base_url)
    if output_format is ShowFormat.JSON:
        write_json(record)
    else:
        render_article(record, state.settings.site.tz)
    if open_page:
        console.info(f"Opened the preview: {open_preview(state, record['slug'], trash=trash)}")


@options(EDIT_FIELDS)
def edit(
    ctx: typer.Context,
    ref: ArticleRef,
    *,
    fields: FieldValues,
    body: BodyOpt = None,
    body_file: BodyFileOpt = None,
    set_tag: Annotated[
        list[str] | None,
        typer.Option("--set-tag", metavar="NAME", help="Replace all tags.", autocompletion=complete_tag),
    ] = None,
    add_tag: Annotated[
        list[str] | None,
        typer.Option("--add-tag", "--tag", metavar="NAME", help="Add a tag.", autocompletion=complete_tag),
    ] = None,
    remove_tag: Annotated[
        list[str] | None,
        typer.Option("--remove-tag", metavar="NAME", help="Remove a tag.", autocompletion=complete_tag),
    ] = None,
    from_file: Annotated[
        str | None,
        typer.Option("--from-file", metavar="PATH", help="Apply a front-matter document (as $EDITOR shows it)."),
    ] = None,
    if_version: IfVersion = None,
    message: NoteOpt = "",
    output_format: PrintFormatOpt = None,
    image: EditImageOpt = None,
) -> None:
    """Change an article with flags, or in $EDITOR when no flag is given.

    Example: balita edit 12 --add-tag Senate --remove-tag Congress -m "retag"
    """
    state = app(ctx)
    changes = drafting.changes(state, fields, drafting.body_from(body, body_file), set_tag, add_tag, remove_tag)
    chosen = image_choice(state, image) if image is not None else None
    if chosen is not None:
        changes.values["photo"] = chosen.ref
    if changes.is_empty():
        article_id, version = drafting.edit_document(state, ref, from_file, if_version, message)
    elif from_file:
        raise UsageError("--from-file cannot be combined with field flags")
    else:
        article_id, version = drafting.apply(state, ref, changes, if_version, message, image=chosen)
    report(state, article_id, output_format)
    console.info(f"Updated article {article_id} to version {version}")


def delete(
    ctx: typer.Context,
    refs: ArticleRefs,
    *,
    yes: YesOpt = False,
    purge: Annotated[
        bool, typer.Option("--purge", help="Remove for good (articles already in the trash too).")
    ] = False,
) -> None:
    """Move articles to the trash (or remove them for good with --purge).

    Example: balita delete $(balita list --status draft --until 2025-01-01 --format ids) --yes
    """
    from balita_cli.services import articles  # here: --help imports every command module

    state = app(ctx)
    found = drafting.find_for_delete(state, refs, purge)
    listing = ", ".join(f"{article_id} ({slug})" for article_id, slug in found)
    action = "Permanently delete" if purge else "Move to the trash"
    confirm_or_abort(f"{action} {console.counted(len(found), 'article')}: {listing}?", yes)
    who = state.who
    remove = articles.purge if purge else (lambda session, article_id: articles.trash(session, article_id, who=who))
    state.write(lambda session: [remove(session, article_id) for article_id, _ in found])
    console.info(f"{'Deleted' if purge else 'Moved to the trash'}: {listing}")


def restore(ctx: typer.Context, refs: ArticleRefs) -> None:
    """Bring articles back from the trash.

    Example: balita restore 12
    """
    from balita_cli.services import articles  # here: --help imports every command module

    state = app(ctx)
    who = state.who

    def bring_back(session: Any) -> None:
        for ref in refs:
            articles.restore(session, articles.resolve(session, ref, trash=True), who=who)

    state.write(bring_back)
    console.info(f"Restored {console.counted(len(refs), 'article')}")


def register(typer_app: typer.Typer) -> None:
    typer_app.command("new")(new)
    typer_app.command("create", hidden=True, help="Alias of new.")(new)
    typer_app.command("show")(show)
    typer_app.command("edit")(edit)
    typer_app.command("delete")(delete)
    typer_app.command("restore")(restore)
