"""Ghost exports from 0.x to 5.x: what comes across, and what must not go public.

The fixtures in tests/fixtures/fidelity are written in the shape of real Ghost exports (field
names, types and wrappers of 0.x with epoch-millisecond dates and markdown-only posts, 4.x with
paid, members-only and newsletter-only posts, 5.x with a lexical-only post); the corpora are the
real theme-unit-test exports of Ghost 2.1 and 3.3 and Ghost's own migration fixtures.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree

from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.records import by_slug, import_summary

FIXTURES = Path(__file__).parent / "fixtures" / "fidelity"


def ghost_posts(path: Path) -> list[dict[str, Any]]:
    document = json.loads(path.read_text())
    posts: list[dict[str, Any]] = (document["db"][0] if "db" in document else document)["data"]["posts"]
    return posts


def epoch_ms(value: int) -> str:
    return datetime.fromtimestamp(value / 1000, UTC).isoformat()


def test_ghost_0x_epoch_millisecond_dates_and_markdown_only_posts(cli: Cli) -> None:
    path = FIXTURES / "ghost-0.7-export.json"
    posts = {post["slug"]: post for post in ghost_posts(path)}

    result = import_summary(cli, "ghost", str(path))

    assert (result["created"], result["rejected"], result["skipped"]) == (4, 0, {"page": 1})
    articles = by_slug(cli)
    welcome = articles["welcome-to-ghost"]
    assert welcome["published_at"] == epoch_ms(posts["welcome-to-ghost"]["published_at"])
    assert welcome["created_at"] == epoch_ms(posts["welcome-to-ghost"]["created_at"])
    assert welcome["language"] == "en-US" and welcome["tags"] == ["Getting Started"]
    assert welcome["authors"] == ["Ghost Owner"]
    # html is null: the markdown field is the body, as written (indented code stays indented).
    markdown_only = articles["balita-mula-sa-maynila"]
    assert markdown_only["body"] == posts["balita-mula-sa-maynila"]["markdown"]
    assert markdown_only["published_at"] == "2013-02-28T23:00:00+00:00"  # 1362092400000
    assert markdown_only["authors"] == ["Juan dela Cruz"] and markdown_only["featured"] is True
    # No custom_excerpt in 0.x: the meta description, entities decoded.
    assert markdown_only["summary"] == "Ulat mula sa Maynila & Quezon City"
    # A relative image path is no URL readers can follow: left out, and said so.
    notes = [w["message"] for w in result["warnings"]]
    assert markdown_only["image_url"] == "" and any("/content/images/2013/03/maynila.jpg" in n for n in notes)
    # The untitled post Ghost shows comes in, as a draft with a placeholder title.
    assert (articles["untitled"]["title"], articles["untitled"]["status"]) == ("(no title)", "draft")
    assert articles["half-written-draft"]["status"] == "draft"
    assert import_summary(cli, "ghost", str(path))["created"] == 0


def test_ghost_4_posts_not_for_everyone_never_go_public(cli: Cli, tmp_path: Path) -> None:
    path = FIXTURES / "ghost-4-export.json"
    result = import_summary(cli, "ghost", str(path))
    assert (result["created"], result["rejected"]) == (4, 0)
    articles = by_slug(cli)

    public = articles["bukas-para-sa-lahat"]
    assert public["status"] == "published" and public["published_at"] == "2021-07-01T00:00:00+00:00"
    assert public["summary"] == "Fish & chips today"  # custom_excerpt, entities decoded once
    assert (public["image_alt"], public["image_caption"]) == ("Mga mambabasa", "Larawan: Ana")
    for slug, why in (("para-sa-mga-nagbabayad", "paid"), ("para-sa-mga-miyembro", "members"),
                      ("newsletter-lamang", "newsletter")):  # fmt: skip
        article = articles[slug]
        assert article["status"] == "draft" and why in article["editor_note"], article
        assert any(w["origin"].endswith(f"(id {article['external_id'].removeprefix('ghost:')})")
                   for w in result["warnings"])  # fmt: skip
    feeds = [cli.ok("export", name).stdout for name in ("rss", "atom", "jsonfeed", "ninjs")]
    for secret in ("PAID-ONLY-BODY", "MEMBERS-ONLY-BODY", "EMAIL-ONLY-BODY"):
        assert not any(secret in feed for feed in feeds)
    site = tmp_path / "public"
    cli.ok("build", "-o", str(site))
    built = "".join(page.read_text(errors="replace") for page in site.rglob("*.html"))
    assert "Bukas para sa lahat" in built and "PAID-ONLY-BODY" not in built and "EMAIL-ONLY-BODY" not in built


def test_ghost_5_lexical_only_post_keeps_its_body(cli: Cli) -> None:
    result = import_summary(cli, "ghost", str(FIXTURES / "ghost-5-lexical-export.json"))
    assert result["created"] == 1
    body = by_slug(cli)["lexical-lamang"]["body"]
    assert body.startswith("Unang **talata**\n\n## Pangalawa\n\n- isa\n- [link](https://example.ph/)")
    assert "A *markdown* card" in body and "An HTML card" in body
    assert "<script" not in body and "onclick" not in body


def test_hostile_lexical_is_rejected_alone(cli: Cli, tmp_path: Path) -> None:
    deep: dict[str, Any] = {"type": "text", "text": "deep"}
    for _ in range(200):
        deep = {"type": "link", "url": "https://x.example/", "children": [deep]}
    posts = [
        {"id": "a", "title": "Deep", "slug": "deep", "status": "published", "lexical": json.dumps(
            {"root": {"children": [{"type": "paragraph", "children": [deep]}]}})},
        {"id": "b", "title": "Broken", "slug": "broken", "status": "published", "lexical": "{not json"},
        {"id": "c", "title": "Fine", "slug": "fine", "status": "published", "html": "<p>ok</p>"},
    ]  # fmt: skip
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps({"data": {"posts": posts}}))
    result = import_summary(cli, "ghost", str(path))
    assert (result["created"], result["rejected"]) == (1, 2)
    assert {p["message"] for p in result["problems"]} == {
        "lexical is nested more than 64 levels deep", "lexical is not valid JSON"}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(
    "parts",
    [
        ("ghost", "uksb-ghost-3.3", "ghost-theme-unit-test.json"),
        ("ghost", "nickisnoble-ghost-2.1", "ghost-theme-unit-test.json"),
        ("ghost", "tryghost-migrate", "ghost.json"),
    ],
)
def test_real_ghost_exports_summaries_are_plain_text(cli: Cli, parts: tuple[str, ...]) -> None:
    path = corpora_path(*parts)
    result = import_summary(cli, "ghost", str(path))
    assert result["rejected"] == 0, result["problems"]
    for article in by_slug(cli).values():
        assert "&amp;" not in article["summary"] and "&nbsp;" not in article["summary"], article["summary"]
    # The plain-text summary goes out once escaped: the WXR excerpt holds no entity as text.
    wxr = ElementTree.fromstring(cli.ok("export", "wxr").stdout.encode())
    excerpts = [node.text or "" for node in wxr.iter("{http://wordpress.org/export/1.2/excerpt/}encoded")]
    assert excerpts and not any("&amp;" in text or "&nbsp;" in text for text in excerpts)
