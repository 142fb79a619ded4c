"""The benchmark's synthetic archive has the shape it promises, and the same seed gives the same rows.

No timings here: the benchmark itself (benchmarks/run.py) measures, the tests only check its data.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text

from balita_cli.db.engine import create_db_engine
from balita_cli.db.migrate import ensure_schema
from balita_cli.db.urls import normalise_url
from benchmarks import archive, hugo_site

N = 50


def _rows(n: int, seed: int = archive.SEED) -> list[dict[str, Any]]:
    return [{**a.values, "section": a.section, "tags": a.tags, "authors": a.authors}
            for a in archive.generate(n, seed)]  # fmt: skip


@pytest.fixture
def loaded(db_url: str) -> str:
    engine = create_db_engine(normalise_url(db_url, Path.cwd()))
    ensure_schema(engine)
    engine.dispose()
    assert archive.load(db_url, N) == N
    return db_url


def _scalar(url: str, sql: str) -> Any:
    engine = create_engine(normalise_url(url, Path.cwd()))
    with engine.connect() as connection:
        value = connection.execute(text(sql)).scalar_one()
    engine.dispose()
    return value


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    assert _rows(N) == _rows(N)
    assert _rows(N) != _rows(N, seed=archive.SEED + 1)


def test_generated_articles_have_the_stated_shape() -> None:
    rows = _rows(N)
    statuses = Counter(row["status"] for row in rows)
    assert statuses["draft"] == round(N * archive.DRAFT_SHARE)
    assert statuses["scheduled"] == round(N * archive.SCHEDULED_SHARE)
    assert {row["section"] for row in rows} <= set(archive.SECTIONS)
    assert len(archive.SECTIONS) == 6 and len(archive.AUTHORS) == 8 and 45 <= len(archive.TAGS) <= 55
    assert len({row["slug"] for row in rows}) == N
    for row in rows:
        assert archive.MIN_TAGS <= len(row["tags"]) <= archive.MAX_TAGS
        assert 1 <= len(row["authors"]) <= 2
        words = len(row["body"].split())
        assert archive.MIN_WORDS <= words <= archive.MAX_WORDS + 12  # + the "Read more on" line
        assert (row["published_at"] is not None) == (row["status"] in ("published", "archived"))
        assert (row["scheduled_at"] is not None) == (row["status"] == "scheduled")
        age = archive.ANCHOR - row["created_at"]
        assert 0 <= age.days <= archive.SPAN_DAYS
        if row["source_name"]:
            assert row["body"].endswith(f"Read more on [{row['source_name']}]({row['source_url']}).")
    assert {row["language"] for row in rows} == {"en", "fil"}
    sourced = sum(1 for row in rows if row["source_name"]) / N
    assert 0.3 <= sourced <= 0.7


def test_load_fills_the_migrated_database_and_search_index(loaded: str) -> None:
    assert _scalar(loaded, "SELECT count(*) FROM article") == N
    assert _scalar(loaded, "SELECT count(*) FROM article WHERE status = 'draft'") == round(N * archive.DRAFT_SHARE)
    assert _scalar(loaded, "SELECT count(DISTINCT section_id) FROM article") <= 6
    links = _scalar(loaded, "SELECT count(*) FROM article_tag")
    assert N * archive.MIN_TAGS <= links <= N * archive.MAX_TAGS
    assert _scalar(loaded, "SELECT count(*) FROM tag") == len(archive.TAGS)
    assert _scalar(loaded, "SELECT count(*) FROM author") == len(archive.AUTHORS)


def test_loaded_archive_answers_balita_commands(loaded: str, cli: Any) -> None:
    cli.db_url = loaded
    assert int(cli.ok("list", "--format", "count").stdout) == N
    drafts = cli.json("list", "--status", "draft", "--format", "json")
    assert len(drafts) == round(N * archive.DRAFT_SHARE)
    hits = cli.json("search", archive.SEARCH_WORD, "--format", "json")
    expected = sum(1 for row in _rows(N) if archive.SEARCH_WORD in _words(row["title"] + " " + row["body"]))
    assert expected > 0 and len(hits) == min(expected, 20)
    created = cli.new("A new article after the bulk load")
    assert created == N + 1


def test_hugo_site_has_one_file_per_article_with_front_matter(tmp_path: Path) -> None:
    root = tmp_path / "hugo"
    assert hugo_site.write_site(root, archive.generate(N)) == N
    files = sorted((root / "content").glob("*/*.md"))
    assert len(files) == N
    drafts = 0
    for path in files:
        _, matter, body = path.read_text(encoding="utf-8").split("---\n", 2)
        data = yaml.safe_load(matter)
        assert path.parent.name in {section.lower() for section in archive.SECTIONS}
        assert data["title"] and data["tags"] and data["authors"] and body.strip()
        drafts += data["draft"] and data["status"] == "draft"
    assert drafts == round(N * archive.DRAFT_SHARE)
