"""The files beside the articles and lists: the site's pages (about, contacts, the policies), the
search page, the 404 page, robots.txt, the static files and logo, and the redirects at the old
addresses of articles."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from balita_cli.config import country_name
from balita_cli.media.images import decode
from balita_cli.records import SiteArticle
from balita_cli.site import pages
from balita_cli.site.options import NOT_FOUND, SEARCH_DIR
from balita_cli.site.render import STATIC_FILES, render, static_file
from balita_cli.words import words_for

if TYPE_CHECKING:
    from balita_cli.site.rebuild import Rebuild

FAVICON = "favicon.png"
FAVICON_SIDE = 64


def favicon(logo: bytes) -> bytes:
    """A square PNG icon from the publisher's logo: the logo without its margins, its left square
    when it is wide (a wordmark starts with its emblem or initial), on transparency."""
    from PIL import Image, ImageChops  # here: Pillow only when an icon is made

    frame = decode(logo, name="the logo", keep="first").frames[0][0].convert("RGBA")
    background = Image.new("RGBA", frame.size, frame.getpixel((0, 0)))
    box = ImageChops.difference(frame, background).getbbox(alpha_only=False) or (0, 0, frame.width, frame.height)
    mark = frame.crop(box)
    if mark.width > mark.height:
        mark = mark.crop((0, 0, mark.height, mark.height))
    scale = FAVICON_SIDE / max(mark.width, mark.height)
    size = (max(1, round(mark.width * scale)), max(1, round(mark.height * scale)))
    mark = mark.resize(size, Image.Resampling.LANCZOS)
    icon = Image.new("RGBA", (FAVICON_SIDE, FAVICON_SIDE), (0, 0, 0, 0))
    icon.paste(mark, ((FAVICON_SIDE - mark.width) // 2, (FAVICON_SIDE - mark.height) // 2))
    buffer = io.BytesIO()
    icon.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def site_pages(rebuild: Rebuild) -> None:
    """The site's pages that are not news (about, contacts, the policies), each at ``/<slug>/``."""
    site = rebuild.site
    country = country_name(site.publisher.country, site.language) if site.publisher.country else ""
    for record in rebuild.site_pages:
        directory = pages.page_path(record["slug"])
        view = pages.page_view(record, site, country=country)
        key = rebuild.key("page", record, view["contacts"])
        if not rebuild.tree.keep_if_current(directory + pages.INDEX, key):
            rebuild.page("page.html", directory, site.language, key=key, page=view, title=record["title"])


def special_pages(rebuild: Rebuild) -> None:
    """The search page and the page a server shows for a missing address (404.html)."""
    language = rebuild.site.language
    t = words_for(language)
    if rebuild.options.search:
        key = rebuild.key("search-page")
        if not rebuild.tree.keep_if_current(SEARCH_DIR + pages.INDEX, key):
            rebuild.page("search.html", SEARCH_DIR, language, key=key, title=t["search_heading"])
    # Served at any depth ("/no/such/page/"), so its links start at the site's own path.
    key = rebuild.key("not-found")
    if not rebuild.tree.keep_if_current(NOT_FOUND, key):
        rebuild.page("404.html", NOT_FOUND, language, key=key, root=pages.site_path(rebuild.site), title=t["not_found"])


def assets(rebuild: Rebuild, sitemaps: list[str]) -> None:
    """The static files, the logo, and robots.txt (which names the sitemaps)."""
    tree = rebuild.tree
    for name in STATIC_FILES:
        tree.put(name, static_file(name, rebuild.options.template_dir))
    path, data = rebuild.logo_file
    tree.put(path, data)
    key = rebuild.key("favicon")  # the logo and the static files are in every key
    if not tree.keep_if_current(FAVICON, key):
        own = rebuild.logo_data if rebuild.options.logo is not None else None
        tree.put(FAVICON, favicon(own) if own else static_file(FAVICON, rebuild.options.template_dir), key=key)
    urls = [pages.absolute(rebuild.site, path) for path in sitemaps]
    key = rebuild.key("robots", urls)
    if not tree.keep_if_current("robots.txt", key):
        tree.put_text("robots.txt", render(rebuild.environment, "robots.txt", {"sitemaps": urls}), key=key)


def redirects(rebuild: Rebuild, articles: list[SiteArticle]) -> dict[str, str]:
    """A page at each old address of an article: an old slug (articles/<slug>/), or a path an
    import kept (/2019/05/story/, /news/story.html). Made last, so a path never replaces a file the
    build made itself, nor the page of an article that now has that slug; nor does it land in or
    on a folder the build uses as a file or a folder. Returns each page's path and the folder of
    the article it points to (``site/redirect_map.py`` makes them real redirects)."""
    moved: dict[str, str] = {}
    tree = rebuild.tree
    current = {article.record["slug"] for article in articles}
    folders: set[str] | None = None  # every folder of the files made, worked out when needed
    for article in articles:
        record = article.record
        for alias in record["aliases"]:
            path = pages.alias_file(alias)
            if alias in current or path is None or path in tree.current:
                continue
            if folders is None:
                folders = {parent for made in tree.current for parent in _parents(made)}
            if path in folders or any(parent in tree.current for parent in _parents(path)):
                continue
            directory = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
            target = pages.root_prefix(directory) + pages.article_dir(record["slug"])
            context = {
                "lang": record["language"] or rebuild.site.language,
                "title": record["title"],
                "target": target,
                "target_url": record["url"],
            }
            key = rebuild.key("redirect", path, context)
            if not tree.keep_if_current(path, key):
                tree.put_text(path, render(rebuild.environment, "redirect.html", context), key=key)
            folders.update(_parents(path))
            moved[path] = pages.article_dir(record["slug"])
    return moved


def _parents(path: str) -> list[str]:
    """The folders ``path`` lies in: a/b/c.html -> a, a/b."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: end + 1]) for end in range(len(parts))]
