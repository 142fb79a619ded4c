"""An import's search documents, made on PostgreSQL by more connections while it writes.

Making search documents is most of the server's work in an import. The import's batches leave
their articles waiting (``fulltext.SEARCH_LATER``), and threads with connections of their own
make the documents of each committed batch while the next is written, so the work spreads over
the CPUs. The import waits for them before it says it is done; if it is interrupted, the articles
left waiting are searched all the same (``fulltext``)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from balita_cli.db.fulltext import catch_up
from balita_cli.services.importing.report import Problem

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CONNECTIONS = 2  # the work of the import's end is split between them: a CPU each
CHUNK = 250  # articles a transaction: the last of an import shared out finely


class SearchCatchUp:
    """Call ``committed`` after each batch's commit and ``finish`` at the end (``abandon`` on an
    error or an interrupt: the threads end after the chunk they are doing, the rest stays waiting)."""

    def __init__(self, open_session: Callable[[], AbstractContextManager[Session]]) -> None:
        self.open_session = open_session
        self.wakes: list[queue.SimpleQueue[bool]] = []
        self.threads: list[threading.Thread] = []
        self.failure: BaseException | None = None

    def committed(self) -> None:
        if not self.threads:  # started at the first commit: the import's reader is forked by then
            for number in range(CONNECTIONS):
                wake: queue.SimpleQueue[bool] = queue.SimpleQueue()
                thread = threading.Thread(target=self._run, args=(wake,), name=f"balita-search-{number}", daemon=True)
                self.wakes.append(wake)
                self.threads.append(thread)
                thread.start()
        for wake in self.wakes:
            wake.put(True)

    def finish(self) -> Problem | None:
        """Wait for the documents of everything committed; a warning if they could not be made."""
        self._stop()
        if self.failure is None:
            return None
        reason = str(getattr(self.failure, "orig", self.failure)).strip().splitlines()[0]
        return Problem("search index", f"articles wait for their documents ({reason}); search finds them all the same")

    def abandon(self) -> None:
        self.failure = self.failure or RuntimeError("interrupted")
        self._stop()

    def _stop(self) -> None:
        for wake in self.wakes:
            wake.put(False)
        for thread in self.threads:
            thread.join()

    def _run(self, wake: queue.SimpleQueue[bool]) -> None:
        going = True
        while going:
            going = wake.get()
            while not wake.empty():  # commits that came while working: the next pass does them all
                going = wake.get() and going
            try:
                while self.failure is None:
                    with self.open_session() as session:
                        if not catch_up(session.connection(), CHUNK):
                            break
            except Exception as exc:  # noqa: BLE001 - the articles stay waiting; finish() words it
                self.failure = exc
