"""The XML of a WordPress export (WXR), read as a stream with a hardened parser.

defusedxml over expat (no DTD entities, no external references, no network) yields each
element once it has ended and drops it from the tree afterwards, so memory stays flat on huge
exports. WXR versions (1.0-1.2, http or https) differ in namespace URIs, so elements are named
by their role (``wp:post_type``, ``content:encoded``, ``dc:creator``); a post's fields and its
meta are read as plain strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from balita_cli.errors import InvalidInput


def _prefix(namespace: str) -> str:
    """WXR versions (1.0-1.2, http or https) differ in namespace URI; the role is what counts."""
    if "wordpress.org/export/" in namespace:
        return "excerpt" if namespace.rstrip("/").endswith("excerpt") else "wp"
    if "purl.org/rss/1.0/modules/content" in namespace:
        return "content"
    if "purl.org/dc/elements" in namespace:
        return "dc"
    return ""


def tag_name(tag: str) -> str:
    """``{uri}local`` -> ``wp:local``; plain RSS tags stay as they are."""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    prefix = _prefix(namespace)
    return f"{prefix}:{local}" if prefix else local


def child_texts(element: Element) -> dict[str, str]:
    """The first text of each direct child, by prefixed name."""
    values: dict[str, str] = {}
    for child in element:
        values.setdefault(tag_name(child.tag), child.text or "")
    return values


def post_meta(item: Element) -> dict[str, str]:
    """Post meta by key (the last value of a key given more than once)."""
    return {key: values[-1] for key, values in post_meta_lists(item).items()}


def post_meta_lists(item: Element) -> dict[str, list[str]]:
    """Post meta by key, every value in file order (``_wp_old_slug`` is written once per slug)."""
    meta: dict[str, list[str]] = {}
    for child in item:
        if tag_name(child.tag) == "wp:postmeta":
            entry = child_texts(child)
            meta.setdefault(entry.get("wp:meta_key", ""), []).append(entry.get("wp:meta_value", ""))
    return meta


def iter_ended(path: Path, tags: set[str]) -> Iterator[Element]:
    """Ended elements named in ``tags``, each dropped from the tree once the caller is done."""
    stack: list[Element] = []
    try:
        for event, element in iterparse(str(path), events=("start", "end")):
            if event == "start":
                stack.append(element)
                continue
            stack.pop()
            if tag_name(element.tag) in tags:
                yield element
                if stack:
                    stack[-1].remove(element)
    except DefusedXmlException as exc:
        raise InvalidInput(f"{path}: refused unsafe XML ({type(exc).__name__}): {exc}") from None
    except ParseError as exc:
        raise InvalidInput(f"{path}: not well-formed XML: {exc}") from None


def count_bytes(path: Path, needle: bytes) -> int:
    """How often ``needle`` occurs in the file, read a megabyte at a time (an estimate of its items)."""
    count = 0
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            count += data.count(needle)
            tail = data[-(len(needle) - 1) :]
    return count
