"""The site's screenshots in docs/site.md are what the site looks like now.

docs/generate_site_screenshots.py renders the demo site's front page, a section and an article at
1280 and 390 px and compares, for each picture, the visible elements' text and boxes with what
it recorded when it took the pictures (docs/screenshots/site-layout.json): a changed template,
stylesheet or word makes the pictures stale; a new Chromium's anti-aliasing does not.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

from tests.checkers import _tools

pytestmark = pytest.mark.slow
DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_site_screenshots_are_current() -> None:
    _tools.chromium()
    _tools.python_module("playwright.sync_api", "playwright")
    script = runpy.run_path(str(DOCS / "generate_site_screenshots.py"))
    assert script["stale"]() == [], "run: python docs/generate_site_screenshots.py"


def test_the_staleness_check_sees_a_moved_box_and_new_words() -> None:
    script = runpy.run_path(str(DOCS / "generate_site_screenshots.py"))
    saved = json.loads((DOCS / "screenshots" / "site-layout.json").read_text(encoding="utf-8"))
    assert set(saved) == {f"site-{page}-{width}" for page in ("home", "section", "article") for width in (1280, 390)}
    for name in saved:
        assert (DOCS / "screenshots" / f"{name}.png").is_file()
        assert f"screenshots/{name}.png" in (DOCS / "site.md").read_text(encoding="utf-8")
    assert script["differences"](saved, saved) == []
    name = "site-home-1280"
    moved = {**saved, name: [[*row[:2], row[2], row[3] + 40, *row[4:]] for row in saved[name]]}
    assert script["differences"](saved, moved) == [name]
    reworded = {**saved, name: [[row[0], row[1] + " (changed)", *row[2:]] for row in saved[name]]}
    assert script["differences"](saved, reworded) == [name]
    nudged = {**saved, name: [[*row[:2], row[2] + 3, *row[3:]] for row in saved[name]]}
    assert script["differences"](saved, nudged) == []
