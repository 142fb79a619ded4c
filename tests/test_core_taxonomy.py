"""tag add|remove|set|list|rename|merge|delete, and section/author management."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.cli import Cli


def tags_of(cli: Cli, ref: int) -> list[str]:
    data: dict[str, Any] = cli.json("show", str(ref), "--format", "json")
    return list(data["tags"])


def terms(cli: Cli, kind: str) -> dict[str, int]:
    listed = cli.json(kind, "list", "--format", "json")
    return {row["name"]: row["articles"] for row in listed}


def test_tag_add_remove_set(cli: Cli) -> None:
    article = cli.new("Budget story", "--body", "x", "--tag", "Senate")
    result = cli.ok("tag", "add", str(article), "Manila", "manila", "West Philippine Sea")
    assert result.stderr == "Article 1 tags: Manila, Senate, West Philippine Sea\n"
    assert tags_of(cli, article) == ["Manila", "Senate", "West Philippine Sea"]
    cli.ok("tag", "remove", "budget-story", "SENATE")
    assert tags_of(cli, article) == ["Manila", "West Philippine Sea"]
    cli.ok("tag", "set", str(article), "Badyet", "Senado")
    assert tags_of(cli, article) == ["Badyet", "Senado"]
    cli.ok("tag", "set", str(article))
    assert tags_of(cli, article) == []
    assert cli.json("show", str(article), "--format", "json")["version"] == 5


@pytest.mark.slow
def test_manila_and_manila_are_one_tag(cli: Cli) -> None:
    first = cli.new("One", "--body", "x", "--tag", "Manila")
    second = cli.new("Two", "--body", "x", "--tag", "manila", "--tag", "MANILA")
    assert tags_of(cli, first) == ["Manila"] and tags_of(cli, second) == ["Manila"]
    assert terms(cli, "tag") == {"Manila": 2}
    assert len(cli.ok("list", "--tag", "mAnIlA", "--format", "ids").stdout.split()) == 2


@pytest.mark.slow
def test_tag_list_rename_merge_delete(cli: Cli) -> None:
    a = cli.new("A", "--body", "x", "--tag", "Maynila", "--tag", "Manila")
    b = cli.new("B", "--body", "x", "--tag", "Maynila")
    c = cli.new("C", "--body", "x", "--tag", "Metro Manila", "--tag", "Traffic")
    assert terms(cli, "tag") == {"Manila": 1, "Maynila": 2, "Metro Manila": 1, "Traffic": 1}
    listed = cli.ok("tag", "list").stdout.splitlines()
    assert listed[0] == "id\tname\tslug\tarticles" and "\tmetro-manila\t1" in listed[3]

    cli.ok("tag", "merge", "maynila", "Metro Manila", "--into", "Manila")
    assert terms(cli, "tag") == {"Manila": 3, "Traffic": 1}
    assert tags_of(cli, a) == ["Manila"] and tags_of(cli, b) == ["Manila"]
    assert tags_of(cli, c) == ["Manila", "Traffic"]

    cli.ok("tag", "rename", "traffic", "Trapiko")
    assert tags_of(cli, c) == ["Manila", "Trapiko"]
    clash = cli.fails(["tag", "rename", "Trapiko", "manila"])
    assert "use merge" in clash.stderr

    assert "--yes" in cli.fails(["tag", "delete", "Manila"], 2).stderr
    cli.ok("tag", "delete", "Manila", "--yes")
    assert terms(cli, "tag") == {"Trapiko": 1}
    assert tags_of(cli, a) == [] and tags_of(cli, c) == ["Trapiko"]
    assert cli.fails(["tag", "delete", "Manila", "--yes"]).stderr == "error: no tag 'Manila'\n"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["section", "author"])
def test_section_and_author_management(cli: Cli, kind: str) -> None:
    flag = f"--{kind}"
    cli.ok(kind, "add", "Ekonomiya")
    duplicate = cli.fails([kind, "add", "ekonomiya"])
    assert duplicate.stderr == f"error: {kind} 'ekonomiya' already exists (slug ekonomiya)\n"
    first = cli.new("One", "--body", "x", flag, "Economy")
    second = cli.new("Two", "--body", "x", flag, "Ekonomiya")
    assert terms(cli, kind) == {"Economy": 1, "Ekonomiya": 1}

    cli.ok(kind, "rename", "ekonomiya", "Ekonomiya at Negosyo")
    cli.ok(kind, "merge", "economy", "--into", "Ekonomiya at Negosyo")
    assert terms(cli, kind) == {"Ekonomiya at Negosyo": 2}
    field = "section" if kind == "section" else "authors"
    expected: Any = "Ekonomiya at Negosyo" if kind == "section" else ["Ekonomiya at Negosyo"]
    for article in (first, second):
        assert cli.json("show", str(article), "--format", "json")[field] == expected
    assert len(cli.ok("list", flag, "ekonomiya-at-negosyo", "--format", "ids").stdout.split()) == 2

    cli.ok(kind, "delete", "Ekonomiya at Negosyo", "--yes")
    assert terms(cli, kind) == {}
    empty: Any = None if kind == "section" else []
    assert cli.json("show", str(first), "--format", "json")[field] == empty
    assert "no " + kind in cli.fails([kind, "rename", "Nowhere", "Somewhere"]).stderr


def test_section_and_author_details(cli: Cli) -> None:
    cli.ok("section", "add", "Kultura", "--description", "Sining at kultura")
    cli.ok("author", "add", "Maria Santos", "--email", "maria@example.ph", "--description", "Reporter")
    assert cli.json("section", "list", "--format", "json")[0]["slug"] == "kultura"
    assert cli.ok("author", "list", "--format", "csv").stdout == (
        "id,name,slug,articles\n1,Maria Santos,maria-santos,0\n"
    )


def test_empty_term_names_are_refused(cli: Cli) -> None:
    article = str(cli.new("Story", "--body", "x"))
    assert "cannot be empty" in cli.fails(["section", "add", "  "]).stderr
    assert "no letters or digits" in cli.fails(["tag", "add", article, "!!!"]).stderr
