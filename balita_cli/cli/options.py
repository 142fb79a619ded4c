"""Option types declared once and shared by list, search, export and stats."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from balita_cli.cli.completion import complete_article, complete_author, complete_section, complete_tag
from balita_cli.cli.output import ListFormat
from balita_cli.workflow import Status

if TYPE_CHECKING:
    from balita_cli.cli.state import AppState
    from balita_cli.services.query import ArticleFilter

ArticleRef = Annotated[
    str,
    typer.Argument(
        metavar="ARTICLE",
        help="Article id or slug (old slugs work too).",
        show_default=False,
        autocompletion=complete_article,
    ),
]
ArticleRefs = Annotated[
    list[str],
    typer.Argument(
        metavar="ARTICLE...", help="Article ids or slugs.", show_default=False, autocompletion=complete_article
    ),
]
StatusOpt = Annotated[
    list[Status] | None, typer.Option("--status", "-s", help="Only this status (repeatable: any of them).")
]
SectionOpt = Annotated[
    list[str] | None, typer.Option("--section", help="Only this section (repeatable).", autocompletion=complete_section)
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", help="Has this tag (repeatable: all must match).", autocompletion=complete_tag),
]
AuthorOpt = Annotated[
    list[str] | None,
    typer.Option("--author", help="Has this author in the byline (repeatable).", autocompletion=complete_author),
]
LangOpt = Annotated[list[str] | None, typer.Option("--lang", help="Language tag, e.g. en or fil (repeatable).")]
SourceOpt = Annotated[
    list[str] | None,
    typer.Option("--source", help="Source name or host of the source URL, case-insensitive (repeatable)."),
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="On or after this time (site time zone), e.g. 2026-11-01 or '3 days ago'.")
]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Before this time (site time zone).")]
DateFieldOpt = Annotated[
    str,
    typer.Option(
        "--date-field", help="Which time --since/--until read: published, updated, created, scheduled, expires."
    ),
]
QueryOpt = Annotated[str | None, typer.Option("--query", help="Full-text match on title, summary and body.")]
TrashOpt = Annotated[bool, typer.Option("--trash", help="Look in the trash instead.")]
SortOpt = Annotated[
    str,
    typer.Option(
        "--sort",
        help="published, updated, created, scheduled, expires, title, id, slug, status; prefix - for descending.",
    ),
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", help="At most this many rows.")]
OffsetOpt = Annotated[int, typer.Option("--offset", help="Skip this many rows first.")]
FormatOpt = Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")]
FieldsOpt = Annotated[
    str | None, typer.Option("--fields", help="Comma-separated fields to show (see docs/scripting.md for the list).")
]


def build_filter(
    state: AppState,
    *,
    status: list[Status] | None,
    section: list[str] | None,
    tag: list[str] | None,
    author: list[str] | None,
    lang: list[str] | None,
    source: list[str] | None,
    since: str | None,
    until: str | None,
    date_field: str,
    query: str | None = None,
    trash: bool = False,
) -> ArticleFilter:
    from balita_cli.services.query import ArticleFilter, date_column
    from balita_cli.timeutil import parse_when

    zone = state.settings.site.tz
    date_column(date_field)
    return ArticleFilter(
        statuses=status or (),
        sections=section or (),
        tags=tag or (),
        authors=author or (),
        languages=lang or (),
        sources=source or (),
        since=parse_when(since, zone) if since else None,
        until=parse_when(until, zone) if until else None,
        date_field=date_field,
        query=query,
        trash=trash,
    )


def parse_fields(raw: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    from balita_cli.errors import UsageError
    from balita_cli.records import RECORD_FIELDS

    if not raw:
        return default
    names = tuple(name.strip() for name in raw.split(",") if name.strip())
    unknown = [name for name in names if name not in RECORD_FIELDS and name not in {"rank", "snippet"}]
    if unknown:
        raise UsageError(f"unknown field(s): {', '.join(unknown)} (known: {', '.join(RECORD_FIELDS)})")
    return names
