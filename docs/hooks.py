"""MkDocs hook: the build fails when a generated page or picture no longer matches the app."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

HERE = Path(__file__).parent


def on_pre_build(config: Any) -> None:
    screenshots = runpy.run_path(str(HERE / "generate_screenshots.py"))["stale"]()
    if screenshots:
        raise PluginError(f"stale screenshots {', '.join(screenshots)}: run python docs/generate_screenshots.py")
    site_screenshots = runpy.run_path(str(HERE / "generate_site_screenshots.py"))["stale"]()
    if site_screenshots:
        raise PluginError(
            f"stale site screenshots {', '.join(site_screenshots)}: run python docs/generate_site_screenshots.py"
        )
    if runpy.run_path(str(HERE / "generate_field_table.py"))["stale"]():
        raise PluginError("docs/scripting.md's field table is stale: run python docs/generate_field_table.py")
    if stale_tables := runpy.run_path(str(HERE / "generate_format_tables.py"))["stale"]():
        raise PluginError(f"stale tables in {', '.join(stale_tables)}: run python docs/generate_format_tables.py")
