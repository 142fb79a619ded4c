"""The article's field options of ``new`` and ``edit``, made from ``schema.FIELDS``.

Every field with a ``flag`` gets an option of the type its kind needs; ``new`` reads them into
an ``ArticleInput``, ``edit`` into the service's ``ArticleChanges``. A field added to the schema
with a flag appears in both commands, their help and the CLI reference without another edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import typer

from balita_cli.cli.completion import complete_author, complete_section, complete_tag
from balita_cli.cli.params import OptionGroup, option
from balita_cli.schema import FIELDS, Field, Kind

COMPLETIONS = {"section": complete_section, "tags": complete_tag, "authors": complete_author}
SUFFIX = {
    Kind.NAMES: " Repeatable or comma-separated.",
    Kind.TIME: " Site time zone; '' clears it.",
    Kind.NAME: " Created if new.",
}


def split_names(values: list[str] | None) -> list[str]:
    """Repeatable options also accept comma-separated lists: --tag "Manila, Senate"."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class FieldValues:
    """The field options given on the command line (None: not given)."""

    values: dict[str, Any]

    def given(self) -> dict[str, Any]:
        """Field name -> value for every option given, lists split, times still as text."""
        found = {}
        for spec in FLAGGED:
            value = self.values.get(spec.name)
            if value is None:
                continue
            found[spec.name] = split_names(value) if spec.kind is Kind.NAMES else value
        return found


FLAGGED = tuple(spec for spec in FIELDS if spec.flag)


METAVARS = {
    Kind.NAMES: "NAME",
    Kind.NAME: "NAME",
    Kind.TIME: "TIME",
    Kind.URL: "URL",
    Kind.SLUG: "SLUG",
    Kind.LANGUAGE: "LANG",
}


def _annotation(spec: Field, *, editing: bool) -> Any:
    if spec.kind is Kind.NAMES:
        return list[str] | None
    if spec.kind is Kind.BOOL:
        return bool | None if editing else bool
    return str | None


def _info(spec: Field, *, editing: bool) -> Any:
    declarations: tuple[str, ...] = (spec.flag or "",)
    if spec.kind is Kind.BOOL and editing:
        declarations = (f"{spec.flag}/--not-{(spec.flag or '').removeprefix('--')}",)
    if spec.kind is Kind.NAMES:
        short = {"tags": "-t", "authors": "-a"}.get(spec.name)
        declarations += (short,) if short else ()
    help_text = (spec.option_help or spec.help) + SUFFIX.get(spec.kind, "")
    if editing and spec.name == "section":
        help_text = "Move to this section ('' removes it). Created if new."
    if editing and spec.name == "authors":
        help_text = "Replace the byline, in order. Repeatable or comma-separated."
    metavar = None if spec.kind is Kind.BOOL else METAVARS.get(spec.kind, "TEXT")
    return typer.Option(
        *declarations, help=help_text, show_default=False, metavar=metavar, autocompletion=COMPLETIONS.get(spec.name)
    )


def field_group(*, editing: bool) -> OptionGroup:
    """The options of every flagged field. ``new`` takes the title as its argument; ``edit``
    handles tags with three options of its own (set, add, remove)."""
    specs = [spec for spec in FLAGGED if spec.name != ("tags" if editing else "title")]
    parameters = tuple(
        option(
            spec.name,
            _annotation(spec, editing=editing),
            _info(spec, editing=editing),
            default=False if spec.kind is Kind.BOOL and not editing else None,
        )
        for spec in specs
    )
    return OptionGroup("fields", parameters, FieldValues)


NEW_FIELDS = field_group(editing=False)
EDIT_FIELDS = field_group(editing=True)
