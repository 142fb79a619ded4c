"""``balita newsletter send``: one issue of a list, mailed once to each confirmed subscriber.

An issue is the list's stories published in a window (``since`` to the moment the issue was
begun) and the notices since the list's previous issue. Its send log has a row per recipient:
``sending`` is committed before the message's last line goes to the server and ``sent`` after
its answer, so a run killed at any moment, run again, resumes the same issue and never mails
anyone twice. A message the server refused for now (4xx) is ``failed`` and tried again by the
next run; one refused for good (5xx) is ``rejected``. A row left ``sending`` by a killed run was
most likely taken by the server: it is not sent again unless asked (``resend_uncertain``).

One run at a time per list (``db/locks.py``); at most ``rate`` messages a second.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from sqlalchemy import bindparam, text
from sqlmodel import col, select

from balita_cli.config import Settings
from balita_cli.db import locks
from balita_cli.db.dbapi import Database
from balita_cli.errors import InvalidInput, NotFound
from balita_cli.mail import Letter, MailError, Postman, Refused, check_settings, mailbox
from balita_cli.models import NewsletterIssue, NewsletterList, UTCDateTime
from balita_cli.services.newsletter import digest, subscribers
from balita_cli.site import newsletter as render
from balita_cli.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

Reader = Callable[[], AbstractContextManager[Database]]
Writer = Callable[[Callable[["Session"], Any]], Any]

SENDING, SENT, FAILED, REJECTED = "sending", "sent", "failed", "rejected"
DEFAULT_WINDOW = timedelta(days=1)
MAX_ERROR = 300


@dataclass(frozen=True)
class Request:
    """What the command asked for."""

    list_name: str
    since: datetime | None  # None: resume the list's unfinished issue, else go on from its last one
    section: str = ""
    language: str = ""
    rate: float = 10.0  # messages a second; 0: no limit
    resend_uncertain: bool = False


@dataclass(frozen=True)
class IssueInfo:
    id: int
    list_id: int
    list_name: str
    list_title: str
    list_language: str
    span: digest.Span
    created_at: datetime
    finished: bool
    resumed: bool


@dataclass
class SendReport:
    busy: bool = False
    empty: bool = False  # nothing published, corrected or retracted in the window: nothing sent
    issue: int = 0
    resumed: bool = False
    recipients: int = 0  # confirmed subscribers this run had to mail
    sent: int = 0
    already: int = 0  # had it from an earlier run
    failed: list[str] = field(default_factory=list)  # "address: 451 …", tried again by the next run
    rejected: list[str] = field(default_factory=list)  # refused for good (5xx)
    uncertain: int = 0  # left "sending" by a killed run
    stopped: str = ""  # the server went away: the rest waits for the next run
    stories: int = 0
    notices: int = 0

    @property
    def complete(self) -> bool:
        return not (self.failed or self.rejected or self.stopped or self.busy)

    def summary(self) -> dict[str, Any]:
        return {
            "busy": self.busy,
            "empty": self.empty,
            "issue": self.issue,
            "resumed": self.resumed,
            "stories": self.stories,
            "notices": self.notices,
            "sent": self.sent,
            "already_sent": self.already,
            "failed": self.failed,
            "rejected": self.rejected,
            "uncertain": self.uncertain,
            "stopped": self.stopped,
        }


@dataclass(frozen=True)
class Recipient:
    subscriber_id: int
    email: str
    unsubscribe_token: str


# ---------------------------------------------------------------- the issue


def open_issue(session: Session, request: Request, *, until: datetime, who: str) -> IssueInfo:
    """The issue this run sends: the list's unfinished issue (a run was killed, or the server
    refused some), else (``resend_uncertain``) its latest, else its issue begun at the same
    ``since`` (sent already), else a new one."""
    found = subscribers.find_list(session, request.list_name)
    issues = select(NewsletterIssue).where(col(NewsletterIssue.list_id) == found.id)
    latest = session.scalars(issues.order_by(col(NewsletterIssue.created_at).desc())).first()
    since = request.since or (latest.until if latest is not None else until - DEFAULT_WINDOW)
    issue = session.scalars(issues.where(col(NewsletterIssue.finished_at).is_(None))).first()
    if issue is None and request.resend_uncertain:  # what a killed run left: the latest issue's
        issue = latest
    if issue is None and request.since is not None:  # the same window asked again: that issue
        issue = session.scalars(issues.where(col(NewsletterIssue.since) == since)).first()
    if issue is not None:
        return _info(found, issue, resumed=True)
    if since >= until:
        raise InvalidInput("--since is not in the past: an issue carries what was published since then")
    section = request.section or found.section
    issue = NewsletterIssue(
        list_id=int(found.id or 0),
        since=since,
        until=until,
        notices_since=latest.until if latest is not None else since,
        section=section,
        language=request.language,
        created_at=until,
        created_by=who,
    )
    session.add(issue)
    session.flush()
    return _info(found, issue, resumed=False)


def _info(found: NewsletterList, issue: NewsletterIssue, *, resumed: bool) -> IssueInfo:
    span = digest.Span(issue.since, issue.until, issue.notices_since, issue.section, issue.language)
    return IssueInfo(
        id=int(issue.id or 0),
        list_id=int(found.id or 0),
        list_name=found.name,
        list_title=found.title,
        list_language=found.language,
        span=span,
        created_at=issue.created_at,
        finished=issue.finished_at is not None,
        resumed=resumed,
    )


def _recipients(db: Database, issue: IssueInfo, *, resend_uncertain: bool) -> tuple[list[Recipient], int, int]:
    """Who still needs this issue, and how many had it already and how many are uncertain."""
    rows = db.rows(
        "SELECT s.id, s.email, s.unsubscribe_secret, n.state FROM subscriber AS s "
        "LEFT JOIN newsletter_send AS n ON n.subscriber_id = s.id AND n.issue_id = ? "
        "WHERE s.list_id = ? AND s.state = 'confirmed' ORDER BY s.id",
        [issue.id, issue.list_id],
    )
    waiting: list[Recipient] = []
    already = uncertain = 0
    for number, email, secret, state in rows:
        if state in (SENT, REJECTED):
            already += state == SENT
            continue
        if state == SENDING and not resend_uncertain:
            uncertain += 1
            continue
        waiting.append(Recipient(int(number), str(email), subscribers.token(int(number), str(secret))))
    return waiting, already, uncertain


_MARK = text(
    "INSERT INTO newsletter_send (issue_id, subscriber_id, state, attempts, last_error, updated_at) "
    "VALUES (:issue, :subscriber, :state, :tried, :error, :now) "
    "ON CONFLICT (issue_id, subscriber_id) DO UPDATE SET state = excluded.state, "
    "attempts = newsletter_send.attempts + excluded.attempts, last_error = excluded.last_error, "
    "updated_at = excluded.updated_at"
).bindparams(bindparam("now", type_=UTCDateTime))


def _mark(session: Session | Connection, *, issue_id: int, subscriber_id: int, state: str, error: str = "") -> None:
    """One statement (this runs twice a message): the row made or moved on, a try counted."""
    values = {"issue": issue_id, "subscriber": subscriber_id, "state": state, "error": error[:MAX_ERROR]}
    session.execute(_MARK, {**values, "tried": int(state == SENDING), "now": utcnow()})


def _drop(session: Session, issue_id: int) -> None:
    issue = session.get(NewsletterIssue, issue_id)
    if issue is not None:
        session.delete(issue)


def _finish(session: Session, issue_id: int) -> None:
    issue = session.get(NewsletterIssue, issue_id)
    if issue is not None and issue.finished_at is None:
        issue.finished_at = utcnow()
        session.add(issue)


# ---------------------------------------------------------------- the mail


@dataclass(frozen=True)
class Addressing:
    """Who the mail is from and where readers unsubscribe, checked once for a run."""

    sender: str
    envelope_from: str
    unsubscribe_url: str
    unsubscribe_address: str
    domain: str

    @classmethod
    def of(cls, settings: Settings) -> Addressing:
        site, options = settings.site, settings.newsletter
        base = site.base_url.rstrip("/")
        contact = site.publisher.email
        sender, envelope = mailbox(options.sender or f"{site.name} <{contact}>", "[newsletter] sender")
        _, unsubscribe_address = mailbox(options.unsubscribe_mailto or contact, "[newsletter] unsubscribe_mailto")
        url = options.unsubscribe_url or f"{base}/newsletter/unsubscribe"
        if not url.startswith(f"{base}/") or not url.startswith("https://") or any(c in url for c in "?#<> \"'"):
            raise InvalidInput(
                f"[newsletter] unsubscribe_url must be an https:// address under the site's base URL {base}/"
            )
        domain = urlsplit(base).hostname or "localhost"
        return cls(sender, envelope, url, unsubscribe_address, domain)


def chrome(settings: Settings, issue: IssueInfo, addressing: Addressing) -> render.Chrome:
    template_dir = settings.resolve_path(settings.site.template_dir)
    return render.Chrome(
        site_name=settings.site.name,
        base_url=settings.site.base_url,
        list_title=issue.list_title,
        language=issue.list_language,
        unsubscribe_url=addressing.unsubscribe_url,
        zone=settings.site.tz,
        template_dir=template_dir if template_dir.is_dir() else None,
    )


def letter(
    rendered: render.Rendered, frame: render.Chrome, addressing: Addressing, issue: IssueInfo, person: Recipient
) -> Letter:
    text, html = rendered.for_token(person.unsubscribe_token, frame)
    stamp = hashlib.sha256(f"{issue.id}.{person.subscriber_id}.{issue.created_at.isoformat()}".encode()).hexdigest()
    return Letter(
        sender=addressing.sender,
        recipient=person.email,
        subject=rendered.subject,
        text=text,
        html=html,
        message_id=f"<newsletter.{issue.id}.{person.subscriber_id}.{stamp[:16]}@{addressing.domain}>",
        date=utcnow(),
        list_id=(issue.list_title, f"{issue.list_name}.{addressing.domain}"),
        unsubscribe_https=frame.unsubscribe_link(person.unsubscribe_token),
        unsubscribe_mailto=f"mailto:{addressing.unsubscribe_address}?subject="
        + quote(f"unsubscribe {person.unsubscribe_token}"),
    )


class Pace:
    """At most ``rate`` messages a second, spread evenly (0: as fast as the server takes them)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now) + self.interval


