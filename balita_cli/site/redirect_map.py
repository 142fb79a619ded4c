"""The site's old addresses as a web server reads them: an nginx ``map`` from a path to where it
moved (a 301) or to ``gone`` (a 410), written into the build output as ``.balita-redirects.map``.

Moved: each old slug of an article, and each path an import kept (the build also writes a page
there that refreshes to the new address, for static hosts that cannot redirect). Gone: each
article page an earlier build published that no build makes any more (purged, trashed or taken
back to draft), remembered in the manifest's memo from build to build until its address is used
again. ``balita deploy`` reads the same file back to give a bucket's redirect pages their
``x-amz-website-redirect-location``. Only paths made of URL-safe characters are listed: nginx
compares the decoded ``$uri``, and nothing in a line may be read as a regular expression or a
variable, and no longer than nginx's hash bucket holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from balita_cli.site import pages

if TYPE_CHECKING:
    from balita_cli.site.rebuild import Rebuild

MAP_FILE = ".balita-redirects.map"
HEADER = "# Made by `balita build`: the site's old addresses (see docs/deploying.md)."
VARIABLE = "$balita_redirect"
GONE = "gone"
MEMO_KEY = "gone"
# nginx keeps each key in a hash bucket (map_hash_bucket_size, docs/deploying.md): longer ones are left out.
_SAFE_PATH = re.compile(r"/[A-Za-z0-9._~%/-]{0,299}")
_ARTICLE_PAGE = re.compile(r"articles/[^/]+/" + re.escape(pages.INDEX))
_LINE = re.compile(r'\s*"(/[^"]*)" "([^"]*)";')


def addresses(site_path: str, relative: str) -> list[str]:
    """The paths a reader may ask for a file at: ``a/b/index.html`` is ``/a/b/`` too."""
    path = site_path + relative
    if relative.endswith("/" + pages.INDEX) or relative == pages.INDEX:
        return [path[: -len(pages.INDEX)], path]
    return [path]


def render(site_path: str, moved: Mapping[str, str], gone: Iterable[str]) -> str:
    """The map: ``moved`` from a file's path in the output to the folder it moved to, ``gone``
    the files no longer published (both relative to the output)."""
    entries: dict[str, str] = {}
    for relative in sorted(gone):
        for path in addresses(site_path, relative):
            entries[path] = GONE
    for relative, target in sorted(moved.items()):
        for path in addresses(site_path, relative):
            entries[path] = site_path + target
    lines = [
        HEADER,
        f"map $uri {VARIABLE} {{",
        '    default "";',
        *(f'    "{path}" "{value}";' for path, value in entries.items() if _is_safe(path) and _is_safe(value)),
        "}",
    ]
    return "\n".join(lines) + "\n"


def _is_safe(value: str) -> bool:
    return value == GONE or bool(_SAFE_PATH.fullmatch(value))


def parse(text: str) -> dict[str, str]:
    """Path -> where it moved (or ``gone``), from a map :func:`render` wrote."""
    found = {}
    for line in text.splitlines():
        match = _LINE.fullmatch(line)
        if match and _is_safe(match.group(1)) and _is_safe(match.group(2)):
            found[match.group(1)] = match.group(2)
    return found


def redirect_locations(text: str, site_path: str) -> dict[str, str]:
    """File path in the output -> where it moved: what a bucket's redirect metadata says."""
    locations = {}
    for path, value in parse(text).items():
        relative = path[len(site_path) :]
        if value != GONE and path.startswith(site_path) and relative and not relative.endswith("/"):
            locations[relative] = value
    return locations


def write_map(rebuild: Rebuild, moved: Mapping[str, str]) -> None:
    """Write the map, after every page of the build is made (what is not made now is gone).
    What was gone stays gone: remembered in the manifest's memo, and read back from the last map
    when the manifest could not be trusted."""
    tree = rebuild.tree
    site_path = pages.site_path(rebuild.site)
    remembered = tree.previous_memo.get(MEMO_KEY)
    before = {path for path in remembered if isinstance(path, str)} if isinstance(remembered, list) else set()
    before |= _gone_in_last_map(tree.root / MAP_FILE, site_path, untracked=MAP_FILE not in tree.previous)
    published = set(tree.previous_under("articles/"))
    gone = sorted(path for path in before | published if _ARTICLE_PAGE.fullmatch(path) and path not in tree.current)
    tree.memo[MEMO_KEY] = gone
    tree.put_text(MAP_FILE, render(site_path, moved, gone))


def _gone_in_last_map(path: Path, site_path: str, *, untracked: bool) -> set[str]:
    """The pages the last map says are gone. A map the manifest does not list (it could not be
    read) is still ours when it begins with our header: it is taken away, to be written anew."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    if not text.startswith(HEADER + "\n"):
        return set()  # someone else's file: the build will say so
    if untracked:
        path.unlink(missing_ok=True)
    return {
        address[len(site_path) :]
        for address, value in parse(text).items()
        if value == GONE and address.startswith(site_path)
    }
