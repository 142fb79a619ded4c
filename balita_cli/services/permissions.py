"""Who may do what in a newsroom: the four roles, the rule for every editorial action, and the one
line a person reads when an action is refused.

The roles are Ghost's: contributor, author, editor, admin. On PostgreSQL the database enforces
the rules itself (migration 0004, which keeps its own copy of ``RULES``;
tests/test_roles_postgres.py checks that they agree); balita checks the same rules first
(``require``) so a command is refused before it writes, and words a refusal by the database the
same way (``explain``). On SQLite nothing is enforced: the file's permissions are the boundary."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from balita_cli.errors import BalitaError, DatabaseError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.db.dbapi import Database


class Role(StrEnum):
    """In rising order: each can do everything the one before it can."""

    CONTRIBUTOR = "contributor"
    AUTHOR = "author"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def plural(self) -> str:
        return f"{self.value}s"

    @property
    def with_article(self) -> str:
        return f"{'an' if self.value[0] in 'aeiou' else 'a'} {self.value}"


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"  # a draft or a story in review
    EDIT_LIVE = "edit_live"  # a story once it is scheduled, published, archived or retracted
    PUBLISH = "publish"  # publish, schedule, unpublish
    CORRECT = "correct"
    RETRACT = "retract"
    ARCHIVE = "archive"
    TRASH = "trash"  # move to the trash, and back
    TERMS = "terms"
    MEDIA = "media"
    SOURCES = "sources"
    SETTINGS = "settings"
    PURGE = "purge"
    HISTORY = "history"  # change or remove revisions and correction notices
    USERS = "users"
    RESTORE = "restore"
    MIGRATE = "migrate"
    HOOKS = "hooks"  # webhooks and partners: their secrets, addresses and deliveries
    PAGES = "pages"  # the site's pages: about, contacts, the policies
    NEWSLETTER = "newsletter"  # mailing lists, their subscribers' addresses and the sends


@dataclass(frozen=True)
class Rule:
    own: Role  # the least role that may do it to a story of their own (or a new one)
    anyone: Role  # the least role that may do it to any story, or at all
    doing: str  # completes "contributors cannot …"
    doing_others: str = ""  # the same for someone else's story, when it reads differently


C, A, E, ADMIN = Role.CONTRIBUTOR, Role.AUTHOR, Role.EDITOR, Role.ADMIN
RULES: dict[Action, Rule] = {
    Action.CREATE: Rule(C, C, "create stories"),
    Action.EDIT: Rule(C, E, "change stories", "change other people's stories"),
    Action.EDIT_LIVE: Rule(A, E, "change a story once it is scheduled or published", "change other people's stories"),
    Action.PUBLISH: Rule(A, E, "publish", "publish other people's stories"),
    Action.CORRECT: Rule(A, E, "correct stories", "correct other people's stories"),
    Action.RETRACT: Rule(E, E, "retract stories"),
    Action.ARCHIVE: Rule(E, E, "archive stories"),
    Action.TRASH: Rule(E, E, "move stories to the trash or back"),
    Action.TERMS: Rule(E, E, "manage tags, sections and authors"),
    Action.MEDIA: Rule(E, E, "manage the photo library"),
    Action.SOURCES: Rule(E, E, "manage sources"),
    Action.SETTINGS: Rule(E, E, "change the desk's settings"),
    Action.PURGE: Rule(ADMIN, ADMIN, "delete stories for good"),
    Action.HISTORY: Rule(ADMIN, ADMIN, "change the editorial record (revisions and corrections)"),
    Action.USERS: Rule(ADMIN, ADMIN, "manage users"),
    Action.RESTORE: Rule(ADMIN, ADMIN, "restore the database from a backup"),
    Action.MIGRATE: Rule(ADMIN, ADMIN, "upgrade the database schema"),
    Action.HOOKS: Rule(E, E, "manage webhooks and partners"),
    Action.PAGES: Rule(E, E, "write the site's pages"),
    Action.NEWSLETTER: Rule(E, E, "manage newsletters and their subscribers"),
}

LIVE_STATUSES = frozenset({"scheduled", "published"})
WORKING_STATUSES = frozenset({"draft", "review"})


def allowed(role: Role | None, action: Action, *, own: bool) -> bool:
    if role is None:
        return False
    rule = RULES[action]
    return role.rank >= (rule.own if own else rule.anyone).rank


# ---------------------------------------------------------------- who is connected


@dataclass(frozen=True)
class Identity:
    """Who the database says is connected, and their role here; ``enforced`` is False on SQLite."""

    user: str
    role: Role | None
    enforced: bool = True

    def acting_as(self, claimed: str | None, *, explicit: str | None) -> str:
        """The name changes are recorded under. On PostgreSQL it is the login, whatever the
        environment claims; an admin may record a change under another name (imports, scripts,
        the desk account), anyone else giving ``--as`` is refused."""
        if self.role is Role.ADMIN:
            return claimed or self.user
        if explicit and explicit != self.user:
            raise Refused(
                f"--as is for admins on PostgreSQL: changes are recorded under your database login "
                f"({self.user}, {self.role.with_article if self.role else 'no role here'})"
            )
        return self.user

    def describe(self) -> str:
        return f"{self.user} is {self.role.with_article}" if self.role else f"{self.user} has no role in this newsroom"


def enforced(url: str) -> bool:
    """Roles are enforced on PostgreSQL; a SQLite file has no users."""
    return not url.startswith("sqlite")


def identify(db: Database) -> Identity:
    """Ask the database who is connected (``session_user``: a ``SET ROLE`` changes nothing) and
    which of this newsroom's roles they hold (a superuser and the tables' owner are admins)."""
    if db.is_sqlite:
        return Identity("", None, enforced=False)
    user = str(db.scalar("SELECT session_user"))
    try:
        role = db.scalar("SELECT balita_session_role()")
    except Exception as exc:  # noqa: BLE001  (a driver error: re-raised unless it is a refusal)
        if getattr(exc, "sqlstate", None) != "42501":
            raise
        return Identity(user, None)  # no right even to ask (no use of the schema): no role here
    return Identity(user, Role(role) if role else None)


SESSION_KEY = "balita_identity"


def session_identity(session: Session) -> Identity:
    """The identity of a write session's connection, asked once per connection (a login cannot
    change without reconnecting)."""
    from balita_cli.db.dbapi import Database  # here: sqlite3 stays out of --help

    info = session.connection().info
    if SESSION_KEY not in info:
        info[SESSION_KEY] = identify(Database.of_session(session))
    found: Identity = info[SESSION_KEY]
    return found


# ---------------------------------------------------------------- checking up front


class Refused(BalitaError):
    """The connected role may not do this (exit 1). The database refuses it too."""


def message(identity: Identity, action: Action, *, own: bool) -> str:
    """``contributors cannot publish; ask an editor — ana is a contributor``."""
    rule = RULES[action]
    if identity.role is None:
        return f"{identity.user} has no role in this newsroom; ask an admin (balita user add)"
    others = not own and rule.doing_others and allowed(identity.role, action, own=True)
    doing = rule.doing_others if others else rule.doing
    return f"{identity.role.plural} cannot {doing}; ask {rule.anyone.with_article} — {identity.describe()}"


def require(session: Session, action: Action, article_id: int | None = None, *, own: bool = False) -> None:
    """Refuse ``action`` (on ``article_id``, or on a new story of one's own with ``own``) before
    anything is written, when the connected role may not do it. Nothing to check on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return
    identity = session_identity(session)
    if allowed(identity.role, action, own=False):
        return
    if article_id is not None and identity.role is not None and allowed(identity.role, action, own=True):
        own = owns(session, article_id)
    check(identity, action, own=own)


def check(identity: Identity, action: Action, *, own: bool = False) -> None:
    """Refuse ``action`` unless ``identity`` may do it (nothing is refused where roles are not
    enforced)."""
    if identity.enforced and not allowed(identity.role, action, own=own):
        raise Refused(message(identity, action, own=own))


def owns(session: Session, article_id: int) -> bool:
    """Whether the story is the connected user's: they created it, or their e-mail address is
    an author's on its byline. The database's own function says, so both checks agree."""
    from balita_cli.db.dbapi import Database  # here: sqlite3 stays out of --help

    db = Database.of_session(session)
    return bool(db.scalar("SELECT balita_owns(id, created_by) FROM article WHERE id = ?", [article_id]))


def creating(values: Mapping[str, Any]) -> Action:
    """What creating an article with these column values amounts to."""
    status = str(values.get("status") or "draft")
    if values.get("deleted_at") is not None:
        return Action.TRASH
    if status == "retracted":
        return Action.RETRACT
    if status == "archived":
        return Action.ARCHIVE
    return Action.PUBLISH if status in LIVE_STATUSES else Action.CREATE


def changing(before: Mapping[str, Any], values: Mapping[str, Any]) -> Action:
    """What a change of an article (its record ``before``, the new column ``values``) amounts
    to: the same classification as the database's trigger makes of OLD and NEW."""
    old = str(before.get("status") or "draft")
    new = str(values.get("status") or old)
    if _differs(before, values, "deleted_at"):
        return Action.TRASH
    if new != old and new == "retracted" or _differs(before, values, "retraction_reason"):
        return Action.RETRACT
    if new != old and new == "archived":
        return Action.ARCHIVE
    if new != old and (new in LIVE_STATUSES or old not in WORKING_STATUSES):
        return Action.PUBLISH
    if _differs(before, values, "published_at") or _differs(before, values, "scheduled_at"):
        return Action.PUBLISH
    return Action.EDIT if old in WORKING_STATUSES else Action.EDIT_LIVE


def _differs(before: Mapping[str, Any], values: Mapping[str, Any], name: str) -> bool:
    if name not in values:
        return False
    old, new = before.get(name), values[name]
    if isinstance(new, datetime) and isinstance(old, str) and old:
        return datetime.fromisoformat(old) != new
    return (old or None) != (new or None)


# ---------------------------------------------------------------- the database said no

# What balita's triggers put in a refusal's DETAIL (see migration 0004).
_DETAIL = re.compile(r"^balita-refusal action=(\w+) own=(true|false) role=(\w*) user=(.*)$", re.S)
_TABLE = re.compile(r'(?:for table|policy for table) "?([\w.]+)"?')
# A table the database refused, and the action that needed it.
TABLE_ACTIONS = {
    "article": Action.PURGE,
    "revision": Action.HISTORY,
    "correction": Action.CORRECT,
    "tag": Action.TERMS,
    "section": Action.TERMS,
    "author": Action.TERMS,
    "article_tag": Action.TERMS,
    "article_author": Action.TERMS,
    "photo": Action.MEDIA,
    "source": Action.SOURCES,
    "coverage": Action.SOURCES,
    "setting": Action.SETTINGS,
    "alembic_version": Action.MIGRATE,
    "event": Action.HISTORY,
    "destination": Action.HOOKS,
    "delivery": Action.HOOKS,
    "page": Action.PAGES,
    "page_revision": Action.PAGES,
    "newsletter_list": Action.NEWSLETTER,
    "subscriber": Action.NEWSLETTER,
    "newsletter_issue": Action.NEWSLETTER,
    "newsletter_send": Action.NEWSLETTER,
}
# Row-level security refusing a row: someone else's story.
POLICY_ACTIONS = {"correction": Action.CORRECT}


def explain(exc: BaseException, identity: Callable[[], Identity | None]) -> Refused | None:
    """A refusal by the database (a privilege it lacks, a row-level security policy, one of
    balita's triggers) as one line naming the user, their role and what it lacks; None for any
    other error. ``identity`` is asked only when the error itself does not say who."""
    error = getattr(exc, "orig", None) or exc
    if getattr(error, "sqlstate", None) != "42501":
        return None
    diag = getattr(error, "diag", None)
    primary = str(getattr(diag, "message_primary", None) or error).strip().splitlines()[0]
    found = _DETAIL.match(str(getattr(diag, "message_detail", None) or ""))
    if found:
        action, own, role, user = found.groups()
        who = Identity(user, Role(role) if role else None)
        return Refused(message(who, Action(action), own=own == "true"))
    known = _known(identity)
    if known is None:
        return Refused(f"the database refused: {primary}")
    if known.role is Role.ADMIN and "must be owner" in primary:
        return Refused(
            f"the database refused: {primary}; schema upgrades and restores are run by the login that "
            f"owns the tables (the one that ran balita db upgrade first) — {known.describe()}"
        )
    action = _action_of(primary)
    if action is None or known.role is None:
        return Refused(f"the database refused: {primary} — {known.describe()}")
    return Refused(message(known, action, own="row-level security" not in primary))


def _action_of(primary: str) -> Action | None:
    if "must be owner" in primary:
        return Action.MIGRATE
    if "balita_user_" in primary or "create role" in primary:
        return Action.USERS
    table = _TABLE.search(primary)
    name = table.group(1).rsplit(".", 1)[-1] if table else ""
    if "row-level security" in primary:
        return POLICY_ACTIONS.get(name, Action.EDIT)
    return TABLE_ACTIONS.get(name)


def _known(identity: Callable[[], Identity | None]) -> Identity | None:
    try:
        return identity()
    except (BalitaError, DatabaseError):
        return None