# ---------------------------------------------------------------- the run


def send(
    reader: Reader,
    writer: Writer,
    engine: Engine,
    settings: Settings,
    request: Request,
    *,
    password: str | None,
    who: str,
) -> SendReport:
    addressing = Addressing.of(settings)
    check_settings(settings.smtp)
    report = SendReport()
    with locks.exclusive(settings.require_database(), f"newsletter-{_job(request.list_name)}") as mine:
        if not mine:
            report.busy = True
            return report
        issue: IssueInfo = writer(partial(open_issue, request=request, until=utcnow(), who=who))
        report.issue, report.resumed = issue.id, issue.resumed
        with reader() as db:
            content = digest.read(db, issue.span, settings.site.base_url)
            waiting, report.already, report.uncertain = _recipients(
                db, issue, resend_uncertain=request.resend_uncertain
            )
        report.stories, report.notices, report.recipients = len(content.stories), len(content.notices), len(waiting)
        if content.empty and not issue.resumed:  # nothing to tell: no mail saying so
            writer(partial(_drop, issue_id=issue.id))
            report.empty, report.issue = True, 0
            return report
        frame = chrome(settings, issue, addressing)
        run = Run(
            engine, addressing, issue, frame, render.issue(content, frame, issue.created_at), Pace(request.rate), report
        )
        run.through(waiting, settings, password)
        if not (report.failed or report.stopped) and len(report.rejected) + report.sent == len(waiting):
            writer(partial(_finish, issue_id=issue.id))
    return report


