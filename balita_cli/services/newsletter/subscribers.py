"""Mailing lists and their subscribers: added one by one or from a CSV file, confirmed (double
opt-in) and taken off by token.

A token is ``<subscriber id>.<secret>``: the id finds the row, the secret (``secrets``, 192 bits)
is compared in constant time, so a token can neither be guessed nor found out a character at a
time. A subscriber has two: one confirms the subscription, the other (in every message) ends it.
"""

from __future__ import annotations

import csv
import hmac
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import col, select

from balita_cli.errors import Conflict, InvalidInput, NotFound
from balita_cli.models import NewsletterList, Section, Subscriber
from balita_cli.schema import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, check_name
from balita_cli.timeutil import utcnow
from balita_cli.words import ALIASES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PENDING, CONFIRMED, UNSUBSCRIBED = "pending", "confirmed", "unsubscribed"
STATES = (PENDING, CONFIRMED, UNSUBSCRIBED)
MAX_CSV_BYTES = 64 * 1024 * 1024
MAX_ERRORS_SHOWN = 10


@dataclass(frozen=True)
class ListInfo:
    id: int
    name: str
    title: str
    language: str
    section: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Membership:
    """What a token's owner is told: which list, in which language."""

    email: str
    list_name: str
    list_title: str
    language: str
    state: str


@dataclass(frozen=True)
class Imported:
    added: int
    already: int


# ---------------------------------------------------------------- checks


def check_address(text: str) -> str:
    """An e-mail address alone (no display name), in lower case: mailbox providers ignore case."""
    raw = text.strip()
    shown = repr(raw[:80])
    if not raw or len(raw) > MAX_EMAIL_LENGTH or any(ord(char) < 32 or ord(char) == 127 for char in raw):
        raise InvalidInput(f"not an e-mail address: {shown}")
    try:
        address = Address(addr_spec=raw)
    except (ValueError, IndexError, HeaderParseError):
        raise InvalidInput(f"not an e-mail address: {shown}") from None
    domain = address.domain.lower()
    if not address.username or "." not in domain or domain.startswith(".") or domain.endswith("."):
        raise InvalidInput(f"not an e-mail address: {shown}")
    return f"{address.username}@{domain}".lower()  # one address, however it is typed


def check_language(language: str) -> str:
    """A list's language: one the site has words for (en, fil)."""
    key = language.strip().lower()
    if key not in ALIASES:
        raise InvalidInput(f"a list's language is one of en, fil (tl), not {language[:20]!r}")
    return ALIASES[key]


def check_list_name(name: str) -> str:
    cleaned = check_name("list", name)
    if not all(char.isalnum() or char in "-_." for char in cleaned):
        raise InvalidInput(f"a list's name is letters, digits, '-', '_' or '.', not {cleaned[:80]!r}")
    return cleaned.lower()


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def token(subscriber_id: int, secret: str) -> str:
    return f"{subscriber_id}.{secret}"


def _parse_token(text: str) -> tuple[int, str]:
    number, _, secret = text.strip().partition(".")
    if not number.isdigit() or len(number) > 18 or not secret or len(secret) > 64:
        raise NotFound("no such subscription token (it may have been mistyped)")
    return int(number), secret


def _by_token(session: Session, text: str, which: str) -> Subscriber:
    number, secret = _parse_token(text)
    found = session.get(Subscriber, number)
    stored = getattr(found, which, "") if found is not None else new_secret()
    # Compared even when no row is found, so the time taken says nothing about the id.
    if not hmac.compare_digest(stored.encode(), secret.encode()) or found is None:
        raise NotFound("no such subscription token (it may have been mistyped)")
    return found


# ---------------------------------------------------------------- lists


def find_list(session: Session, name: str) -> NewsletterList:
    found = session.scalars(select(NewsletterList).where(col(NewsletterList.name) == name.strip().lower())).first()
    if found is None:
        raise NotFound(f"no newsletter list {name[:80]!r} (balita newsletter list list shows them)")
    return found


def add_list(session: Session, name: str, *, title: str, language: str, section: str, who: str) -> NewsletterList:
    checked = check_list_name(name)
    if session.scalars(select(NewsletterList).where(col(NewsletterList.name) == checked)).first() is not None:
        raise Conflict(f"there is already a list {checked!r}")
    slug = ""
    if section.strip():
        wanted = section.strip().lower()
        found = session.scalars(
            select(Section).where((func.lower(col(Section.slug)) == wanted) | (func.lower(col(Section.name)) == wanted))
        ).first()
        if found is None:
            raise NotFound(f"no section {section[:80]!r}")
        slug = found.slug
    made = NewsletterList(
        name=checked,
        title=check_name("title", title or checked)[:MAX_NAME_LENGTH],
        language=check_language(language),
        section=slug,
        created_at=utcnow(),
        created_by=who,
    )
    session.add(made)
    session.flush()
    return made


def lists(session: Session) -> list[ListInfo]:
    counts: dict[int, dict[str, int]] = {}
    for list_id, state, count in session.execute(
        select(Subscriber.list_id, Subscriber.state, func.count()).group_by(
            col(Subscriber.list_id), col(Subscriber.state)
        )
    ):
        counts.setdefault(list_id, {})[state] = count
    return [
        ListInfo(
            id=int(found.id or 0),
            name=found.name,
            title=found.title,
            language=found.language,
            section=found.section,
            counts={state: counts.get(int(found.id or 0), {}).get(state, 0) for state in STATES},
        )
        for found in session.scalars(select(NewsletterList).order_by(col(NewsletterList.name)))
    ]


def remove_list(session: Session, name: str) -> int:
    """Remove a list with its subscribers and issues; how many subscribers went with it."""
    found = find_list(session, name)
    count = session.scalar(select(func.count()).where(col(Subscriber.list_id) == found.id)) or 0
    session.delete(found)
    return int(count)


