"""Ghost JSON exports, with or without the ``{"db": [...]}`` wrapper.

Every Ghost export from 0.x to 5.x: dates as text or epoch milliseconds, the body from ``html``,
``lexical``, ``mobiledoc`` or ``markdown``, whichever the version has, tags and authors in
Ghost's order. A post that was not for everyone (members, paying subscribers or a newsletter
only) comes in as a draft with an editor's note, never straight into the public feeds."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from balita_cli.errors import InvalidInput
from balita_cli.formats.html import html_body, html_to_text
from balita_cli.formats.readers.base import Reader, ReadItem, ReadOptions, Rejected, Skipped, parse_time
from balita_cli.schema import ArticleInput
from balita_cli.workflow import Status

STATUSES = {
    "published": Status.PUBLISHED,
    "draft": Status.DRAFT,
    "scheduled": Status.SCHEDULED,
    "sent": Status.DRAFT,  # a newsletter only: it never was on the site (see _not_for_everyone)
}
Row = dict[str, Any]
MAX_LEXICAL_DEPTH = 64


def _data(path: Path) -> Row:
    try:
        document = json.loads(Reader.read_text(path))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except RecursionError:
        raise InvalidInput(f"{path}: JSON nested too deeply") from None
    if isinstance(document, dict) and isinstance(document.get("db"), list) and document["db"]:
        document = document["db"][0]
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
        raise InvalidInput(f"{path}: not a Ghost export (no data.posts)")
    for name in ("tags", "users", "posts_tags", "posts_authors", "posts_meta"):
        data[name] = (
            [row for row in data.get(name) or [] if isinstance(row, dict)] if isinstance(data.get(name), list) else []
        )
    return data


def _ordered_links(rows: list[Row], key: str) -> dict[str, list[str]]:
    """post id -> linked ids in ``sort_order`` (file order breaks ties)."""
    grouped: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for index, row in enumerate(rows):
        grouped[str(row.get("post_id"))].append((_order(row.get("sort_order")), index, str(row.get(key))))
    return {post: [linked for _order, _index, linked in sorted(links)] for post, links in grouped.items()}


def _order(value: Any) -> int:
    """A link's sort_order; anything that is not a reasonable whole number sorts as 0."""
    try:
        number = int(value or 0)
    except (TypeError, ValueError, OverflowError):
        return 0
    return number if abs(number) < 2**31 else 0


def _is_page(post: Row) -> bool:
    return post.get("type") == "page" or post.get("page") in (True, 1, "1")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


class GhostReader(Reader):
    name = "ghost"
    description = "Ghost JSON export"

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        source = self.existing_file(path)
        data = _data(source)
        tags = {str(tag.get("id")): tag for tag in data.get("tags") or []}
        users = {str(user.get("id")): user for user in data.get("users") or []}
        post_tags = _ordered_links(data.get("posts_tags") or [], "tag_id")
        post_authors = _ordered_links(data.get("posts_authors") or [], "author_id")
        meta = {str(row.get("post_id")): row for row in data.get("posts_meta") or []}
        for position, post in enumerate(data["posts"], start=1):
            if not isinstance(post, dict):
                yield Rejected(f"{source.name}: post {position}", "not a post object")
                continue
            origin = f"{source.name}: post {position} (id {post.get('id')})"
            if _is_page(post):
                yield Skipped("page", origin)
                continue
            post_id = str(post.get("id"))
            author_ids = post_authors.get(post_id) or [str(post.get("author_id"))]
            try:
                yield _record(
                    post,
                    origin,
                    tags=[_text(tags[tag].get("name")) for tag in post_tags.get(post_id, []) if tag in tags],
                    authors=[_text(users[user].get("name")) for user in author_ids if user in users],
                    meta=meta.get(post_id, {}),
                )
            except InvalidInput as exc:
                yield Rejected(origin, exc.message)


def _record(post: Row, origin: str, *, tags: list[str], authors: list[str], meta: Row) -> ArticleInput:
    status = STATUSES.get(_text(post.get("status")), Status.DRAFT)
    published = parse_time(post.get("published_at"), UTC)
    record = ArticleInput(
        origin=origin,
        title=_text(post.get("title")),
        external_id=f"ghost:{post.get('id')}",
        body=_body(post),
        summary=html_to_text(
            _text(post.get("custom_excerpt") or meta.get("meta_description") or post.get("meta_description"))
        ),
        slug=_text(post.get("slug")) or None,
        tags=tags,
        authors=authors,
        status=status,
        canonical_url=_text(post.get("canonical_url")),
        image_url=_text(post.get("feature_image") or post.get("image")),  # `image` in Ghost 0.x
        image_alt=_text(meta.get("feature_image_alt") or post.get("feature_image_alt")),
        image_caption=html_to_text(_text(meta.get("feature_image_caption") or post.get("feature_image_caption"))),
        featured=post.get("featured") in (True, 1, "1"),
        language=_text(post.get("locale") or post.get("language")) or None,
        created_at=parse_time(post.get("created_at"), UTC),
        updated_at=parse_time(post.get("updated_at"), UTC),
    )
    if status is Status.SCHEDULED:
        record["scheduled_at"] = published
    elif status is Status.PUBLISHED:
        record["published_at"] = published
    _not_for_everyone(record, post)
    if not record["title"]:
        record["title"] = "(no title)"
        record["status"] = Status.DRAFT
        record.notes.append("no title in Ghost; imported as a draft titled '(no title)'")
    return record


