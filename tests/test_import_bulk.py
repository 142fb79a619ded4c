"""Imports write each batch with a few set-based statements, and keep every promise they kept
record by record: the same articles, the same counts, problems and warnings, a bad record rejects
only itself, a re-import changes nothing, a dry run writes nothing.

The reference is the one-by-one road (``importing.import_record`` under a savepoint, as every
record was once written): a batch written in bulk must leave the database exactly as it does.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event

from balita_cli.db.engine import session_scope
from balita_cli.errors import BalitaError, Conflict, InvalidInput
from balita_cli.formats.readers import get_reader
from balita_cli.formats.readers.base import ReadItem, ReadOptions, Rejected, Skipped
from balita_cli.schema import ArticleInput
from balita_cli.services.importing import bulk as bulk_import
from balita_cli.services.importing import run as importing
from benchmarks import archive, hugo_site
from tests.helpers.cli import Cli
from tests.helpers.database import engine_of
from tests.helpers.imports import AS_IMPORTER, IMPORTER, TRICKY, WHEN, assert_same_newsroom, write_jsonl
from tests.helpers.records import import_summary, records

# ---------------------------------------------------------------- the one-by-one reference


def one_by_one(url: str, items: Iterable[ReadItem], settings: importing.ImportSettings) -> dict[str, Any]:
    """Every record on its own, under a savepoint, as imports wrote them before batches were
    written in bulk; the summary in the shape ``--format json`` prints."""
    engine = engine_of(url)
    counts: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    problems: list[dict[str, str]] = []
    warnings: list[dict[str, str]] = []
    spellings = importing.Spellings()
    for item in items:
        if isinstance(item, Skipped):
            skipped[item.kind] += 1
            continue
        if isinstance(item, Rejected):
            counts["rejected"] += 1
            problems.append({"origin": item.origin, "message": item.reason})
            continue
        with session_scope(engine, write=True) as session:
            spellings.look_up_all(session, [item])
            try:
                with session.begin_nested():
                    outcome = importing.import_record(session, item, settings)
            except Conflict as exc:
                counts["conflicts"] += 1
                warnings.append({"origin": item.origin, "message": exc.message})
                continue
            except BalitaError as exc:
                counts["rejected"] += 1
                problems.append({"origin": item.origin, "message": exc.message})
                continue
        counts[outcome] += 1
        if outcome != "duplicates":
            spellings.count(item)
        warnings += [{"origin": item.origin, "message": note} for note in item.notes]
    with session_scope(engine, write=True) as session:
        renamed = spellings.settle(session)
    engine.dispose()
    warnings += [{"origin": p.origin, "message": p.message} for p in renamed]
    return {
        "dry_run": False,
        **{name: counts[name] for name in ("created", "updated", "duplicates", "conflicts", "rejected")},
        "skipped": dict(sorted(skipped.items())),
        "problems": problems,
        "warnings": warnings,
    }


def read(reader: str, path: Path) -> list[ReadItem]:
    return list(get_reader(reader).read(str(path), ReadOptions()))


@pytest.mark.slow
@pytest.mark.parametrize("batch_size", [1, 4, 200])
def test_a_batch_written_in_bulk_leaves_what_one_by_one_leaves(
    cli: Cli, other_cli: Cli, tmp_path: Path, batch_size: int
) -> None:
    dump = write_jsonl(tmp_path / "tricky.jsonl", TRICKY)
    for newsroom in (cli, other_cli):
        newsroom.new("Something else", "--slug", "taken")
    settings = importing.ImportSettings(who=IMPORTER)

    bulk = import_summary(cli, "jsonl", str(dump), "--batch-size", str(batch_size), env=AS_IMPORTER)
    reference = one_by_one(other_cli.db_url, read("jsonl", dump), settings)

    assert bulk == reference
    assert (bulk["created"], bulk["duplicates"], bulk["rejected"]) == (12, 2, 4)
    assert_same_newsroom(cli, other_cli)
    slugs = {r["title"]: r["slug"] for r in records(cli, "--sort", "id")}
    assert (slugs["Tatlo"], slugs["Lima"], slugs["Siyam"], slugs["Taken here"]) == (
        "dalawa-2", "lima-2", "dalawa-2-2", "taken-2",
    )  # fmt: skip
    # Again: what has an external id or a slug is found (two records have neither, and come in again).
    again = import_summary(cli, "jsonl", str(dump), "--batch-size", str(batch_size), env=AS_IMPORTER)
    assert again == one_by_one(other_cli.db_url, read("jsonl", dump), settings)
    assert (again["created"], again["duplicates"]) == (2, 12)
    assert_same_newsroom(cli, other_cli)


@pytest.mark.slow
def test_a_hugo_tree_written_in_bulk_is_the_tree_written_one_by_one(cli: Cli, other_cli: Cli, tmp_path: Path) -> None:
    anchor = datetime(2026, 11, 26, tzinfo=UTC)
    hugo_site.write_site(tmp_path / "site", archive.generate(150, archive.SEED, anchor))
    tree = tmp_path / "site" / "content"
    (tree / "nation" / "_index.md").write_text("---\ntitle: Nation\n---\n", encoding="utf-8")

    bulk = import_summary(cli, "markdown", str(tree), "--batch-size", "64", env=AS_IMPORTER)
    reference = one_by_one(other_cli.db_url, read("markdown", tree), importing.ImportSettings(who=IMPORTER))

    assert bulk == reference
    assert (bulk["created"], bulk["skipped"]) == (150, {"section index": 1})
    assert_same_newsroom(cli, other_cli)
    again = import_summary(cli, "markdown", str(tree), "--batch-size", "64", env=AS_IMPORTER)
    assert (again["created"], again["duplicates"]) == (0, 150)


# ---------------------------------------------------------------- a bad record rejects only itself


def good_rows(count: int) -> list[dict[str, Any]]:
    return [{"title": f"Ulat {n}", "slug": f"ulat-{n}", "tags": ["Senado", f"Tag {n % 7}"],
             "authors": ["Ana Reyes"], "body": f"Katawan {n}.", "created_at": WHEN} for n in range(count)]  # fmt: skip


def test_one_bad_jsonl_record_in_a_batch_rejects_only_itself(cli: Cli, tmp_path: Path) -> None:
    rows: list[Any] = good_rows(60)
    rows[20] = {"title": "Masama", "tags": ["x" * 201], "created_at": WHEN}  # read fine, refused when written
    rows[40] = "not an object"  # refused by the reader
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")

    result = import_summary(cli, "jsonl", str(dump), env=AS_IMPORTER)

    assert (result["created"], result["rejected"], result["duplicates"]) == (58, 2, 0)
    assert result["problems"] == [
        {"origin": "dump.jsonl: line 21", "message": "tag name is longer than 200 characters"},
        {"origin": "dump.jsonl: line 41", "message": "line is not a JSON object"},
    ]
    kept = records(cli, "--sort", "id")
    assert [r["title"] for r in kept] == [f"Ulat {n}" for n in range(60) if n not in (20, 40)]
    assert all(r["tags"] == sorted(["Senado", f"Tag {int(r['slug'][5:]) % 7}"]) for r in kept)
    assert all(r["version"] == 1 for r in kept)


def test_one_bad_markdown_file_in_a_batch_rejects_only_itself(cli: Cli, tmp_path: Path) -> None:
    tree = tmp_path / "content"
    tree.mkdir()
    for n in range(30):
        (tree / f"ulat-{n:02d}.md").write_text(
            f"---\ntitle: Ulat {n}\ndate: 2025-01-{n % 28 + 1:02d}\ntags: [Senado]\nauthors: [Ana Reyes]\n---\n"
            f"Katawan {n}.\n",
            encoding="utf-8",
        )
    (tree / "ulat-15.md").write_text("---\ntitle: Masama\ntags: ['!!!']\n---\nx\n", encoding="utf-8")
    (tree / "ulat-16.md").write_text(f"---\ntitle: {'T' * 1001}\n---\nx\n", encoding="utf-8")

    result = import_summary(cli, "markdown", str(tree), env=AS_IMPORTER)

    assert (result["created"], result["rejected"]) == (28, 2)
    assert result["problems"] == [
        {"origin": "ulat-15.md", "message": "tag name '!!!' has no letters or digits to make a slug"},
        {"origin": "ulat-16.md", "message": "title is longer than 1,000 characters"},
    ]
    assert sorted(r["title"] for r in records(cli, "--sort", "id")) == sorted(
        f"Ulat {n}" for n in range(30) if n not in (15, 16)
    )


def test_a_set_based_write_that_fails_is_written_again_one_by_one(cli: Cli, tmp_path: Path) -> None:
    """``news`` is taken, so the first record is written on its own and gets ``news-2``; the
    next one asks for ``news-2`` itself, which the batch's look-up saw free: its group's insert
    breaks the unique slug, and the group is written again record by record."""
    cli.new("Older news", "--slug", "news")
    rows = [{"title": "News", "slug": "news", "external_id": "w:1", "created_at": WHEN},
            *good_rows(5),
            {"title": "News two", "slug": "news-2", "external_id": "w:2", "created_at": WHEN},
            *good_rows(8)[5:]]  # fmt: skip
    result = import_summary(cli, "jsonl", str(write_jsonl(tmp_path / "dump.jsonl", rows)), env=AS_IMPORTER)
    assert (result["created"], result["rejected"], result["problems"]) == (10, 0, [])
    slugs = {r["title"]: r["slug"] for r in records(cli, "--sort", "id")}
    assert (slugs["News"], slugs["News two"]) == ("news-2", "news-2-2")
    assert len(slugs) == 11


# ---------------------------------------------------------------- set-based, really


def test_each_batch_costs_a_few_statements_not_a_dozen_a_record(ready_db_url: str, tmp_path: Path) -> None:
    dump = write_jsonl(tmp_path / "dump.jsonl", good_rows(400))
    engine = engine_of(ready_db_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    settings = importing.ImportSettings(who=IMPORTER, batch_size=200)

    result = importing.run_import(read("jsonl", dump), lambda: session_scope(engine, write=True), settings)

    assert result.created == 400
    assert len(statements) < 60, Counter(s.split()[0] for s in statements)  # ~13 a record before: 5,200
    inserts = [s for s in statements if s.startswith("INSERT INTO article ")]
    per_batch = 1 if engine.dialect.name == "postgresql" else len(list(bulk_import.statement_sizes(200, 256)))
    assert len(inserts) == 2 * per_batch  # multi-row statements: 128, 64 and 8 rows on SQLite
    statements.clear()
    again = importing.run_import(read("jsonl", dump), lambda: session_scope(engine, write=True), settings)
    assert (again.created, again.duplicates) == (0, 400)
    assert len(statements) < 12 and not any(s.startswith("INSERT") for s in statements), statements
    engine.dispose()


def test_progress_is_told_once_an_item(ready_db_url: str, tmp_path: Path) -> None:
    rows: list[Any] = [*good_rows(250), "not an object"]
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    engine = engine_of(ready_db_url)
    told: list[int] = []
    settings = importing.ImportSettings(batch_size=100)
    open_session = lambda: session_scope(engine, write=True)  # noqa: E731
    importing.run_import(read("jsonl", dump), open_session, settings, on_item=lambda: told.append(1))
    engine.dispose()
    assert len(told) == 251


def test_a_reader_failing_half_way_keeps_the_batches_before_it(ready_db_url: str) -> None:
    def items() -> Iterator[ReadItem]:
        for n in range(250):
            yield ArticleInput(title=f"Ulat {n}", origin=f"item {n}")
        raise InvalidInput("export.xml: not well-formed (line 9000)")

    engine = engine_of(ready_db_url)
    summary = importing.ImportSummary()
    settings = importing.ImportSettings(batch_size=100)
    with pytest.raises(InvalidInput, match="not well-formed"):
        importing.run_import(items(), lambda: session_scope(engine, write=True), settings, summary)
    assert summary.created == 200  # two whole batches; the third never reached the database
    with session_scope(engine) as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM article").scalar() == 200
    engine.dispose()


@pytest.mark.slow
def test_a_batch_larger_than_a_statement_holds(cli: Cli, tmp_path: Path) -> None:
    """More records in one batch than one INSERT may carry parameters for (and than a look-up
    names at once): split into several statements, all written, all found again."""
    dump = write_jsonl(tmp_path / "dump.jsonl", good_rows(2500))
    assert import_summary(cli, "jsonl", str(dump), "--batch-size", "5000", env=AS_IMPORTER)["created"] == 2500
    again = import_summary(cli, "jsonl", str(dump), "--batch-size", "5000", env=AS_IMPORTER)
    assert (again["created"], again["duplicates"]) == (0, 2500)
    assert cli.ok("list", "--format", "count").stdout == "2500\n"
    assert len(cli.json("search", "Katawan", "--format", "json", "--limit", "5000")) == 2500


@pytest.mark.slow
def test_a_dry_run_over_many_batches_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    dump = write_jsonl(tmp_path / "dump.jsonl", [*good_rows(450), good_rows(1)[0]])
    result = import_summary(cli, "jsonl", str(dump), "--dry-run", "--batch-size", "200", env=AS_IMPORTER)
    assert (result["dry_run"], result["created"], result["duplicates"]) == (True, 450, 1)
    assert cli.ok("list", "--format", "count").stdout == "0\n"
    assert cli.json("tag", "list", "--format", "json") == []


def test_imported_articles_are_searchable_and_carry_their_word_count(cli: Cli, tmp_path: Path) -> None:
    rows = [{"title": f"Bagyo {n}", "body": "Malakas na bagyo sa Parañaque. " * (n + 1), "created_at": WHEN}
            for n in range(30)]  # fmt: skip
    import_summary(cli, "jsonl", str(write_jsonl(tmp_path / "dump.jsonl", rows)), env=AS_IMPORTER)
    assert len(cli.json("search", "paranaque", "--format", "json", "--limit", "100")) == 30
    counts = sorted(r["word_count"] for r in records(cli, "--sort", "id"))
    assert counts == [5 * (n + 1) for n in range(30)]


def test_a_markdown_tree_is_walked_in_path_order_a_folder_at_a_time(tmp_path: Path) -> None:
    """The order files are read in (and so the order articles are made in) is the order of their
    paths, as a sorted recursive glob gave it, without holding the whole tree's listing."""
    from balita_cli.formats.readers.markdown import EXTENSIONS, files

    root = tmp_path / "content"
    for name in ("a/x.md", "a-b.md", "a/b/c.md", "A/z.md", "b.MD", ".hidden.md", "a.md/inner.md", "n/_index.md",
                 "n/notes.txt", "n/2024-01-02-x.markdown", "z/deep/er/y.mkd", "ä/ü.md"):  # fmt: skip
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("---\ntitle: x\n---\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: secret\n---\n", encoding="utf-8")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "n" / "link.md").symlink_to(outside / "secret.md")

    globbed = [p for p in sorted(root.rglob("*")) if p.suffix.lower() in EXTENSIONS and (p.is_file() or p.is_symlink())]
    assert list(files(root)) == globbed
    assert root / "linked" / "secret.md" not in globbed and len(globbed) == 12


