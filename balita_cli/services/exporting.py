"""What an export may contain: public formats hold public articles only, and a sitemap file
holds a bounded number of URLs. The command decides the format; these rules decide the rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from balita_cli.errors import UsageError
from balita_cli.services.query import ArticleFilter
from balita_cli.workflow import PUBLIC_STATUSES, Status

NEWS_SITEMAP_WINDOW = timedelta(hours=48)


def public_filter(flt: ArticleFilter, format_name: str, *, now: datetime) -> ArticleFilter:
    """Published articles by default; drafts, review, scheduled and the trash never go public."""
    if flt.trash:
        raise UsageError(f"{format_name} is a public format: it cannot export the trash")
    private = sorted(s.value for s in flt.statuses if s.value not in PUBLIC_STATUSES)
    if private:
        raise UsageError(
            f"{format_name} is a public format: it cannot hold {', '.join(private)} articles "
            f"(choose from {', '.join(sorted(PUBLIC_STATUSES))})"
        )
    flt = replace(flt, statuses=flt.statuses or (Status.PUBLISHED,))
    if format_name == "news-sitemap" and flt.since is None:
        # Google News wants only the last two days; the writer enforces it, the query saves work.
        flt = replace(flt, since=now - NEWS_SITEMAP_WINDOW, date_field="published")
    return flt


def check_capacity(format_name: str, most: int | None, total: int, *, into_directory: bool) -> None:
    """Fail before writing anything when one file cannot hold the export (sitemaps)."""
    if most is not None and total > most and not into_directory:
        raise UsageError(
            f"{total:,} URLs is more than one {format_name} holds ({most:,}): "
            "give -o DIRECTORY (an existing directory) for numbered files and an index"
        )