def _not_for_everyone(record: ArticleInput, post: Row) -> None:
    """A post for members or paying subscribers (Ghost 3+), or one only sent by email, was not
    for everyone: it comes in as a draft with a note, never straight into the public feeds."""
    visibility = _text(post.get("visibility")) or "public"
    if _text(post.get("status")) == "sent":
        record["editor_note"] = "Imported as a draft: sent as a newsletter only in Ghost, never on the site."
        record.notes.append("status 'sent' (a newsletter only) in Ghost; imported as a draft, not published")
    if visibility == "public":
        return
    record["status"] = Status.DRAFT
    record["editor_note"] = f"Imported as a draft: visible to {visibility} only in Ghost."
    record.notes.append(f"visibility {visibility!r} in Ghost; imported as a draft, not published")


def _body(post: Row) -> str:
    html = _text(post.get("html"))
    if html:
        return html_body(html)
    return (
        _lexical_markdown(post.get("lexical"))
        or _mobiledoc_markdown(post.get("mobiledoc"))
        or _text(post.get("markdown"))
    )


def _lexical_markdown(lexical: Any) -> str:
    """A Ghost 5 ``lexical`` document as Markdown, when the export holds no HTML: paragraphs,
    headings, quotes, lists, links, images, and the Markdown and HTML cards (HTML sanitized)."""
    if not lexical:
        return ""
    try:
        document = json.loads(lexical) if isinstance(lexical, str) else lexical
    except (json.JSONDecodeError, RecursionError):
        raise InvalidInput("lexical is not valid JSON") from None
    root = document.get("root") if isinstance(document, dict) else None
    blocks = root.get("children") if isinstance(root, dict) else None
    parts = (
        [_lexical_block(block, 0) for block in blocks if isinstance(block, dict)] if isinstance(blocks, list) else []
    )
    return "\n\n".join(part for part in parts if part.strip())


def _lexical_block(node: Row, depth: int) -> str:
    kind = node.get("type")
    if depth > MAX_LEXICAL_DEPTH:
        raise InvalidInput(f"lexical is nested more than {MAX_LEXICAL_DEPTH} levels deep")
    if kind == "markdown":
        return _text(node.get("markdown"))
    if kind == "html":
        return html_body(_text(node.get("html")))
    if kind == "image" and node.get("src"):
        return f"![{_text(node.get('altText') or node.get('alt'))}]({_text(node.get('src'))})"
    text = _lexical_inline(node, depth + 1)
    if kind == "heading":
        level = _text(node.get("tag"))[1:2]
        return "#" * (int(level) if level.isdigit() else 2) + " " + text
    if kind == "quote":
        return "> " + text
    if kind == "list":
        marker = "1." if node.get("listType") == "number" else "-"
        return "\n".join(f"{marker} {_lexical_inline(item, depth + 1)}" for item in _children(node))
    return text


def _lexical_inline(node: Row, depth: int) -> str:
    if depth > MAX_LEXICAL_DEPTH:
        raise InvalidInput(f"lexical is nested more than {MAX_LEXICAL_DEPTH} levels deep")
    if node.get("type") == "text":
        text = str(node.get("text") or "")  # spaces between runs of text are part of it
        given = node.get("format")
        style = given if isinstance(given, int) else 0
        core = text.strip()
        if core and style & 1:
            core = f"**{core}**"
        if core and style & 2:
            core = f"*{core}*"
        return text[: len(text) - len(text.lstrip())] + core + text[len(text.rstrip()) :] if core else text
    if node.get("type") == "linebreak":
        return "  \n"
    inner = "".join(_lexical_inline(child, depth + 1) for child in _children(node))
    if node.get("type") == "link" and node.get("url"):
        return f"[{inner}]({_text(node.get('url'))})"
    return inner


def _children(node: Row) -> list[Row]:
    children = node.get("children")
    return [child for child in children if isinstance(child, dict)] if isinstance(children, list) else []


def _mobiledoc_markdown(mobiledoc: Any) -> str:
    """The Markdown cards of an old Ghost post, joined: its body when no HTML was exported."""
    if not mobiledoc:
        return ""
    try:
        document = json.loads(mobiledoc) if isinstance(mobiledoc, str) else mobiledoc
    except (json.JSONDecodeError, RecursionError):
        raise InvalidInput("mobiledoc is not valid JSON") from None
    cards = document.get("cards") if isinstance(document, dict) else None
    parts = [
        str(card[1].get("markdown", ""))
        for card in (cards if isinstance(cards, list) else [])
        if isinstance(card, list)
        and len(card) > 1
        and card[0] in {"markdown", "card-markdown"}
        and isinstance(card[1], dict)
    ]
    return "\n\n".join(part for part in parts if part)


READER = GhostReader()
