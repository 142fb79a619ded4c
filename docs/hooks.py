"""MkDocs hook: the build fails when the screenshots no longer match what balita prints."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError


def on_pre_build(config: Any) -> None:
    generator = runpy.run_path(str(Path(__file__).with_name("generate_screenshots.py")))
    stale = generator["stale"]()
    if stale:
        raise PluginError(f"stale screenshots {', '.join(stale)}: run python docs/generate_screenshots.py")