# ---------------------------------------------------------------- the checks, made once a field


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("body", "Una.\n\n\tIkalawa.\r\n", "Una.\n\n\tIkalawa.\r\n"),
        ("body", "Pula \x1b[31m", InvalidInput("body contains a control character ('\\x1b')")),
        ("title", "Isa\nDalawa", InvalidInput("title contains a control character ('\\n')")),
        ("title", "T" * 1001, InvalidInput("title is longer than 1,000 characters")),
        ("summary", "lone \ud800 surrogate", InvalidInput("summary contains a control character ('\\ud800')")),
        ("summary", 42, "42"),
        ("source_url", "  https://news.example.ph/a  ", "https://news.example.ph/a"),
        ("source_url", "javascript:alert(1)",
         InvalidInput("source url must be an http(s) URL, not 'javascript:alert(1)'")),
        ("source_url", "https://x.ph/" + "a" * 2000, InvalidInput("source url is longer than 2,000 characters")),
        ("language", "en_US", "en-US"),
        ("language", "'; DROP TABLE article; --",
         InvalidInput("language \"'; DROP TABLE article; --\" is not a BCP 47 tag like 'en' or 'fil'")),
        ("section", "   ", None),
        ("section", "  Bansa   at Mundo ", "Bansa at Mundo"),
        ("tags", ["Senado", " Ana  Reyes "], ["Senado", "Ana Reyes"]),
        ("tags", ["Senado"] * 101, InvalidInput("an article has at most 100 tags, not 101")),
        ("authors", ["\x07"], InvalidInput("author name contains a control character")),
        ("authors", [" \t "], InvalidInput("author name cannot be empty")),
        ("aliases", ["x" * 201], InvalidInput("aliases is longer than 200 characters")),
        ("featured", "yes", "yes"),  # kinds checked where they are stored, as before
        ("body", None, None),
        ("kicker", "x", InvalidInput("unknown field 'kicker'")),
    ],
)  # fmt: skip
def test_each_field_is_checked_by_its_kind(name: str, value: Any, expected: Any) -> None:
    from balita_cli.schema import check_value

    if isinstance(expected, InvalidInput):
        with pytest.raises(InvalidInput) as refused:
            check_value(name, value)
        assert refused.value.message == expected.message
    else:
        assert check_value(name, value) == expected


