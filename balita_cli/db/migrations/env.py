"""Alembic environment: runs on the connection balita hands it (see balita_cli.db.migrate)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlmodel import SQLModel

import balita_cli.models  # noqa: F401  (registers the tables on SQLModel.metadata)

FTS_PREFIX = "article_fts"


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """The full-text tables and triggers are managed by hand in the migrations."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_PREFIX))


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("balita migrations run on a connection given by balita")
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