# ---------------------------------------------------------------- subscribers


def add_subscriber(
    session: Session, list_name: str, email: str, *, name: str = "", confirmed: bool = False
) -> tuple[Subscriber, str]:
    """A new subscriber, pending until confirmed (unless ``confirmed``), and its confirmation token."""
    found = find_list(session, list_name)
    address = check_address(email)
    if session.scalars(
        select(Subscriber).where(col(Subscriber.list_id) == found.id, col(Subscriber.email) == address)
    ).first():
        raise Conflict(f"{address} is already on {found.name}")
    made = _subscriber(int(found.id or 0), address, name, confirmed=confirmed)
    session.add(made)
    session.flush()
    return made, token(int(made.id or 0), made.confirm_secret)


def _subscriber(list_id: int, address: str, name: str, *, confirmed: bool) -> Subscriber:
    now = utcnow()
    cleaned = " ".join(name.split())[:MAX_NAME_LENGTH]
    if any(ord(char) < 32 or ord(char) == 127 for char in cleaned):
        raise InvalidInput(f"a subscriber's name contains a control character: {cleaned[:40]!r}")
    return Subscriber(
        list_id=list_id,
        email=address,
        name=cleaned,
        state=CONFIRMED if confirmed else PENDING,
        confirm_secret=new_secret(),
        unsubscribe_secret=new_secret(),
        created_at=now,
        confirmed_at=now if confirmed else None,
    )


def read_csv(data: bytes) -> list[tuple[str, str]]:
    """(address, name) of each row of a CSV file: an ``email`` column (and ``name``) when the
    first row names them, else the address first and the name second. Every bad row is an error:
    nothing is imported from a file with one."""
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput(f"the CSV file is larger than {MAX_CSV_BYTES // 1024 // 1024} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"the CSV file is not UTF-8 text (byte {exc.start})") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InvalidInput(f"cannot read the CSV file: {exc}") from None
    email_at, name_at, start = 0, 1, 0
    if rows and any(cell.strip().lower() in {"email", "e-mail", "address"} for cell in rows[0]):
        header = [cell.strip().lower() for cell in rows[0]]
        email_at = next(index for index, cell in enumerate(header) if cell in {"email", "e-mail", "address"})
        name_at = header.index("name") if "name" in header else -1
        start = 1
    found: list[tuple[str, str]] = []
    errors: list[str] = []
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        try:
            address = check_address(row[email_at] if email_at < len(row) else "")
        except InvalidInput as exc:
            errors.append(f"line {number}: {exc.message}")
            continue
        name = row[name_at] if 0 <= name_at < len(row) else ""
        found.append((address, name))
    if errors:
        more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise InvalidInput("nothing imported: " + "; ".join(errors[:MAX_ERRORS_SHOWN]) + more)
    return found


def import_rows(session: Session, list_name: str, rows: Iterable[tuple[str, str]], *, confirmed: bool) -> Imported:
    """Add each new address (an address already on the list is left as it is)."""
    found = find_list(session, list_name)
    list_id = int(found.id or 0)
    known = set(session.scalars(select(Subscriber.email).where(col(Subscriber.list_id) == list_id)))
    added = already = 0
    for address, name in rows:
        if address in known:
            already += 1
            continue
        known.add(address)
        session.add(_subscriber(list_id, address, name, confirmed=confirmed))
        added += 1
    session.flush()
    return Imported(added, already)


def subscribers(session: Session, list_name: str, state: str | None) -> list[Subscriber]:
    found = find_list(session, list_name)
    query = select(Subscriber).where(col(Subscriber.list_id) == found.id)
    if state is not None:
        if state not in STATES:
            raise InvalidInput(f"--state is one of {', '.join(STATES)}, not {state[:40]!r}")
        query = query.where(col(Subscriber.state) == state)
    return list(session.scalars(query.order_by(col(Subscriber.id))))


def remove_subscriber(session: Session, list_name: str, email: str) -> str:
    """Forget an address altogether (its sends with it): for a request to erase it."""
    found = find_list(session, list_name)
    address = check_address(email)
    row = session.scalars(
        select(Subscriber).where(col(Subscriber.list_id) == found.id, col(Subscriber.email) == address)
    ).first()
    if row is None:
        raise NotFound(f"{address} is not on {found.name}")
    session.delete(row)
    return address


def _membership(session: Session, subscriber: Subscriber) -> Membership:
    found = session.get(NewsletterList, subscriber.list_id)
    assert found is not None  # the foreign key
    return Membership(subscriber.email, found.name, found.title, found.language, subscriber.state)


def look_up(session: Session, text: str, *, unsubscribe: bool) -> Membership:
    """Who a token belongs to, changing nothing (the page a link opens)."""
    which = "unsubscribe_secret" if unsubscribe else "confirm_secret"
    return _membership(session, _by_token(session, text, which))


def confirm(session: Session, text: str) -> Membership:
    """Double opt-in: the subscriber proves the address is theirs. An address that unsubscribed
    stays off: an old confirmation link does not bring it back."""
    found = _by_token(session, text, "confirm_secret")
    if found.state == UNSUBSCRIBED:
        raise Conflict(f"{found.email} unsubscribed; it must be added to the list again")
    if found.state == PENDING:
        found.state, found.confirmed_at = CONFIRMED, utcnow()
        session.add(found)
    return _membership(session, found)


def unsubscribe(session: Session, text: str) -> Membership:
    """Take the address off its list (again: nothing changes)."""
    found = _by_token(session, text, "unsubscribe_secret")
    if found.state != UNSUBSCRIBED:
        found.state, found.unsubscribed_at = UNSUBSCRIBED, utcnow()
        session.add(found)
    return _membership(session, found)
