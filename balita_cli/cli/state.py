"""What a command needs at run time: settings, the engine and the acting user, made lazily."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from balita_cli.config import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

ENV_USER = "BALITA_USER"
T = TypeVar("T")


@dataclass
class AppState:
    db_option: str | None = None
    site_option: str | None = None
    as_user: str | None = None
    quiet: bool = False
    _settings: Settings | None = None
    _engine: Any = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.db_option, self.site_option)
        return self._settings

    @property
    def who(self) -> str:
        """Who is acting: --as, then BALITA_USER, then balita.toml, then the OS user."""
        name = self.as_user or os.environ.get(ENV_USER) or self.settings.site.user
        if not name:
            try:
                name = getpass.getuser()
            except (OSError, KeyError):
                name = "unknown"
        from balita_cli.services.articles import check_text

        return check_text("updated_by", name)

    def engine(self, *, migrate: bool = True) -> Engine:
        if self._engine is None:
            from balita_cli.db.engine import create_db_engine
            from balita_cli.db.migrate import ensure_schema

            engine = create_db_engine(self.settings.database_url)
            if migrate:
                ensure_schema(engine)
            self._engine = engine
        return self._engine  # type: ignore[no-any-return]

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        from balita_cli.db.engine import session_scope

        with session_scope(self.engine(), write=write) as session:
            yield session

    def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one write transaction, retried whole if the database is busy."""
        from balita_cli.services.retry import retry_in_session

        return retry_in_session(lambda: self.session(write=True), work)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


_current: ContextVar[AppState | None] = ContextVar("balita_state", default=None)


def activate(app_state: AppState) -> None:
    """Called by the root callback: the state of this invocation."""
    _current.set(app_state)


def state() -> AppState:
    app_state = _current.get()
    if app_state is None:
        raise RuntimeError("balita state used outside a command")
    return app_state
