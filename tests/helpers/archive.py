"""A database filled once for a module's tests that only read it (exports, feeds, a built site)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers.cli import Cli, isolate
from tests.helpers.database import fresh_database
from tests.helpers.records import Stories


@dataclass
class Archive:
    cli: Cli
    ids: Stories
    folder: Path


def shared_archive(
    tmp_path_factory: pytest.TempPathFactory, name: str, fill: Callable[[Cli], Stories]
) -> Iterator[Archive]:
    """For a module-scoped fixture: a site folder of its own (``balita.toml`` marks its root:
    media/ and public/ are there), its database filled by ``fill`` as isolated as any test."""
    folder = tmp_path_factory.mktemp(name)
    (folder / "balita.toml").write_text("[site]\n")
    databases = fresh_database(folder)
    cli = Cli(db_url=next(databases), runner=CliRunner())
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, folder)
        ids = fill(cli)
    yield Archive(cli, ids, folder)
    databases.close()


@contextmanager
def demo_site(folder: Path) -> Iterator[Cli]:
    """The demo newsroom on SQLite in ``folder``, for a module's fixture (one site for many tests):
    while it is used, ``folder`` is the working directory and the environment is isolated."""
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, folder)
        cli = Cli(db_url=f"sqlite:///{folder / 'balita.db'}", runner=CliRunner())
        cli.ok("init", "--demo", "--database", cli.db_url)
        yield cli
