"""Article pages made on every core the build may use.

Making article pages is most of a full build, and each depends only on what the build worked
out before reading the articles; so with enough pages, on Linux, the build forks workers that
make a share of every batch and send back each page's HTML. Only the build's own process reads
the database and writes files. Elsewhere, with one CPU, ``BALITA_BUILD_JOBS=1`` or few pages,
the build makes every page itself; the bytes are the same either way."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any, Protocol

from balita_cli.errors import InvalidInput
from balita_cli.records import SiteArticle

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


ENV_JOBS = "BALITA_BUILD_JOBS"
MAX_JOBS = 8
# Below this many pages to make, forking costs more than it saves.
PARALLEL_FROM = 200
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class Build(Protocol):
    def article_page(self, article: SiteArticle) -> tuple[str, str]:
        """An article's page: its path in the output and its HTML."""
        ...


_BUILD: Build | None = None  # what a forked worker makes pages with: inherited, never pickled

Made = tuple[tuple[str, str], int]  # ((path, html), article id)


def _pages(build: Build, articles: Sequence[SiteArticle]) -> list[Made]:
    return [(build.article_page(article), article.record["id"]) for article in articles]


def _make(articles: Sequence[SiteArticle]) -> list[Made]:
    """A worker's share: made with the build it inherited."""
    assert _BUILD is not None
    return _pages(_BUILD, articles)


def _worker_start(build_process: int) -> None:
    """Ctrl-C is the build's to handle: it stops the workers itself. And a worker must not outlive
    a build that was killed (SIGKILL leaves it no time to stop them, and a forked worker holds both
    ends of its own queue, so it would wait for work forever): the kernel kills it then."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != build_process:  # the build ended before the line above
        os._exit(1)


def jobs_allowed() -> int:
    """Processes making pages: ``BALITA_BUILD_JOBS`` when set, else the CPUs this process may
    use (at most 8); 1 where forking is not the platform's way."""
    text = os.environ.get(ENV_JOBS, "").strip()
    if text:
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 64:  # "²" is a digit to isdigit
            raise InvalidInput(f"{ENV_JOBS} must be a whole number from 1 to 64, not {text!r}")
        wanted = int(text)
    else:
        wanted = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, MAX_JOBS)
    return wanted if sys.platform.startswith("linux") else 1


class PageMakers:
    """``make`` a batch of article pages, shared between this process and its workers."""

    def __init__(self, build: Build, pages: int) -> None:
        self.build = build
        allowed = jobs_allowed()  # checked whenever pages are made, however few
        self.jobs = allowed if pages >= PARALLEL_FROM else 1
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> PageMakers:
        global _BUILD
        if self.jobs > 1:
            _BUILD = self.build
            self.pool = ProcessPoolExecutor(
                self.jobs - 1, mp_context=get_context("fork"), initializer=_worker_start, initargs=(os.getpid(),)
            )
        return self

    def __exit__(self, *exc: object) -> None:
        global _BUILD
        if self.pool is not None:
            # On an error or Ctrl-C, pages not begun are dropped; a worker finishes the one share
            # it is making (it writes nothing) and ends.
            self.pool.shutdown(wait=exc[0] is None, cancel_futures=True)
        _BUILD = None

    def make(self, articles: Sequence[SiteArticle]) -> list[Made]:
        """Each article's page, in the order given."""
        if self.pool is None or len(articles) < 2 * self.jobs:
            return _pages(self.build, articles)

        shares = [articles[number :: self.jobs] for number in range(self.jobs)]
        futures = [self.pool.submit(_make, share) for share in shares[1:]]
        made = _pages(self.build, shares[0])
        try:
            results: list[list[Made]] = [made, *(future.result() for future in futures)]
        except BrokenProcessPool:  # a worker was killed (out of memory?): go on without them
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
            return self.make(articles)
        return _interleaved(results, len(articles))


def _interleaved(results: list[list[Any]], count: int) -> list[Any]:
    """Undo ``articles[number::jobs]``: the pages in the order of their articles."""
    jobs = len(results)
    return [results[position % jobs][position // jobs] for position in range(count)]
