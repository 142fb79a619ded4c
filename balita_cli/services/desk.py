"""The aggregator desk: polling the sources, filing what they send, and the review queue.

A run of ``balita fetch`` (cron runs it every few minutes) goes:

1. **Choose**: the sources named, else those due (not paused, their next poll time reached).
2. **Fetch** every chosen feed through ``balita_cli.net`` (``fetch_many``: a few at a time,
   each within one deadline and size limit, conditionally with the ETag and Last-Modified
   stored from the last run, with a User-Agent naming the site and its contact). A failure is
   that source's alone: it is written down, and the source is tried again after a back-off
   (``next_attempt_delay``: 15 minutes doubling to a day, never sooner than a Retry-After).
3. **Read** each new body as RSS, Atom or JSON Feed (an HTML page instead is one error for that
   source), and make each entry a story the way ``import feed`` does
   (``formats.readers.feed.story``): credited to the source's name, excerpted by its policy.
4. **File**, oldest entry first, in one write transaction: an entry already here (by its guid)
   is skipped; one whose title and lead read as another outlet's version of a story of the last
   48 hours (``text.similarity.CoverageIndex``, threshold ``[desk] related_threshold``) is added
   to that story's related coverage; any other becomes a story of its source, waiting for review
   (or a draft, or published, as the source says).
5. **Remember** each source's poll: validators, times, error, failures, next due time.

When nothing new came (every feed answered 304, or held only entries already here), step 4 is
skipped and step 5 is a few plain SQL statements: such a run never loads the ORM, the feed
parser or the similarity index.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from balita_cli.db.dbapi import Database
from balita_cli.errors import BalitaError, InvalidInput, UsageError
from balita_cli.services import sources
from balita_cli.services.query import time_param
from balita_cli.services.sources import Poll, SourceRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.config import Settings, Site
    from balita_cli.formats.readers.feed import Entry, Intake
    from balita_cli.net import Fetched, FetchError, FetchPolicy
    from balita_cli.schema import ArticleInput
    from balita_cli.text.similarity import CoverageIndex

T = TypeVar("T")
Reader = Callable[[], AbstractContextManager[Database]]
Writer = Callable[[Callable[["Session"], Any]], Any]

RELATED_THRESHOLD = 0.20  # balita_cli.text.similarity.DEFAULT_THRESHOLD, without importing it
REVIEW_MARK = "desk.last_review"
MAX_LEAD_CHARACTERS = 3000  # of a stored body, read for its first paragraph
SHOWN_MATCHES = 3
MAX_ENTRIES = 500  # read from one feed in one run: a news feed holds tens; a larger one is a mistake


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class DeskSettings:
    """``[desk]`` in balita.toml; every value has a default."""

    related_threshold: float = RELATED_THRESHOLD
    window_hours: int = 48  # stories this recent are compared with what comes in
    concurrency: int = 4  # feeds fetched at once
    timeout: float = 30.0  # seconds for one feed: connecting, redirects, the whole body
    max_feed_mb: int = 20  # a feed's size, as received and as decoded

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)


_LIMITS: dict[str, tuple[type, float, float]] = {
    "related_threshold": (float, 0.01, 1.0),
    "window_hours": (int, 1, 24 * 30),
    "concurrency": (int, 1, 32),
    "timeout": (float, 1, 600),
    "max_feed_mb": (int, 1, 200),
}


def desk_settings(settings: Settings) -> DeskSettings:
    """The ``[desk]`` table of the site's balita.toml (the defaults where there is none)."""
    path = settings.config_path
    if path is None:
        return DeskSettings()
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle).get("desk", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None
    if not isinstance(table, dict):
        raise InvalidInput(f"{path}: [desk] must be a table")
    unknown = sorted(set(table) - set(_LIMITS))
    if unknown:
        raise InvalidInput(f"{path}: unknown setting(s) in [desk]: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, value in table.items():
        kind, low, high = _LIMITS[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (kind is int and not isinstance(value, int))
        ):
            raise InvalidInput(f"{path}: [desk] {name} must be a number, not {value!r}")
        if not low <= value <= high:
            raise InvalidInput(f"{path}: [desk] {name} must be between {low:g} and {high:g}, not {value!r}")
        values[name] = kind(value)
    return DeskSettings(**values)


def user_agent(site: Site) -> str:
    """``balita/0.1.0 (Balita; +https://balita.example.ph; editors@balita.example.ph)``: who is
    asking and whom to write to, in printable ASCII as a header must be."""
    import unicodedata

    from balita_cli import __version__

    def ascii_text(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return " ".join("".join(c for c in folded if c.isprintable() and c not in "()\\;").split())[:120]

    details = "; ".join(part for part in (ascii_text(site.name), f"+{ascii_text(site.base_url)}",
                                          ascii_text(site.contact)) if part.strip("+"))  # fmt: skip
    return f"balita/{__version__} ({details})" if details else f"balita/{__version__}"


def fetch_policy(site: Site, desk: DeskSettings, *, allow_private: bool, timeout: float | None = None) -> FetchPolicy:
    from balita_cli.net import FetchPolicy

    return FetchPolicy(
        deadline=timeout or desk.timeout,
        max_bytes=desk.max_feed_mb * 1024 * 1024,
        allow_private=allow_private,
        user_agent=user_agent(site),
    )


def intake_of(source: SourceRecord, site: Site, desk: DeskSettings, timeout: float | None = None) -> Intake:
    """What a source's stories get: its name as the credit, its excerpt policy, section,
    language, tags and publish policy, and the way its feed is fetched."""
    from balita_cli.formats.readers.feed import Intake
    from balita_cli.workflow import Status

    status = {"review": Status.REVIEW, "draft": Status.DRAFT, "auto": Status.PUBLISHED}[source["publish"]]
    return Intake(
        source_name=source["name"],
        excerpt_words=None if source["full_text"] else int(source["excerpt_words"]),
        section=source["section"],
        language=source["language"],
        tags=tuple(source["tags"]),
        status=status,
        fetch=fetch_policy(site, desk, allow_private=bool(source["allow_private"]), timeout=timeout),
    )


def import_intake(db: Database | None, settings: Settings, source_name: str | None) -> tuple[Intake, int | None]:
    """``import feed``'s policy: a registered source's (and its id) when ``source_name`` names
    one, else the plain credit of ``source_name`` (or of the feed's own outlet) with the default
    excerpt; URLs fetched as the desk fetches them."""
    from balita_cli.errors import NotFound
    from balita_cli.formats.readers.feed import Intake

    rules = desk_settings(settings)
    if db is not None and source_name:
        try:
            found = sources.find(db, source_name)
        except NotFound:
            pass
        else:
            return intake_of(found, settings.site, rules), int(found["id"])
    policy = fetch_policy(settings.site, rules, allow_private=False)
    return Intake(source_name=source_name or "", fetch=policy), None


# ---------------------------------------------------------------- what a run reports


@dataclass(frozen=True)
class Candidate:
    story_id: int
    title: str
    score: float
    figures_differ: bool
    same_source: bool


@dataclass(frozen=True)
class Explained:
    """How one new entry was filed, and the stories it was compared with (``fetch --explain``)."""

    title: str
    decision: str  # "new story", "related", "rejected"
    story_id: int | None
    candidates: tuple[Candidate, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "decision": self.decision,
            "story_id": self.story_id,
            "candidates": [
                {"id": c.story_id, "title": c.title, "score": round(c.score, 4), "figures_differ": c.figures_differ,
                 "same_source": c.same_source} for c in self.candidates
            ],
        }  # fmt: skip


@dataclass
class SourceRun:
    """One source's part of a run."""

    source: SourceRecord
    result: str = "fetched"  # "fetched", "not modified" or "failed"
    reason: str = ""  # why it failed: one line
    created: list[int] = field(default_factory=list)
    related: int = 0
    skipped: int = 0  # entries already here
    rejected: int = 0  # entries that could not be stored
    problems: list[str] = field(default_factory=list)
    explained: list[Explained] = field(default_factory=list)
    next_due_at: datetime | None = None

    @property
    def name(self) -> str:
        return str(self.source["name"])

    def as_dict(self, *, explain: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.name, "slug": self.source["slug"], "result": self.result, "reason": self.reason,
            "created": len(self.created), "related": self.related, "skipped": self.skipped,
            "rejected": self.rejected, "ids": self.created, "problems": self.problems,
            "next_due_at": self.next_due_at.isoformat() if self.next_due_at else None,
        }  # fmt: skip
        if explain:
            data["explain"] = [item.as_dict() for item in self.explained]
        return data


@dataclass
class FetchReport:
    runs: list[SourceRun] = field(default_factory=list)
    next_source: SourceRecord | None = None  # when nothing was due: the one due next

    @property
    def failed(self) -> list[SourceRun]:
        return [run for run in self.runs if run.result == "failed"]


@dataclass(frozen=True)
class FetchRequest:
    names: Sequence[str] = ()
    explain: bool = False
    timeout: float | None = None
    who: str = ""


@dataclass
class _Item:
    """A new entry on its way to being filed."""

    run: SourceRun
    entry: Entry
    record: ArticleInput
    order: int


# ---------------------------------------------------------------- the run


def fetch(read: Reader, write: Writer, light_write: Reader, settings: Settings, request: FetchRequest) -> FetchReport:
    """Poll the sources named in ``request`` (else those due) and file what they bring."""
    from balita_cli.timeutil import utcnow

    desk = desk_settings(settings)
    now = utcnow()
    with read() as db:
        chosen = sources.find_many(db, request.names) if request.names else sources.due(db, now)
        if not chosen:
            return FetchReport(next_source=sources.next_due(db))
    runs = [SourceRun(source) for source in chosen]
    answers = download(chosen, settings.site, desk, request.timeout)
    items = _read_feeds(runs, answers, settings.site, desk, request.timeout)
    fresh: list[_Item] = []
    recent: list[Recent] = []
    if items:
        with read() as db:
            known = existing(db, [item.entry.external_id for item in items])
            fresh = [item for item in items if item.entry.external_id not in known]
            for item in items:
                if item.entry.external_id in known:
                    item.run.skipped += 1
            recent = recent_stories(db, now - desk.window) if fresh else []
    if fresh:
        outcome = write(lambda session: _file(session, fresh, recent, settings, desk, request, runs, answers, now))
        for run, filed in zip(runs, outcome, strict=True):
            run.created, run.related, run.skipped = filed.created, filed.related, filed.skipped
            run.rejected, run.problems, run.explained = filed.rejected, filed.problems, filed.explained
            run.next_due_at = filed.next_due_at
    else:
        polls = _polls(runs, answers, now)
        with light_write() as db:
            sources.record_polls(db, polls)
    return FetchReport(runs)


def download(
    chosen: Sequence[SourceRecord], site: Site, desk: DeskSettings, timeout: float | None = None
) -> dict[int, Fetched | FetchError]:
    """Every chosen feed, a few at a time, conditionally; sources that may reach private
    addresses are fetched under a policy of their own."""
    from balita_cli.net import Validators, fetch_many

    answers: dict[int, Fetched | FetchError] = {}
    for allow_private in (False, True):
        group = [source for source in chosen if bool(source["allow_private"]) is allow_private]
        if not group:
            continue
        policy = fetch_policy(site, desk, allow_private=allow_private, timeout=timeout)
        requests = [(int(s["id"]), str(s["url"]), Validators(s["etag"] or None, s["last_modified"] or None))
                    for s in group]  # fmt: skip
        answers.update(fetch_many(requests, policy, concurrency=desk.concurrency))
    return answers


def _read_feeds(
    runs: list[SourceRun],
    answers: dict[int, Fetched | FetchError],
    site: Site,
    desk: DeskSettings,
    timeout: float | None,
) -> list[_Item]:
    """Each fetched body read as a feed, its entries made stories; failures marked on the run."""
    from balita_cli.net import FetchError

    items: list[_Item] = []
    for run in runs:
        answer = answers[int(run.source["id"])]
        if isinstance(answer, FetchError):
            run.result, run.reason = "failed", answer.message
            continue
        if answer.not_modified:
            run.result = "not modified"
            continue
        from balita_cli.formats.readers.feed import parse_feed, story  # only for a body: feedparser is not light

        try:
            feed = parse_feed(answer.body, media_type=answer.content_type, address=answer.url)
        except InvalidInput as exc:
            run.result, run.reason = "failed", f"{answer.url}: {exc.message}"
            continue
        run.rejected += len(feed.skipped)
        run.problems += [f"{item.origin}: {item.reason}" for item in feed.skipped]
        if len(feed.entries) > MAX_ENTRIES:
            run.problems.append(f"{run.name}: the feed holds {len(feed.entries):,} entries; the first {MAX_ENTRIES} "
                                "were read")  # fmt: skip
        intake = intake_of(run.source, site, desk, timeout)
        for position, entry in enumerate(feed.entries[:MAX_ENTRIES], start=1):
            record = story(entry, intake, feed.outlet, f"{run.name}: entry {position}")
            items.append(_Item(run, entry, record, len(items)))
    return items


def existing(db: Database, external_ids: Sequence[str]) -> set[str]:
    """Which of these external ids a story (live or in the trash) or a related coverage has."""
    found: set[str] = set()
    unique = list(dict.fromkeys(external_ids))
    for start in range(0, len(unique), 500):
        batch = unique[start : start + 500]
        for table in ("article", "coverage"):
            in_ids, params = db.in_list("external_id", batch)
            found.update(str(row[0]) for row in db.rows(f"SELECT external_id FROM {table} WHERE {in_ids}", params))
    return found


@dataclass(frozen=True)
class Recent:
    story_id: int
    source_id: int | None
    title: str
    signature: bytes


def recent_stories(db: Database, since: datetime) -> list[Recent]:
    """Live stories that came in or were published since ``since``, with their similarity
    signature (computed here, before the write transaction takes the database's lock)."""
    from balita_cli.text.similarity import signature

    since_param = time_param(db, since)
    rows = db.stream(
        f"SELECT id, source_id, title, substr(body, 1, {MAX_LEAD_CHARACTERS}) FROM article "
        "WHERE deleted_at IS NULL AND (created_at >= ? OR published_at >= ?) ORDER BY id",
        [since_param, since_param],
    )
    return [Recent(int(i), s, str(t), signature(str(t), str(lead or ""))) for i, s, t, lead in rows]


# ---------------------------------------------------------------- filing (one write transaction)


@dataclass
class _Filed:
    created: list[int] = field(default_factory=list)
    related: int = 0
    skipped: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)
    explained: list[Explained] = field(default_factory=list)
    next_due_at: datetime | None = None


def _file(
    session: Session,
    items: list[_Item],
    recent: list[Recent],
    settings: Settings,
    desk: DeskSettings,
    request: FetchRequest,
    runs: list[SourceRun],
    answers: dict[int, Fetched | FetchError],
    now: datetime,
) -> list[_Filed]:
    """Everything a run files, and every source's poll, in one transaction (run again whole if
    the database was busy: nothing here outlives an attempt)."""
    from sqlalchemy import text

    from balita_cli.services.importing import IMPORT_LOCK_KEY
    from balita_cli.text.similarity import CoverageIndex

    if session.get_bind().dialect.name == "postgresql":  # imports and other runs take turns
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
    db = Database.of_session(session)
    filed = {id(run): _Filed(skipped=run.skipped, rejected=run.rejected, problems=list(run.problems)) for run in runs}
    index = CoverageIndex(desk.related_threshold)
    origin: dict[int, int | None] = {}
    titles: dict[int, str] = {}
    for story in recent:
        index.add_signature(story.story_id, story.signature)
        origin[story.story_id], titles[story.story_id] = story.source_id, story.title
    known = existing(db, [item.entry.external_id for item in items])  # again: another run may have filed some
    far_future = datetime.max.replace(tzinfo=UTC)
    for item in sorted(items, key=lambda it: (it.entry.published or far_future, it.order)):
        result = filed[id(item.run)]
        if item.entry.external_id in known:
            result.skipped += 1
            continue
        known.add(item.entry.external_id)
        _file_one(session, item, index, origin, titles, result, settings, desk, request)
    _link_sources(session, ((int(run.source["id"]), filed[id(run)]) for run in runs))
    polls = _polls(runs, answers, now, filed)
    for run, poll in zip(runs, polls, strict=True):
        filed[id(run)].next_due_at = poll.next_due_at
    sources.record_polls(db, polls)
    return [filed[id(run)] for run in runs]


def _file_one(
    session: Session,
    item: _Item,
    index: CoverageIndex,
    origin: dict[int, int | None],
    titles: dict[int, str],
    result: _Filed,
    settings: Settings,
    desk: DeskSettings,
    request: FetchRequest,
) -> None:
    from balita_cli.services import articles, importing
    from balita_cli.services.coverage import add_coverage

    source_id = int(item.run.source["id"])
    title, lead = str(item.record.get("title") or ""), str(item.record.get("body") or "")
    matches = index.matches(title, lead, limit=5) if len(index) else []
    best = next((m for m in matches if m.score >= desk.related_threshold and origin.get(m.story_id) != source_id), None)
    shown = tuple(Candidate(m.story_id, titles.get(m.story_id, ""), m.score, m.figures_differ,
                            origin.get(m.story_id) == source_id) for m in matches[:SHOWN_MATCHES])  # fmt: skip
    try:
        with session.begin_nested():
            if best is not None:
                add_coverage(session, best.story_id, [{
                    "source_name": item.record["source_name"], "url": item.entry.link, "title": title,
                    "published_at": item.entry.published, "external_id": item.entry.external_id,
                    "score": round(best.score, 4),
                }])  # fmt: skip
                story_id = best.story_id
            else:
                prepared = importing.prepare(item.record, importing.ImportSettings(settings.site.language, request.who))
                story_id = articles.create(session, prepared, who=request.who)
    except BalitaError as exc:
        result.rejected += 1
        result.problems.append(f"{item.record.origin}: {exc.message}")
        result.explained.append(Explained(title, "rejected", None, shown))
        return
    if best is not None:
        result.related += 1
        result.explained.append(Explained(title, "related", story_id, shown))
        return
    result.created.append(story_id)
    result.problems += [f"{item.record.origin}: {note}" for note in item.record.notes]
    result.explained.append(Explained(title, "new story", story_id, shown))
    index.add(story_id, title, lead)
    origin[story_id], titles[story_id] = source_id, title


def _link_sources(session: Session, filed: Iterable[tuple[int, _Filed]]) -> None:
    """Each source's new stories marked as its own: one statement per source and 500 stories."""
    from sqlalchemy import update
    from sqlmodel import col

    from balita_cli.models import Article

    for source_id, result in filed:
        for start in range(0, len(result.created), 500):
            ids = result.created[start : start + 500]
            session.execute(update(Article).where(col(Article.id).in_(ids)).values(source_id=source_id))


def _polls(
    runs: Iterable[SourceRun],
    answers: dict[int, Fetched | FetchError],
    now: datetime,
    filed: dict[int, _Filed] | None = None,
) -> list[Poll]:
    """What each source's fetch leaves to remember, and when it is due again."""
    from balita_cli.net import FetchError, next_attempt_delay

    polls = []
    for run in runs:
        source = run.source
        every = timedelta(minutes=int(source["every_minutes"]))
        answer = answers[int(source["id"])]
        if run.result == "failed":
            failures = int(source["failures"]) + 1
            retry_after = answer.retry_after if isinstance(answer, FetchError) else None
            wait = max(every, timedelta(seconds=next_attempt_delay(failures, retry_after)))
            poll = Poll(int(source["id"]), now, False, now + wait, failures, run.reason)
        else:
            assert not isinstance(answer, FetchError)
            result = filed.get(id(run)) if filed else None
            poll = Poll(
                int(source["id"]), now, True, now + every, 0,
                etag=answer.validators.etag or "", last_modified=answer.validators.last_modified or "",
                brought_new=bool(result and (result.created or result.related)),
            )  # fmt: skip
        run.next_due_at = poll.next_due_at
        polls.append(poll)
    return polls


# ---------------------------------------------------------------- the review queue


@dataclass(frozen=True)
class Waiting:
    id: int
    title: str
    status: str
    slug: str
    created_at: datetime | None
    published_at: datetime | None
    source: str
    outlets: int  # the story's own outlet and those filed as related coverage
    also: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "source": self.source, "status": self.status, "title": self.title, "slug": self.slug,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "outlets": self.outlets, "also_reported_by": list(self.also),
        }  # fmt: skip


def last_review(db: Database) -> datetime | None:
    value = sources.get_setting(db, REVIEW_MARK)
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def review_queue(
    db: Database, *, since: datetime | None, waiting_only: bool, source_ids: Sequence[int] = (), limit: int = 500
) -> list[Waiting]:
    """Stories from sources that came in after ``since`` (``waiting_only``: those still in
    review, whenever they came), by source (the source with the newest story first), newest first."""
    conditions, params = ["article.deleted_at IS NULL"], []
    if since is not None:
        conditions.append("article.created_at > ?")
        params.append(time_param(db, since))
    if waiting_only:
        conditions.append("article.status = ?")
        params.append("review")
    if source_ids:
        in_ids, id_params = db.in_list("article.source_id", list(source_ids))
        conditions.append(in_ids)
        params += id_params
    rows = db.rows(
        "SELECT article.id, article.title, article.status, article.slug, article.created_at, article.published_at, "
        f"source.name FROM article JOIN source ON source.id = article.source_id WHERE {' AND '.join(conditions)} "
        "ORDER BY article.created_at DESC, article.id DESC LIMIT ?",
        [*params, limit],
    )
    also = _also(db, [int(row[0]) for row in rows])
    found = [
        Waiting(int(i), str(t), str(st), str(sl), db.time(c), db.time(p), str(n), 1 + len(also.get(int(i), ())),
                tuple(also.get(int(i), ())))
        for i, t, st, sl, c, p, n in rows
    ]  # fmt: skip
    first_seen = {name: rank for rank, name in reversed(list(enumerate(w.source for w in found)))}
    return sorted(found, key=lambda waiting: first_seen[waiting.source])  # stable: newest first within


def _also(db: Database, ids: list[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    in_ids, params = db.in_list("article_id", ids)
    grouped: dict[int, list[str]] = {}
    for article_id, name in db.rows(f"SELECT article_id, source_name FROM coverage WHERE {in_ids} ORDER BY id", params):
        names = grouped.setdefault(int(article_id), [])
        if name not in names:
            names.append(str(name))
    return grouped


def mark_reviewed(db: Database, now: datetime) -> None:
    sources.set_setting(db, REVIEW_MARK, now.astimezone(UTC).isoformat(), now)


def accept(session: Session, refs: Sequence[str], *, section: str | None, publish: bool, who: str) -> list[int]:
    """Take stories out of the queue: into the newsroom's drafts, or published with ``publish``;
    into ``section`` when given. All of them, or none."""
    from balita_cli.services import articles, publishing
    from balita_cli.services.articles import ArticleChanges
    from balita_cli.workflow import Status

    ids = list(dict.fromkeys(articles.resolve(session, ref) for ref in refs))
    for article_id in ids:
        if section is not None:
            articles.update(session, article_id, ArticleChanges(section=section, clear_section=not section.strip()),
                            who=who, note="accepted at review: section")  # fmt: skip
        status = Status(articles.current(session, article_id)["status"])
        if publish:
            publishing.publish(session, article_id, who=who)
        elif status is Status.REVIEW:
            publishing.change_status(session, article_id, Status.DRAFT, who=who, note="accepted at review")
        elif status is not Status.DRAFT and section is None:
            raise UsageError(f"article {article_id} is {status.value}, not waiting for review")
    return ids


def reject(session: Session, refs: Sequence[str], *, note: str, who: str) -> list[int]:
    """Move stories to the trash, with a note in their history. Their guids stay known, so the
    next fetch does not bring them back."""
    from balita_cli.services import articles

    text = f"rejected at review: {note.strip()}" if note.strip() else "rejected at review"
    ids = list(dict.fromkeys(articles.resolve(session, ref) for ref in refs))
    for article_id in ids:
        articles.trash(session, article_id, who=who, note=text[:1000])
    return ids
