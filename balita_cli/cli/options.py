"""Option and argument types declared once: article references, the filter group, formats."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli.cli.completion import complete_article, complete_author, complete_section, complete_tag
from balita_cli.cli.params import OptionGroup, option
from balita_cli.errors import UsageError
from balita_cli.schema import RECORD_FIELDS
from balita_cli.timeutil import parse_when
from balita_cli.workflow import Status

if TYPE_CHECKING:
    from balita_cli.services.query import ArticleFilter

REF_HELP = "Article id or slug (old slugs work too; #12 is always the id)."
ArticleRef = Annotated[
    str, typer.Argument(metavar="ARTICLE", help=REF_HELP, show_default=False, autocompletion=complete_article)
]
ArticleRefs = Annotated[
    list[str],
    typer.Argument(metavar="ARTICLE...", help=REF_HELP, show_default=False, autocompletion=complete_article),
]
MAX_VERSION = 2**31 - 1  # a version number, or any count a person types, fits a database integer
# The two versions `diff` compares, of a story or of a page.
OldVersion = Annotated[
    int | None,
    typer.Argument(metavar="[OLD]", min=1, max=MAX_VERSION, help="Older version (default: the one before NEW)."),
]
NewVersion = Annotated[
    int | None,
    typer.Argument(metavar="[NEW]", min=1, max=MAX_VERSION, help="Newer version (default: the current)."),
]
IfVersion = Annotated[
    int | None,
    typer.Option("--if-version", min=1, max=MAX_VERSION, help="Refuse unless the article is at this version."),
]
NoteOpt = Annotated[str, typer.Option("--message", "-m", help="One-line note for the revision history.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    IDS = "ids"
    COUNT = "count"


class ShowFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


SortOpt = Annotated[
    str,
    typer.Option(
        "--sort",
        help="published, updated, created, scheduled, expires, title, id, slug, status; prefix - for descending.",
    ),
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", help="At most this many rows.")]
OffsetOpt = Annotated[int, typer.Option("--offset", help="Skip this many rows first.")]
ListFormatOpt = Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")]
ShowFormatOpt = Annotated[ShowFormat, typer.Option("--format", "-f", help="text for people, json for scripts.")]
PrintFormatOpt = Annotated[ShowFormat | None, typer.Option("--format", "-f", help="Print the article as json.")]
FieldsOpt = Annotated[
    str | None, typer.Option("--fields", help="Comma-separated fields to show (see docs/scripting.md for the list).")
]


@dataclass(frozen=True)
class Filters:
    """The filter options as given; ``resolve`` reads their times in the site's zone."""

    values: dict[str, Any]

    def resolve(self, zone: Any) -> ArticleFilter:
        from balita_cli.services.query import ArticleFilter  # here: --help imports every command module

        given = self.values
        return ArticleFilter(
            statuses=tuple(given.get("status") or ()),
            sections=tuple(given.get("section") or ()),
            tags=tuple(given.get("tag") or ()),
            authors=tuple(given.get("author") or ()),
            languages=tuple(given.get("lang") or ()),
            sources=tuple(given.get("source") or ()),
            since=parse_when(given["since"], zone) if given.get("since") else None,
            until=parse_when(given["until"], zone) if given.get("until") else None,
            date_field=given.get("date_field") or "published",
            query=given.get("query"),
            trash=bool(given.get("trash")),
        )


def _filter_parameters(*, text: bool) -> tuple[Any, ...]:
    many = list[str] | None
    parameters = [
        option("status", list[Status] | None, typer.Option("--status", "-s", help="Only this status (repeatable).")),
        option(
            "section",
            many,
            typer.Option("--section", help="Only this section (repeatable).", autocompletion=complete_section),
        ),
        option(
            "tag",
            many,
            typer.Option("--tag", "-t", help="Has this tag (repeatable: all must match).", autocompletion=complete_tag),
        ),
        option(
            "author",
            many,
            typer.Option(
                "--author", help="Has this author in the byline (repeatable).", autocompletion=complete_author
            ),
        ),
        option("lang", many, typer.Option("--lang", help="Language tag, e.g. en or fil (repeatable).")),
        option(
            "source",
            many,
            typer.Option("--source", help="Source name or host of the source URL, case-insensitive (repeatable)."),
        ),
        option(
            "since",
            str | None,
            typer.Option("--since", help="On or after this time (site time zone), e.g. 2026-11-01 or '3 days ago'."),
        ),
        option("until", str | None, typer.Option("--until", help="Before this time (site time zone).")),
        option(
            "date_field",
            str,
            typer.Option(
                "--date-field", help="Which time --since/--until read: published, updated, created, scheduled, expires."
            ),
            default="published",
        ),
    ]
    if text:
        parameters += [
            option("query", str | None, typer.Option("--query", help="Full-text match on title, summary and body.")),
            option("trash", bool, typer.Option("--trash", help="Look in the trash instead."), default=False),
        ]
    return tuple(parameters)


FILTERS = OptionGroup("filters", _filter_parameters(text=True), Filters)
# search has its words as the query, and never looks in the trash; stats counts what is live.
FILTERS_WITHOUT_TEXT = OptionGroup("filters", _filter_parameters(text=False), Filters)


def parse_fields(raw: str | None, default: tuple[str, ...], *, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    if not raw:
        return default
    names = tuple(name.strip() for name in raw.split(",") if name.strip())
    known = (*RECORD_FIELDS, *extra)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(f"unknown field(s): {', '.join(unknown)} (known: {', '.join(known)})")
    return names
