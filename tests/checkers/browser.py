"""Pages in headless Debian Chromium, driven by Playwright: axe-core, screenshots, console errors.

Playwright (the Python package) drives the Debian binary through `executable_path`: it never
downloads a browser. One `browser()` serves many pages. Requests that leave this machine are
aborted and reported, so a page never hangs on the closed network and an outside dependency
is visible.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from tests.checkers import _tools

if TYPE_CHECKING:
    from playwright.sync_api import Browser as PlaywrightBrowser
    from playwright.sync_api import BrowserContext, Page, Request, Response, Route

# Playwright adds --headless and a fresh temporary --user-data-dir for every launch.
CHROMIUM_FLAGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
)  # fmt: skip
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})
DEFAULT_IMPACTS = ("serious", "critical")
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
NAVIGATION_TIMEOUT_MS = 30_000
AXE_RUN = """async ([tags]) => {
  const options = {resultTypes: ["violations"]};
  if (tags) options.runOnly = {type: "tag", values: tags};
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, failureSummary: n.failureSummary})),
  }));
}"""


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.scheme in ("http", "https") and parts.hostname in LOCAL_HOSTS)


@dataclass
class Visit:
    """One loaded page, with what went wrong while it loaded."""

    page: Page
    errors: list[str]


@dataclass
class _Tab:
    """A context and page kept for many visits: a new page costs a renderer (~0.25 s), a visit ~0.1 s."""

    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)


class Browser:
    """One headless Chromium for many pages: `.axe`, `.screenshot`, `.evaluate`, `.console_errors`.

    Visits reuse one tab (and one more with axe-core loaded), going back to about:blank after
    each; a visit that fails throws its tab away, so the next one starts clean. Pages share
    storage between visits, which a static site never uses.
    """

    def __init__(self, chromium: PlaywrightBrowser) -> None:
        self.chromium = chromium
        self._tabs: dict[bool, _Tab] = {}

    def _tab(self, axe: bool) -> _Tab:
        if axe not in self._tabs:
            context = self.chromium.new_context(java_script_enabled=True)
            if axe:
                # An init script runs in every frame before the page's own scripts and is not
                # subject to the page's Content-Security-Policy, unlike an added <script>.
                context.add_init_script(path=_tools.npm_file(_tools.AXE_JS, "axe-core"))
            tab = _Tab(context, context.new_page())
            tab.page.set_default_timeout(NAVIGATION_TIMEOUT_MS)
            context.route("**/*", functools.partial(_route, tab.errors))
            tab.page.on("console", lambda message: _console(tab.errors, message.type, message.text, message.location))
            tab.page.on("pageerror", lambda error: tab.errors.append(f"uncaught exception: {error}"))
            tab.page.on("requestfailed", functools.partial(_request_failed, tab.errors))
            tab.page.on("response", functools.partial(_response, tab.errors))
            self._tabs[axe] = tab
        return self._tabs[axe]

    @contextmanager
    def visit(self, url: str, *, width: int = 1280, height: int = 800, axe: bool = False) -> Iterator[Visit]:
        """Load `url` (http on 127.0.0.1 or file://) and yield the page once `load` has fired.

        The page is shared with later visits: use it inside the block, do not close it.
        """
        tab = self._tab(axe)
        tab.errors.clear()
        finished = False
        try:
            if tab.page.viewport_size != {"width": width, "height": height}:
                tab.page.set_viewport_size({"width": width, "height": height})
            response = tab.page.goto(url, wait_until="load")
            if response is not None and response.status >= 400:
                raise AssertionError(f"{url} answered HTTP {response.status}")
            yield Visit(tab.page, tab.errors)
            finished = True
        finally:
            if finished:
                tab.page.goto("about:blank")
            else:
                del self._tabs[axe]
                tab.context.close()

    def axe(
        self, url: str, *, impacts: Sequence[str] | None = DEFAULT_IMPACTS, tags: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """axe-core's violations on the loaded page whose impact is in `impacts` (None: all).

        `tags` limits the rules (e.g. ["wcag2a", "wcag2aa", "wcag21aa"]); by default axe runs
        its whole default set, best practices included (landmark-unique, region, ...).
        """
        with self.visit(url, axe=True) as visit:
            violations: list[dict[str, Any]] = visit.page.evaluate(AXE_RUN, [list(tags) if tags else None])
        wanted = None if impacts is None else set(impacts)
        return [{**v, "url": url} for v in violations if wanted is None or v["impact"] in wanted]

    def screenshot(self, url: str, path: Path, width: int = 1280, height: int = 800, *, full_page: bool = True) -> Path:
        """A PNG of the page at this viewport (the whole page unless full_page=False)."""
        with self.visit(url, width=width, height=height) as visit:
            visit.page.screenshot(path=path, full_page=full_page)
        return path

    def evaluate(self, url: str, js: str, arg: Any = None) -> Any:
        """The value of a JavaScript expression or function (called with `arg`) on the loaded page."""
        with self.visit(url) as visit:
            return visit.page.evaluate(js, arg)

    def console_errors(self, url: str) -> list[str]:
        """Console errors, uncaught exceptions, failed or blocked requests and HTTP >= 400 while loading."""
        with self.visit(url) as visit:
            return list(visit.errors)


def _route(errors: list[str], route: Route, request: Request) -> None:
    if is_local(request.url):
        route.continue_()
    else:
        errors.append(f"blocked outside request: {request.url}")
        route.abort("blockedbyclient")


def _console(errors: list[str], kind: str, text: str, location: Any) -> None:
    if kind == "error":
        where = location.get("url", "") if isinstance(location, dict) else ""
        line = location.get("lineNumber") if isinstance(location, dict) else None
        errors.append(f"console error: {text}" + (f" ({where}:{line})" if where else ""))


def _response(errors: list[str], response: Response) -> None:
    if response.status >= 400:
        errors.append(f"HTTP {response.status}: {response.url}")


def _request_failed(errors: list[str], request: Request) -> None:
    failure = request.failure or "failed"
    if "ERR_BLOCKED_BY_CLIENT" not in failure:  # already reported by _route
        errors.append(f"request failed: {request.url} ({failure})")


class _Driver:
    """One Playwright driver per process, shared by nested `browser()` blocks.

    Playwright's sync API allows one running instance per thread: a second `sync_playwright()`
    while one is open fails ("Sync API inside the asyncio loop"), so a test holding a
    module-wide browser could not call `axe_violations`. The driver is counted and stopped
    when the last block ends.
    """

    playwright: Any = None
    users = 0

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[Any]:
        if cls.users == 0:
            sync_api = _tools.python_module("playwright.sync_api", "playwright")
            cls.playwright = sync_api.sync_playwright().start()
        cls.users += 1
        try:
            yield cls.playwright
        finally:
            cls.users -= 1
            if cls.users == 0:
                cls.playwright.stop()
                cls.playwright = None


@contextmanager
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium for many pages; skips when Chromium or playwright is missing."""
    executable = _tools.chromium()
    with _Driver.running() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_FLAGS))
        try:
            yield Browser(chromium)
        finally:
            chromium.close()


