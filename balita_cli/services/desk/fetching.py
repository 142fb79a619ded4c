"""``balita fetch``: polling the sources and handing what they send to filing.

A run chooses the sources named or due, fetches their feeds (``balita_cli.net``, conditionally
with the validators of the last poll), reads each new body as a feed, files the entries oldest
first in one write transaction (``services/desk/filing.py``) and remembers each source's poll.
A failing source is that source's alone and is tried again after a back-off. A run where nothing
new came writes only the polls, without the ORM, the feed parser or the similarity index, as
cron runs it every few minutes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from balita_cli.db.dbapi import Database
from balita_cli.errors import InvalidInput
from balita_cli.services.desk import sources
from balita_cli.services.desk.intake import DeskSettings, desk_settings, fetch_policy, intake_of
from balita_cli.services.desk.poll_state import Poll, next_poll, record_polls
from balita_cli.services.desk.runs import FetchReport, FetchRequest, SourceRun
from balita_cli.services.desk.source_settings import SourceRecord
from balita_cli.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.config import Settings, Site
    from balita_cli.net import Fetched, FetchError
    from balita_cli.services.desk.filing import Filed, Item, Recent

Reader = Callable[[], AbstractContextManager[Database]]
Writer = Callable[[Callable[["Session"], Any]], Any]

MAX_ENTRIES = 500  # read from one feed in one run: a news feed holds tens; a larger one is a mistake


# ---------------------------------------------------------------- what a run reports


# ---------------------------------------------------------------- the run


def fetch(read: Reader, write: Writer, light_write: Reader, settings: Settings, request: FetchRequest) -> FetchReport:
    """Poll the sources named in ``request`` (else those due) and file what they bring."""
    desk = desk_settings(settings)
    now = utcnow()
    with read() as db:
        chosen = sources.find_many(db, request.names) if request.names else sources.due(db, now)
        if not chosen:
            return FetchReport(next_source=sources.next_due(db))
    runs = [SourceRun(source) for source in chosen]
    answers = download(chosen, settings.site, desk, request.timeout)
    items = _read_feeds(runs, answers, settings.site, desk, request.timeout)
    fresh: list[Item] = []
    recent: list[Recent] = []
    if items:  # the filing modules load only for a run that brought entries
        # here: filing only for a run that brought entries
        from balita_cli.services.desk.filing import existing, file_entries, recent_stories

        with read() as db:
            known = existing(db, [item.entry.external_id for item in items])
            fresh = [item for item in items if item.entry.external_id not in known]
            for item in items:
                if item.entry.external_id in known:
                    item.run.skipped += 1
            recent = recent_stories(db, now - desk.window) if fresh else []
    if fresh:
        _fetch_images(fresh, settings)

        def file_and_remember(session: Session) -> list[Filed]:
            """One transaction: the new entries filed, then every source's poll."""
            filed = file_entries(session, fresh, recent, runs, settings, desk, request.who)
            record_polls(Database.of_session(session), _polls(runs, answers, now, filed))
            return filed

        outcome = write(file_and_remember)
        for run, filed in zip(runs, outcome, strict=True):
            run.created, run.related, run.skipped = filed.created, filed.related, filed.skipped
            run.duplicates = filed.duplicates
            run.rejected, run.problems, run.explained = filed.rejected, filed.problems, filed.explained
    else:
        polls = _polls(runs, answers, now)
        with light_write() as db:
            record_polls(db, polls)
    return FetchReport(runs)


def _fetch_images(items: Sequence[Item], settings: Settings) -> None:
    """The images of the new stories whose sources keep photos, before the write transaction;
    each item learns its ``photo`` (an upload, or why its image stays linked)."""
    from balita_cli.services.desk.photos import fetch_images, image_wanted  # here: only for new entries

    wanted = {item.order: image_wanted(item.run.source, item.record) for item in items}
    images = fetch_images((key for key in wanted.values() if key is not None), settings)
    for item in items:
        key = wanted[item.order]
        if key is not None:
            item.photo = images[key]


def download(
    chosen: Sequence[SourceRecord], site: Site, desk: DeskSettings, timeout: float | None = None
) -> dict[int, Fetched | FetchError]:
    """Every chosen feed, a few at a time, conditionally; sources that may reach private
    addresses are fetched under a policy of their own."""
    from balita_cli.net import Validators, fetch_many  # here: the network code only for a fetch

    answers: dict[int, Fetched | FetchError] = {}
    for allow_private in (False, True):
        group = [source for source in chosen if bool(source["allow_private"]) is allow_private]
        if not group:
            continue
        policy = fetch_policy(site, desk, allow_private=allow_private, timeout=timeout)
        requests = [
            (int(s["id"]), str(s["url"]), Validators(s["etag"] or None, s["last_modified"] or None)) for s in group
        ]
        answers.update(fetch_many(requests, policy, concurrency=desk.concurrency))
    return answers


def _read_feeds(
    runs: list[SourceRun],
    answers: dict[int, Fetched | FetchError],
    site: Site,
    desk: DeskSettings,
    timeout: float | None,
) -> list[Item]:
    """Each fetched body read by its source type, its entries made stories; failures marked on
    the run."""
    from balita_cli.net import FetchError  # here: the network code only for a fetch

    items: list[Item] = []
    for run in runs:
        answer = answers[int(run.source["id"])]
        if isinstance(answer, FetchError):
            run.result, run.reason = "failed", answer.message
            continue
        if answer.not_modified:
            run.result = "not modified"
            continue
        from balita_cli.formats.readers.feed import story  # here: the parsers only for a body
        from balita_cli.formats.sources import read_source
        from balita_cli.services.desk.filing import Item

        try:
            feed = read_source(answer.body, media_type=answer.content_type, address=answer.url)
        except InvalidInput as exc:
            run.result, run.reason = "failed", f"{answer.url}: {exc.message}"
            continue
        run.rejected += len(feed.skipped)
        run.problems += [f"{item.origin}: {item.reason}" for item in feed.skipped]
        if len(feed.entries) > MAX_ENTRIES:
            run.problems.append(
                f"{run.name}: the feed holds {len(feed.entries):,} entries; the first {MAX_ENTRIES} were read"
            )
        intake = intake_of(run.source, site, desk, timeout)
        for position, entry in enumerate(feed.entries[:MAX_ENTRIES], start=1):
            record = story(entry, intake, feed.outlet, f"{run.name}: entry {position}")
            items.append(Item(run, entry, record, len(items)))
    return items


def _polls(
    runs: Sequence[SourceRun], answers: dict[int, Fetched | FetchError], now: datetime, filed: Sequence[Filed] = ()
) -> list[Poll]:
    """What each source's fetch leaves to remember (``poll_state.next_poll``); each run learns
    when its source is due again."""
    polls = []
    for position, run in enumerate(runs):
        result = filed[position] if filed else None
        poll = next_poll(
            run.source,
            answers[int(run.source["id"])],
            now,
            error=run.reason if run.result == "failed" else None,
            brought_new=bool(result and (result.created or result.related or result.duplicates)),
        )
        run.next_due_at = poll.next_due_at
        polls.append(poll)
    return polls
