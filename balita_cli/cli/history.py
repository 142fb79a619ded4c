"""history, diff and revert: an article's editorial record."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.options import (
    MAX_VERSION,
    ArticleRef,
    IfVersion,
    ListFormat,
    NewVersion,
    NoteOpt,
    OldVersion,
    ShowFormat,
    ShowFormatOpt,
)
from balita_cli.cli.output import display_cell, write_json, write_records
from balita_cli.cli.state import app

HISTORY_FIELDS = ("version", "created_at", "changed_by", "note")
DIFF_STYLES = {"+": "green", "-": "red", "@": "cyan"}


def history(ctx: typer.Context, ref: ArticleRef, *, output_format: ShowFormatOpt = ShowFormat.TEXT) -> None:
    """List an article's versions: when, who and why (version 1 is its creation).

    Example: balita history 12 --format json
    """
    from balita_cli.services import reading, revisions  # here: --help imports every command module

    state = app(ctx)
    with state.reading() as db:
        records = [entry.record() for entry in revisions.history(db, reading.find_any(db, ref))]
    if output_format is ShowFormat.JSON:
        write_json(records)
        return
    for record in records:
        record["version"] = f"{record['version']}{' (current)' if record['current'] else ''}"
    write_records(
        records, ListFormat.TABLE, HISTORY_FIELDS, state.settings.site, cell=display_cell(state.settings.site.tz)
    )


def diff(
    ctx: typer.Context,
    ref: ArticleRef,
    old: OldVersion = None,
    new: NewVersion = None,
) -> None:
    """Show what changed between two versions, fields first, then the body.

    Example: balita diff 12          (previous version → current)
             balita diff 12 3 5
    """
    from balita_cli.services import reading, revisions  # here: --help imports every command module

    with app(ctx).reading() as db:
        lines = revisions.diff(db, reading.find_any(db, ref), old, new)
    if not lines:
        console.info("no differences")
    for line in lines:
        style = DIFF_STYLES.get(line[:1], "") if not line.startswith(("+++", "---")) else "bold"
        console.out().print(
            console.plain_text(line), style=style or None, markup=False, highlight=False, soft_wrap=True
        )


def revert(
    ctx: typer.Context,
    ref: ArticleRef,
    *,
    to: Annotated[
        int,
        typer.Option("--to", metavar="VERSION", min=1, max=MAX_VERSION, help="The version whose content comes back."),
    ],
    if_version: IfVersion = None,
    message: NoteOpt = "",
) -> None:
    """Bring back an earlier version's content as a new version (status and dates stay).

    Example: balita revert 12 --to 3 -m "undo the rewrite"
    """
    from balita_cli.services import articles, revisions  # here: --help imports every command module

    state = app(ctx)
    who = state.who

    def work(session: Any) -> tuple[int, int]:
        article_id = articles.resolve(session, ref)
        return article_id, revisions.revert(session, article_id, to, seen_version=if_version, who=who, note=message)

    article_id, version = state.write(work)
    console.info(f"Article {article_id} now has version {to}'s content as version {version}")


def register(typer_app: typer.Typer) -> None:
    typer_app.command("history")(history)
    typer_app.command("diff")(diff)
    typer_app.command("revert")(revert)