def site_search(chromium: Browser, base: str, query: str) -> list[str]:
    """The headlines the built site's search page (``search.js`` over Pagefind) lists for
    ``query``, in its order; fails on any console error or failed request."""
    with chromium.visit(f"{base}/search/?q={quote(query)}") as visit:
        visit.page.wait_for_function("document.getElementById('search-status').textContent.length > 0",
                                     timeout=NAVIGATION_TIMEOUT_MS)  # fmt: skip
        titles: list[str] = visit.page.eval_on_selector_all(
            "#search-results h2 a", "links => links.map(a => a.textContent)"
        )
        assert visit.errors == [], visit.errors
        return titles


def axe_violations(url: str, *, impacts: Sequence[str] | None = DEFAULT_IMPACTS) -> list[dict[str, Any]]:
    """axe-core on one page in a browser of its own (use `browser().axe` for many pages)."""
    with browser() as chromium:
        return chromium.axe(url, impacts=impacts)


def describe_violations(violations: Sequence[dict[str, Any]]) -> str:
    """One line per violation and node, for an assertion message."""
    return "\n".join(
        f"{v['url']}: {v['impact']} {v['id']}: {v['help']} at {node['target']}: {node['html'][:120]}"
        for v in violations
        for node in v["nodes"]
    )


# ---------------------------------------------------------------- a static HTTP server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser that drops a connection half way is not a test failure


@contextmanager
def serve_directory(path: Path) -> Iterator[str]:
    """Serve `path` over HTTP on 127.0.0.1 at a free port; yields the base URL, no trailing slash."""
    root = Path(path)
    if not root.is_dir():
        raise NotADirectoryError(root)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
