"""correct and retract: public notices kept with an article."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.articles import report
from balita_cli.cli.options import ArticleRef, IfVersion, PrintFormatOpt, ShowFormat
from balita_cli.cli.state import AppState, app
from balita_cli.errors import UsageError


def _notice(state: AppState, ref: str, change: Callable[[Any, int, str], int], output_format: ShowFormat | None) -> int:
    """Resolve and change one article in a write transaction; print it as json when asked."""
    from balita_cli.services import articles  # here: --help imports every command module

    who = state.who

    def work(session: Any) -> int:
        article_id = articles.resolve(session, ref)
        change(session, article_id, who)
        return article_id

    article_id = state.write(work)
    report(state, article_id, output_format)
    return article_id


def correct(
    ctx: typer.Context,
    ref: ArticleRef,
    text: Annotated[
        str, typer.Argument(metavar="TEXT", help="The correction, as readers will see it.", show_default=False)
    ],
    *,
    if_version: IfVersion = None,
    output_format: PrintFormatOpt = None,
) -> None:
    """Append a dated correction notice, shown with the article everywhere it is published.

    Example: balita correct 12 "An earlier version misspelled the senator's name."
    """
    from balita_cli.services import corrections  # here: --help imports every command module

    def add(session: Any, article_id: int, who: str) -> int:
        return corrections.correct(session, article_id, text, seen_version=if_version, who=who)

    article_id = _notice(app(ctx), ref, add, output_format)
    console.info(f"Correction added to article {article_id}")


def retract(
    ctx: typer.Context,
    ref: ArticleRef,
    reason_given: Annotated[
        str | None,
        typer.Argument(metavar="[REASON]", help="Public notice: why the story was withdrawn.", show_default=False),
    ] = None,
    *,
    reason_option: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="The reason, given as an option instead.")
    ] = None,
    if_version: IfVersion = None,
    output_format: PrintFormatOpt = None,
) -> None:
    """Withdraw a published story: its page and feeds keep a public retraction notice.

    Example: balita retract 12 "The report relied on a fabricated document."
    """
    from balita_cli.services import corrections  # here: --help imports every command module

    reason = one_reason(reason_given, reason_option)

    def withdraw(session: Any, article_id: int, who: str) -> int:
        return corrections.retract(session, article_id, reason, seen_version=if_version, who=who)

    article_id = _notice(app(ctx), ref, withdraw, output_format)
    console.info(f"Retracted article {article_id}")


def one_reason(given: str | None, option: str | None) -> str:
    """The reason, as REASON or --reason (once)."""
    if given is not None and option is not None and given != option:
        raise UsageError("give the reason once: as REASON or with --reason")
    reason = given if given is not None else option
    if reason is None:
        raise UsageError('give the reason readers will see: balita retract ARTICLE "REASON"')
    return reason


def register(typer_app: typer.Typer) -> None:
    typer_app.command("correct")(correct)
    typer_app.command("retract")(retract)