def test_column_values_keep_their_empty_values_and_count_words() -> None:
    from balita_cli.services.articles import column_values

    checked = column_values({"title": None, "summary": None, "external_id": "", "status": "published",
                             "body": "Isa  dalawa\u00a0tatlo\napat", "tags": ["x"], "featured": True})  # fmt: skip
    assert checked == {"title": "", "summary": "", "external_id": None, "status": "published",
                       "body": "Isa  dalawa\u00a0tatlo\napat", "featured": True, "word_count": 4}  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["isa", "isa-dalawa-3", "a" * 80, "a" * 81, "a-" * 40 + "b", "Isa", "isa--dalawa", "-isa", "isa-", "isa_2",
     "parañaque", "ISA-DALAWA", "isa dalawa", "1,000-pesos", "x" * 79 + "-y", "", "--", "isa/../etc"],
)  # fmt: skip
def test_a_slug_that_is_one_already_is_what_slugify_makes(text: str) -> None:
    from slugify import slugify

    from balita_cli.slugs import MAX_SLUG_LENGTH, make_slug

    assert make_slug(text) == slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True)


def test_a_record_refused_as_new_is_still_a_duplicate_when_known(cli: Cli, tmp_path: Path) -> None:
    """The checks of a new article are made while the batch before is written, for every record;
    what they refuse is reported only for a record that turns out to be new."""
    first = write_jsonl(tmp_path / "first.jsonl", [{"title": "Isa", "external_id": "k:1", "created_at": WHEN}])
    assert import_summary(cli, "jsonl", str(first), env=AS_IMPORTER)["created"] == 1
    known_but_bad = {"title": "Isa", "external_id": "k:1", "tags": ["!!!"], "created_at": WHEN}
    new_and_bad = {"title": "Dalawa", "external_id": "k:2", "tags": ["!!!"], "created_at": WHEN}
    again = import_summary(
        cli, "jsonl", str(write_jsonl(tmp_path / "again.jsonl", [known_but_bad, new_and_bad])), env=AS_IMPORTER
    )
    assert (again["created"], again["duplicates"], again["rejected"]) == (0, 1, 1)
    assert again["problems"] == [
        {"origin": "again.jsonl: line 2", "message": "tag name '!!!' has no letters or digits to make a slug"}
    ]


