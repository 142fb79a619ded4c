"""correct and retract: public notices kept with an article."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.output import ShowFormat, write_json
from balita_cli.cli.state import state

if TYPE_CHECKING:
    from balita_cli.models import Article

Ref = Annotated[str, typer.Argument(help="Article id or slug.", show_default=False)]
IfVersion = Annotated[int | None, typer.Option("--if-version", help="Refuse unless the article is at this version.")]
FormatOpt = Annotated[ShowFormat | None, typer.Option("--format", "-f", help="Print the article as json.")]


def _notice(ref: str, change: Callable[[Any, int, str], Article]) -> Article:
    """Resolve and change one article in a write transaction, retried while the database is busy."""
    from balita_cli.services import articles

    app_state = state()

    def work(session: Any) -> Article:
        return change(session, articles.resolve(session, ref).id, app_state.who)  # type: ignore[arg-type]

    return app_state.write(work)


def _report(article: Article, output_format: ShowFormat | None, message: str) -> None:
    if output_format is ShowFormat.JSON:
        from balita_cli.records import article_record

        write_json(article_record(article, state().settings.site.base_url))
    else:
        console.info(message)


def correct(
    ref: Ref,
    text: Annotated[str, typer.Argument(help="The correction, as readers will see it.", show_default=False)],
    *,
    if_version: IfVersion = None,
    output_format: FormatOpt = None,
) -> None:
    """Append a dated correction notice, shown with the article everywhere it is published.

    Example: balita correct 12 "An earlier version misspelled the senator's name."
    """
    from balita_cli.services import corrections

    article = _notice(
        ref,
        lambda session, article_id, who: corrections.correct(
            session, article_id, text, seen_version=if_version, who=who
        ),
    )
    _report(article, output_format, f"Correction added to article {article.id} (version {article.version})")


def retract(
    ref: Ref,
    *,
    reason: Annotated[str, typer.Option("--reason", help="Public notice: why the story was withdrawn.")],
    if_version: IfVersion = None,
    output_format: FormatOpt = None,
) -> None:
    """Withdraw a published story: its page and feeds keep a public retraction notice.

    Example: balita retract 12 --reason "The report relied on a fabricated document."
    """
    from balita_cli.services import corrections

    article = _notice(
        ref,
        lambda session, article_id, who: corrections.retract(
            session, article_id, reason, seen_version=if_version, who=who
        ),
    )
    _report(article, output_format, f"Retracted article {article.id} ({article.slug})")


def register(app: typer.Typer) -> None:
    app.command("correct")(correct)
    app.command("retract")(retract)
