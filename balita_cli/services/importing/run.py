"""Bringing articles in from other systems: each record a reader yields is written, or reported.

Records are written in batches, each batch one transaction opened through the caller's session
factory, while a thread reads and parses the next batches. In a batch, the records that are
plainly new are checked as ``articles.create`` checks them (``new`` makes articles the same way)
and written together by a few set-based statements (``bulk_import``); every other record — one
already imported, one whose slug is taken, one with a photo, notices or related coverage — goes
through ``articles.create`` or ``refresh`` on its own under a savepoint, in its place. A bad
record is reported and skipped while the rest of its batch is kept: when the set-based write of
a group fails, the group is written again record by record. Importing the same input twice
creates nothing new: a record is matched on its external id (``wxr:<guid>``, ``ghost:<id>``,
``feed:<guid>``, ``md:<path>``…), else on its slug.

Old addresses come in as aliases: an old slug, or any other path of the site the story came from
(``/2019/05/old-title/``), kept as a path so the site can keep it resolving. A section, tag or
author spelled several ways in one import ("Maria Santos" on eleven posts, "maria santos" on one)
is one term; it is named by the spelling most of the import uses, not by the first one met.

``--update`` refreshes an article's content from its source, never its status (a retraction is
final, a publication is an editor's decision), and never over an editor's own changes: an
article edited since it was imported is reported as a conflict and left as it is.

This module runs the batches, each in a transaction of its own, and names what callers use. The
work is done in ``batches`` (one batch), ``read_ahead`` (the process or thread reading and
checking the next batch), ``bulk`` (the set-based statements), ``search_catch_up`` (PostgreSQL's
search documents, made by two more connections), ``records`` (one record on its own: prepare,
match, create, refresh), ``terms`` (the spelling each new term keeps) and ``report`` (the
settings and the summary).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, closing
from types import FrameType, TracebackType
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from balita_cli.db.fulltext import SEARCH_LATER
from balita_cli.formats.readers.base import ReadItem
from balita_cli.schema import ArticleInput
from balita_cli.services.importing import batches as import_batches
from balita_cli.services.importing.read_ahead import read_ahead
from balita_cli.services.importing.records import IMPORT_NOTE as IMPORT_NOTE
from balita_cli.services.importing.records import find_existing as find_existing
from balita_cli.services.importing.records import import_base as import_base
from balita_cli.services.importing.records import import_prepared as import_prepared
from balita_cli.services.importing.records import import_record as import_record
from balita_cli.services.importing.records import prepare as prepare
from balita_cli.services.importing.records import refresh as refresh
from balita_cli.services.importing.report import DEFAULT_BATCH_SIZE as DEFAULT_BATCH_SIZE
from balita_cli.services.importing.report import ImportSettings as ImportSettings
from balita_cli.services.importing.report import ImportSummary as ImportSummary
from balita_cli.services.importing.report import Problem as Problem
from balita_cli.services.importing.search_catch_up import SearchCatchUp
from balita_cli.services.importing.terms import Spellings as Spellings

# Imports into one PostgreSQL database take turns, a batch at a time, so two runs of the same
# file cannot both find a record missing and both create it.
# Keyed by the newsroom's schema, so newsrooms sharing a server never wait for each other; a
# holder that never lets go costs a waiting import lock_timeout (db/engine.py), not forever.
TAKE_IMPORT_TURN = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.balita.import'))"

SessionFactory = Callable[[], AbstractContextManager[Session]]


def run_import(
    items: Iterable[ReadItem],
    open_session: SessionFactory,
    settings: ImportSettings,
    summary: ImportSummary | None = None,
    *,
    on_item: Callable[[], None] = lambda: None,
    on_read: Callable[[ArticleInput], None] = lambda item: None,
) -> ImportSummary:
    """Write ``items`` batch by batch; a dry run uses one transaction and rolls it back.

    ``summary`` is filled as batches commit, so a caller interrupted half way can say what was
    written. ``on_read`` is told of each article as read (its terms and external id), here,
    wherever the reading was done.
    """
    summary = summary or ImportSummary(dry_run=settings.dry_run)
    spellings = Spellings()
    reading = read_ahead(items, settings)
    with closing(reading), BetweenBatches() as interrupts:
        batches = _told(reading, on_read)
        if settings.dry_run:
            pending = ImportSummary(dry_run=True)
            with open_session() as session:
                _take_turn(session)
                for batch in batches:
                    interrupts.act()
                    import_batches.import_batch(session, batch, pending, settings, spellings, on_item)
                pending.warnings.extend(spellings.settle(session))
                session.rollback()
            _add(summary, pending)
            return summary
        catching_up = SearchCatchUp(open_session)
        try:
            for batch in batches:
                interrupts.act()
                pending = ImportSummary()
                with open_session() as session:
                    later = _take_turn(session)
                    import_batches.import_batch(session, batch, pending, settings, spellings, on_item)
                if later:
                    catching_up.committed()
                _add(summary, pending)
                interrupts.act()
        except BaseException:
            catching_up.abandon()
            raise
        if warning := catching_up.finish():
            summary.warnings.append(warning)
    if spellings.to_settle():
        with open_session() as session:
            _take_turn(session)
            summary.warnings.extend(spellings.settle(session))
    return summary


class BetweenBatches:
    """Ctrl-C is acted on between batches, never inside one: an interrupt landing in the driver's
    or SQLAlchemy's bookkeeping during a commit can leave a session that cannot even roll back.
    A batch is short, so the wait is too; ``act`` raises the KeyboardInterrupt that was held."""

    def __init__(self) -> None:
        self.held = False
        self.previous: Any = None

    def __enter__(self) -> BetweenBatches:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._hold)
        return self

    def _hold(self, _signum: int, _frame: FrameType | None) -> None:
        self.held = True

    def act(self) -> None:
        if self.held:
            self.held = False
            raise KeyboardInterrupt

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _told(
    batches: Iterator[list[import_batches.Read]], on_read: Callable[[ArticleInput], None]
) -> Iterator[list[import_batches.Read]]:
    for batch in batches:
        for item in import_batches.articles_read(batch):
            on_read(item)
        yield batch


def _take_turn(session: Session) -> bool:
    """Wait for another import's batch to end; on PostgreSQL, leave the batch's search documents
    to be made after its commit (``SearchCatchUp``). True where they are."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    session.execute(text(TAKE_IMPORT_TURN))
    session.execute(text(SEARCH_LATER))
    return True


def _add(total: ImportSummary, batch: ImportSummary) -> None:
    for name in ("created", "updated", "duplicates", "rejected", "conflicts"):
        setattr(total, name, getattr(total, name) + getattr(batch, name))
    total.skipped.update(batch.skipped)
    total.problems.extend(batch.problems)
    total.warnings.extend(batch.warnings)
