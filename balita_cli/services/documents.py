"""The article as a document an editor edits: YAML front matter, then the Markdown body.

``edit`` in ``$EDITOR`` and ``edit --from-file`` read the same document. Its ``version`` line
says which version the text was made from, so a document saved after a colleague's change is
merged three ways: the editor's changes go on top of the colleague's, and a field both changed
differently is refused with both values shown, never silently overwritten. ``new --edit`` opens
the same document with the fields empty; an empty body shows ``PLACEHOLDER``, a line that is
never saved (as git leaves out its commit template's comments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml

from balita_cli.db.dbapi import Database
from balita_cli.errors import Aborted, Conflict, InvalidInput
from balita_cli.schema import BY_NAME, EDITOR_FIELDS, Kind
from balita_cli.services import articles, reading, revisions
from balita_cli.services.articles import ArticleChanges
from balita_cli.timeutil import parse_when

# The fields an editor sees, in schema order; `body` is the text after the front matter.
DOCUMENT_FIELDS = tuple(name for name in EDITOR_FIELDS if name != "body")
VERSION_KEY = "version"  # read-only: the version the document was made from
MAX_FRONT_MATTER = 200_000  # characters; a document is a page of text, not a data dump
# Shown where the body is empty, and left out of the body wherever it is found.
PLACEHOLDER = "<!-- Write the article here, in Markdown. This line is not saved. -->"


@dataclass(frozen=True)
class Document:
    fields: dict[str, Any]
    body: str
    base_version: int | None  # None when the document does not say (hand-written)


def document_values(content: dict[str, Any]) -> dict[str, Any]:
    """What the document shows of an article's content (as ``reading.content`` gives it)."""
    values = {name: content.get(name) for name in DOCUMENT_FIELDS}
    values["section"] = values.get("section") or ""
    values["expires_at"] = values.get("expires_at") or ""
    values["photo"] = str((values.get("photo") or {}).get("id") or "")  # the library's photo id
    return values


def _kind(name: str) -> Kind:
    """A field's kind; a page's own fields (not an article's) are text."""
    return BY_NAME[name].kind if name in BY_NAME else Kind.TEXT


def blank_value(name: str) -> Any:
    """What the document shows for a field with no value."""
    kind = _kind(name)
    return [] if kind is Kind.NAMES else False if kind is Kind.BOOL else ""


def render_document(
    fields: dict[str, Any],
    body: str,
    version: int | None = None,
    *,
    names: tuple[str, ...] = DOCUMENT_FIELDS,
    placeholder: str = PLACEHOLDER,
) -> str:
    """Every field of the document (``names``: an article's, or a page's), in order (blank where
    ``fields`` has none), then the body, or the placeholder where there is none."""
    front = {name: blank_value(name) if fields.get(name) is None else fields[name] for name in names}
    if version is not None:
        front[VERSION_KEY] = version
    text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{text}---\n\n{body.rstrip() or placeholder}\n"


def without_placeholder(body: str, placeholder: str = PLACEHOLDER) -> str:
    """The body with every line that is the placeholder left out."""
    if placeholder not in body:
        return body
    return "".join(line for line in body.splitlines(keepends=True) if line.strip() != placeholder)


def parse_document(text: str, *, names: tuple[str, ...] = DOCUMENT_FIELDS, placeholder: str = PLACEHOLDER) -> Document:
    """Split and check a document whose fields are ``names``; every scalar comes back as text,
    lists as lists of text."""
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        raise InvalidInput("the document must start with a --- front matter block")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise InvalidInput("the front matter block is not closed with a --- line")
    head, rest = parts[0].removeprefix("---"), parts[1]
    if len(head) > MAX_FRONT_MATTER:
        raise InvalidInput(f"the front matter is longer than {MAX_FRONT_MATTER:,} characters")
    body = rest.split("\n", 1)[1] if "\n" in rest else ""
    data = _load_yaml(head)
    unknown = sorted(set(map(str, data)) - {*names, VERSION_KEY})
    if unknown:
        raise InvalidInput(f"unknown field(s) in the front matter: {', '.join(unknown)}")
    version = data.pop(VERSION_KEY, None)
    if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
        raise InvalidInput(f"version must be a whole number, not {version!r}")
    fields = {str(key): _clean(str(key), value) for key, value in data.items()}
    return Document(fields, without_placeholder(body, placeholder).strip("\n"), version)


