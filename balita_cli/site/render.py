"""The Jinja2 environment: the site's own template folder first, then the shipped templates."""

from __future__ import annotations

import traceback
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, TemplateError

from balita_cli.errors import InvalidInput
from balita_cli.words import words_for

STATIC_FILES = ("style.css", "search.js")


def make_environment(template_dir: Path | None) -> Environment:
    loaders: list[Any] = []
    if template_dir is not None and template_dir.is_dir():
        loaders.append(FileSystemLoader(template_dir))
    loaders.append(PackageLoader("balita_cli.site", "templates"))
    environment = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        # A typo in a template fails the build instead of printing nothing.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals["words_for"] = words_for
    return environment


def render(environment: Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return environment.get_template(name).render(context)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise InvalidInput(f"template {name}{where}: {exc.message or exc}") from exc
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        # What an expression of a site's own template can raise ({{ x // 0 }}, {{ "a" | int(…) }}):
        # one line naming the template and its line, as for a template error.
        line = _template_line(exc)
        where = f" (line {line})" if line else ""
        raise InvalidInput(f"template {name}{where}: {type(exc).__name__}: {exc}") from None


def _template_line(exc: BaseException) -> int | None:
    """The line of the template where ``exc`` was raised (Jinja maps its frames to template lines)."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename.endswith(".html")]
    return lines[-1] if lines else None


def static_file(name: str, template_dir: Path | None) -> bytes:
    """A shipped asset, or the site's own copy in ``<template_dir>/static/``."""
    if template_dir is not None:
        override = template_dir / "static" / name
        if override.is_file():
            return override.read_bytes()
    return resources.files("balita_cli.site").joinpath("static", name).read_bytes()