@dataclass
class Run:
    """The messages of one run, handed to the server over ``[smtp] connections`` connections at
    once (a server's answers take longer than writing them down)."""

    engine: Engine  # each connection's log entries go through a database connection of its own
    addressing: Addressing
    issue: IssueInfo
    frame: render.Chrome
    rendered: render.Rendered
    pace: Pace
    report: SendReport
    lock: threading.Lock = field(default_factory=threading.Lock)
    error: BaseException | None = None

    def through(self, waiting: list[Recipient], settings: Settings, password: str | None) -> None:
        people = iter(waiting)
        count = max(1, min(settings.smtp.connections, len(waiting)))
        workers = [
            threading.Thread(target=self._work, args=(people, Postman(settings.smtp, password)), daemon=True)
            for _ in range(count)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if self.error is not None:  # raised here, where the command reports it
            raise self.error

    def _next(self, people: Iterator[Recipient]) -> Recipient | None:
        with self.lock:
            if self.report.stopped:
                return None
            person = next(people, None)
            if person is not None:
                self.pace.wait()
            return person

    def _work(self, people: Iterator[Recipient], postman: Postman) -> None:
        from balita_cli.db.engine import WRITE_OPTION

        try:
            with self.engine.execution_options(**{WRITE_OPTION: True}).connect() as connection:
                while (person := self._next(people)) is not None:
                    if not self._deliver(postman, person, partial(_logged, connection)):
                        return
        except BaseException as exc:  # noqa: BLE001  (handed to the main thread, which raises it)
            with self.lock:
                self.report.stopped = self.report.stopped or "an error"
                self.error = self.error or exc
        finally:
            postman.close()

    def _deliver(self, postman: Postman, person: Recipient, log: Callable[..., None]) -> bool:
        """Send one message and log it; False when the server is gone (the run stops)."""
        mail = letter(self.rendered, self.frame, self.addressing, self.issue, person)
        mark = partial(log, issue_id=self.issue.id, subscriber_id=person.subscriber_id)
        report = self.report
        try:
            postman.send(
                self.addressing.envelope_from,
                person.email,
                mail.as_bytes(),
                lambda: mark(state=SENDING),
            )
        except Refused as refused:
            mark(state=FAILED if refused.temporary else REJECTED, error=str(refused))
            with self.lock:
                (report.failed if refused.temporary else report.rejected).append(f"{person.email}: {refused}")
            return True
        except MailError as exc:
            with self.lock:
                report.stopped = report.stopped or exc.message
            return False
        mark(state=SENT)
        with self.lock:
            report.sent += 1
        return True


def _logged(connection: Connection, **values: Any) -> None:
    """One log entry, committed before the caller goes on (one statement: its own transaction)."""
    with connection.begin():
        _mark(connection, **values)


def _job(name: str) -> str:
    return "".join(char if char.isalnum() or char in "-_." else "_" for char in name.lower())[:80]


# ---------------------------------------------------------------- preview


def preview(reader: Reader, settings: Settings, request: Request, folder: Path) -> list[Path]:
    """The issue as it would go now, written to ``folder`` (digest.html, digest.txt and one .eml
    per confirmed subscriber, or sample.eml when there is none); nothing is sent or recorded."""
    from balita_cli.files import atomic_write_bytes, atomic_write_text, make_directory

    addressing = Addressing.of(settings)
    until = utcnow()
    with reader() as db:
        found = _list_row(db, request.list_name)
        number, name, title, language, section = found
        latest = db.scalar("SELECT max(until) FROM newsletter_issue WHERE list_id = ?", [number])
        last = db.time(latest)
        since = request.since or last or until - DEFAULT_WINDOW
        span = digest.Span(since, until, last or since, request.section or section, request.language)
        issue = IssueInfo(0, number, name, title, language, span, until, finished=False, resumed=False)
        content = digest.read(db, span, settings.site.base_url)
        people, _already, _uncertain = _recipients(db, issue, resend_uncertain=True)
    frame = chrome(settings, issue, addressing)
    rendered = render.issue(content, frame, until)
    make_directory(folder)
    sample = Recipient(0, "subscriber@example.invalid", "0.preview")
    text, html = rendered.for_token(sample.unsubscribe_token, frame)
    written = [folder / "digest.html", folder / "digest.txt"]
    atomic_write_text(written[0], html)
    atomic_write_text(written[1], text)
    for person in people or [sample]:
        path = folder / (f"{person.subscriber_id}.eml" if person.subscriber_id else "sample.eml")
        atomic_write_bytes(path, letter(rendered, frame, addressing, issue, person).as_bytes())
        written.append(path)
    return written


def _list_row(db: Database, name: str) -> tuple[int, str, str, str, str]:
    rows = db.rows(
        "SELECT id, name, title, language, section FROM newsletter_list WHERE name = ?", [name.strip().lower()]
    )
    if not rows:
        raise NotFound(f"no newsletter list {name[:80]!r} (balita newsletter list list shows them)")
    number, found, title, language, section = rows[0]
    return int(number), str(found), str(title), str(language), str(section)
