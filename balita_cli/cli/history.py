"""history, diff and revert: an article's editorial record."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.output import ListFormat, write_records
from balita_cli.cli.state import state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.models import Article

Ref = Annotated[str, typer.Argument(help="Article id or slug (old slugs work too).", show_default=False)]
HISTORY_FIELDS = ("version", "created_at", "changed_by", "note")
DIFF_STYLES = {"+": "green", "-": "red", "@": "cyan"}


class HistoryFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def find_any(session: Session, ref: str) -> Article:
    """A live article, or one in the trash: its record is worth reading either way."""
    from balita_cli.errors import NotFound
    from balita_cli.services import articles

    try:
        return articles.resolve_loaded(session, ref)
    except NotFound:
        return articles.resolve_loaded(session, ref, trash=True)


def history(
    ref: Ref,
    *,
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="table for people, json for scripts.")
    ] = HistoryFormat.TABLE,
) -> None:
    """List an article's versions: when, who and why (version 1 is its creation).

    Example: balita history 12 --format json
    """
    from balita_cli.cli.listing import display_cell
    from balita_cli.services import revisions

    with state().session() as session:
        entries = revisions.history(session, find_any(session, ref))
    records = [entry.record() for entry in entries]
    if output_format is HistoryFormat.JSON:
        write_records(records, ListFormat.JSON, (*HISTORY_FIELDS, "current"))
        return
    for record in records:
        record["version"] = f"{record['version']}{' (current)' if record['current'] else ''}"
    cell = display_cell(state().settings.site.tz)
    write_records(records, ListFormat.TABLE, HISTORY_FIELDS, cell=cell)


def diff(
    ref: Ref,
    old: Annotated[int | None, typer.Argument(help="Older version (default: the one before B).")] = None,
    new: Annotated[int | None, typer.Argument(help="Newer version (default: the current).")] = None,
) -> None:
    """Show what changed between two versions, fields first, then the body.

    Example: balita diff 12          (previous version → current)
             balita diff 12 3 5
    """
    from balita_cli.services import revisions

    with state().session() as session:
        lines = revisions.diff(session, find_any(session, ref), old, new)
    if not lines:
        console.info("no differences")
    for line in lines:
        style = DIFF_STYLES.get(line[:1], "") if not line.startswith(("+++", "---")) else "bold"
        console.out().print(line, style=style or None, markup=False, highlight=False, soft_wrap=True)


def revert(
    ref: Ref,
    *,
    to: Annotated[int, typer.Option("--to", help="The version whose content comes back.")],
    if_version: Annotated[
        int | None, typer.Option("--if-version", help="Refuse unless the article is at this version.")
    ] = None,
    message: Annotated[str, typer.Option("--message", "-m", help="Note for the history.")] = "",
) -> None:
    """Bring back an earlier version's content as a new version (status and dates stay).

    Example: balita revert 12 --to 3 -m "undo the rewrite"
    """
    from balita_cli.services import articles, revisions

    app_state = state()

    def work(session: Any) -> Article:
        article = articles.resolve(session, ref)
        return revisions.revert(
            session, article.id, to, seen_version=if_version,  # type: ignore[arg-type]
            who=app_state.who, note=message,
        )  # fmt: skip

    article = app_state.write(work)
    console.info(f"Article {article.id} now has version {to}'s content as version {article.version}")


def register(app: typer.Typer) -> None:
    app.command("history")(history)
    app.command("diff")(diff)
    app.command("revert")(revert)
