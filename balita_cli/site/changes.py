"""What changed since the last build, and whose related stories that may move.

The manifest keeps the last build's *index*: a line per article with its token (its stamp, and
whether its photo could be shown), its section, its tags and whether lists showed it. Compared
with this build's index it says which articles changed (``Rebuild._changed``) and, from those,
which unchanged stories may have other related stories or section neighbours now (``affected``):
only those article pages have their key worked out again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from balita_cli.records import SiteArticle

# A related-stories window looks 12 members each way (13 past an unlisted story): see site/related.py.
NEAREST_REACH = 14


class Previous(NamedTuple):
    """One article as the last build's manifest remembers it."""

    id: int
    token: str
    section: str
    tags: list[str]
    listed: bool


def article_index(articles: list[SiteArticle]) -> list[dict[str, Any]]:
    """The light index related stories are found in (``site/related.py``): newest first, stories
    not yet published (in the preview) leading."""
    entries = []
    for article in articles:
        record, terms = article.record, article.terms
        entries.append(
            {
                "id": record["id"],
                "slug": record["slug"],
                "title": record["title"],
                "published_at": record["published_at"],
                "section": terms["section"][0][1] if terms["section"] else "",
                "tags": tuple(sorted(slug for _name, slug in terms["tag"])),
                "listed": article.listed,
            }
        )
    entries.sort(key=lambda entry: (entry["published_at"] or "9999", entry["id"]), reverse=True)
    return entries


def index_text(index: list[dict[str, Any]], token: dict[int, str]) -> str:
    """The index as the manifest keeps it: a line per article (slugs hold no tab, comma or newline)."""
    return "\n".join(
        f"{e['id']}\t{token[e['id']]}\t{e['section']}\t{','.join(e['tags'])}\t{int(e['listed'])}" for e in index
    )


def previous_index(text: Any) -> list[Previous] | None:
    """The last build's index (None when the manifest holds none it can read: nothing is trusted)."""
    if not isinstance(text, str):
        return None
    found = []
    try:
        for line in text.split("\n") if text else ():
            article_id, token, section, tags, listed = line.split("\t")
            found.append(Previous(int(article_id), token, section, tags.split(",") if tags else [], listed == "1"))
    except ValueError:
        return None
    return found


def _memberships(section: str, tags: Iterable[str]) -> list[str]:
    return ([f"s:{section}"] if section else []) + [f"t:{tag}" for tag in tags]


def affected(index: list[dict[str, Any]], previous: list[Previous] | None, changed: set[int] | None) -> set[int] | None:
    """The articles whose related stories or section neighbours may differ from the last build's
    (None: any of them).

    A story's related stories are drawn from the ``NEAREST`` stories either side of it in each of
    its tags and its section, ranked by what they share and how far apart they are in the whole
    list. When no story moved in the whole list (nothing published, removed or re-dated), only the
    stories within reach of a changed one in a tag or section they share can see a difference:
    those are looked at again. Anything else that moved the list looks at every story again.
    """
    if changed is None or previous is None:
        return None
    if not changed:
        return set()
    if [item.id for item in previous] != [entry["id"] for entry in index]:
        return None
    old = {item.id: (item.section, item.tags) for item in previous}
    current = {entry["id"]: entry for entry in index}
    touched: set[str] = set()
    for article_id in changed:
        entry = current.get(article_id)
        if entry is not None:
            touched.update(_memberships(entry["section"], entry["tags"]))
        if article_id in old:
            touched.update(_memberships(*old[article_id]))
    # Each touched tag or section, as the list of its members (a changed story in its old ones too).
    members: dict[str, list[int]] = defaultdict(list)
    for entry in index:
        article_id = entry["id"]
        names = set(_memberships(entry["section"], entry["tags"]))
        if article_id in changed and article_id in old:
            names.update(_memberships(*old[article_id]))
        for name in names & touched:
            members[name].append(article_id)
    found = set(changed)
    for ids in members.values():
        for at, article_id in enumerate(ids):
            if article_id in changed:
                found |= _within_reach(ids, at, changed, current)
    return found


def _within_reach(ids: list[int], at: int, changed: set[int], current: dict[int, dict[str, Any]]) -> set[int]:
    """The unchanged members a window around ``ids[at]`` reaches, either way (an unlisted story
    does not count towards the reach: windows look past it)."""
    found = set()
    for step in (-1, 1):
        seen, other = 0, at + step
        while 0 <= other < len(ids) and seen <= NEAREST_REACH:
            neighbour = ids[other]
            if neighbour not in changed:
                found.add(neighbour)
                if current[neighbour]["listed"]:
                    seen += 1
            other += step
    return found