def test_text_that_array_and_sql_syntax_use_is_stored_as_it_is(cli: Cli, tmp_path: Path) -> None:
    """On PostgreSQL a batch travels as one array a column: braces, quotes, backslashes, commas,
    the word NULL and empty text must come back byte for byte (and times, flags, counts)."""
    hostile = ['{"a","b"}', 'NULL', "", "back\\slash \\\\ and \\\"", "comma, {brace} 'quote' \"dq\"",
               "Parañaque — ñ ✓ 𝕏", "'); DROP TABLE article; --", "ARRAY[1,2]::text[]"]  # fmt: skip
    rows = [{"title": f"Ulat {n} {text}", "slug": f"ulat-{n}", "subtitle": text, "body": f"{text}\n\n{text}",
             "dateline": text[:200], "featured": n % 2 == 0, "created_at": WHEN, "status": "published",
             "tags": [f"Tag {text}"] if text.strip() and text != "NULL" else []}
            for n, text in enumerate(hostile)]  # fmt: skip
    result = import_summary(cli, "jsonl", str(write_jsonl(tmp_path / "dump.jsonl", rows)), env=AS_IMPORTER)
    assert (result["created"], result["rejected"]) == (len(hostile), 0), result["problems"]
    kept = {r["slug"]: r for r in records(cli, "--sort", "id")}
    for n, text in enumerate(hostile):
        record = kept[f"ulat-{n}"]
        assert (record["subtitle"], record["body"], record["dateline"]) == (text, f"{text}\n\n{text}", text)
        assert record["featured"] is (n % 2 == 0)
        assert record["published_at"] == WHEN and record["word_count"] == 2 * len(text.split())


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=1, max_value=2_000))
def test_statement_sizes_add_up_and_come_in_few_lengths(count: int, most: int) -> None:
    sizes = list(bulk_import.statement_sizes(count, most))
    assert sum(sizes) == count and all(0 < size <= most for size in sizes)
    assert set(sizes) <= {most} | {1 << bit for bit in range(most.bit_length())}