def _load_yaml(head: str) -> dict[Any, Any]:
    """Front matter as plain YAML: aliases are refused (an alias bomb expands a few hundred
    bytes into gigabytes), and so is anything but a table of fields."""
    if "&" in head or "*" in head:
        events = yaml.parse(head, Loader=yaml.SafeLoader)
        try:
            if any(isinstance(event, yaml.AliasEvent) for event in events):
                raise InvalidInput("the front matter uses YAML aliases (*name), which are not accepted")
        except yaml.YAMLError:
            pass  # reported by the load below, with its line
    try:
        data = yaml.safe_load(head) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        raise InvalidInput(f"the front matter is not valid YAML{where}" + (f": {problem}" if problem else "")) from None
    except RecursionError:
        raise InvalidInput("the front matter is nested too deeply") from None
    if not isinstance(data, dict):
        raise InvalidInput("the front matter must be a set of 'name: value' lines")
    return data


def _clean(name: str, value: Any) -> Any:
    kind = _kind(name)
    if kind is Kind.NAMES:
        if value is None:
            return []
        items = value if isinstance(value, list) else str(value).split(",")
        return [str(item).strip() for item in items if str(item).strip()]
    if kind is Kind.BOOL:
        return bool(value)
    if kind is Kind.PHOTO:
        return "" if value in (None, "") else str(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        raise InvalidInput(f"{name} must be a single value, not a list or a table")
    return str(value)


def edits(original: dict[str, Any], original_body: str, document: Document) -> dict[str, Any]:
    """Field -> new value for what the document changed (the body compared without its margins)."""
    changed = {name: value for name, value in document.fields.items() if value != original.get(name)}
    if document.body.strip() != original_body.strip():
        changed["body"] = document.body
    return changed


def merge(mine: dict[str, Any], theirs: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """My edits on top of theirs; a field we both changed to different values is a conflict."""
    clashes = [name for name in mine if name in theirs and mine[name] != theirs[name]]
    if clashes:
        shown = "; ".join(f"{name}: yours {_short(mine[name])}, theirs {_short(current.get(name))}" for name in clashes)
        raise Conflict(f"you and another editor both changed {', '.join(clashes)} ({shown}); nothing was saved")
    return mine


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def changes_from(values: dict[str, Any], zone: Any) -> ArticleChanges:
    """Edited values (as a document holds them) as the article service's changes."""
    changes = ArticleChanges()
    for name, value in values.items():
        if name == "section":
            changes.section, changes.clear_section = value or None, not value
        elif name in {"tags", "authors"}:
            setattr(changes, name, list(value))
        elif name == "slug":
            changes.slug = value
        elif BY_NAME[name].kind is Kind.TIME:
            changes.values[name] = parse_when(value, zone) if isinstance(value, str) and value else value or None
        else:
            changes.values[name] = value
    return changes


def apply_document(
    session: Any, article_id: int, document: Document, *, zone: Any, who: str = "", note: str = ""
) -> int:
    """Save an edited document: over the version it was made from, merged three ways when the
    article has moved on since. Returns the new version."""
    db = Database.of_session(session)
    current = reading.content(db, article_id)
    now = int(db.scalar("SELECT version FROM article WHERE id = ?", [article_id]))
    base_version = document.base_version or now
    base = current if base_version == now else revisions.content(db, article_id, base_version)
    mine = edits(document_values(base), str(base.get("body") or ""), document)
    if base_version != now:
        theirs = edits(
            document_values(base),
            str(base.get("body") or ""),
            Document(document_values(current), str(current["body"]), None),
        )
        mine = merge(mine, theirs, current)
    shown_now = {**document_values(current), "body": current["body"]}
    mine = {name: value for name, value in mine.items() if value != shown_now.get(name)}
    if not mine:
        raise Aborted("nothing changed; the article was not saved")
    return articles.update(session, article_id, changes_from(mine, zone), seen_version=now, who=who, note=note)