def test_a_long_import_keeps_its_statements_to_a_few_lengths(ready_db_url: str, tmp_path: Path) -> None:
    """Every batch's tags and authors in a statement of their own length would have the driver
    keep a new ~0.5 MB prepared statement a batch (an import of 100,000 held 50 MB more)."""
    spread = random.Random(7)
    counts = [spread.randint(1, 5) for _ in range(600)]
    rows = [
        {**row, "tags": [f"Tag {tag}" for tag in range(count)]}
        for row, count in zip(good_rows(600), counts, strict=True)
    ]
    dump = write_jsonl(tmp_path / "dump.jsonl", rows)
    engine = engine_of(ready_db_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    result = importing.run_import(read("jsonl", dump), lambda: session_scope(engine, write=True),
                                  importing.ImportSettings(who=IMPORTER, batch_size=37))  # fmt: skip

    engine.dispose()
    assert result.created == 600
    shapes = {s for s in statements if s.startswith("INSERT INTO article_tag ")}
    lengths = {sum(counts[start : start + 37]) for start in range(0, 600, 37)}
    assert len(lengths) > 9 and len(shapes) <= (9 if ready_db_url.startswith("sqlite") else 1)


def test_search_documents_that_cannot_be_made_are_one_warning_and_the_import_stands(tmp_path: Path) -> None:
    """The second connections' failure (here a database without the catch-up function: a SQLite
    file) is a warning naming it; their threads end, and finishing twice is harmless."""
    from balita_cli.services.importing.search_catch_up import SearchCatchUp

    engine = engine_of(f"sqlite:///{tmp_path / 'plain.db'}")
    catching_up = SearchCatchUp(lambda: session_scope(engine, write=True))
    catching_up.committed()
    catching_up.committed()
    warning = catching_up.finish()
    assert warning is not None and warning.origin == "search index"
    assert "balita_search_catch_up" in warning.message and "search finds them all the same" in warning.message
    assert not any(thread.is_alive() for thread in catching_up.threads)
    catching_up.abandon()
    engine.dispose()
    assert SearchCatchUp(lambda: session_scope(engine)).finish() is None  # never started: nothing to say
