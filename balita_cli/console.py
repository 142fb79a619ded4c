"""The only module that imports rich: ``out`` (stdout, data and what a person reads) and ``err``.

Rich itself is imported when the first console is made, not with this module: `balita --help`
and `--version` print nothing through it and should not pay for loading it.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

STYLES = {
    "error": "bold red",
    "warning": "yellow",
    "ok": "green",
    "muted": "dim",
    "status.draft": "yellow",
    "status.review": "magenta",
    "status.scheduled": "cyan",
    "status.published": "green",
    "status.archived": "dim",
    "status.retracted": "bold red",
    "mark": "bold black on yellow",
}
_settings: dict[str, bool] = {"no_color": False, "quiet": False, "no_pager": False}
# A console that stands in for stdout (``capture``): the docs' screenshots are drawn on one.
_captured: list[Console] = []
# Control characters (ESC starts terminal escape sequences: colours, hyperlinks, clipboard
# writes) never reach the terminal from data; newlines and tabs stay.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain_text(text: str) -> str:
    """Text safe to print: control characters shown as U+FFFD instead of acting on the terminal."""
    return _CONTROL.sub("\ufffd", text)


def counted(number: int, noun: str) -> str:
    """ "1 article", "5 articles": a count in words a person reads."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def configure(*, no_color: bool, quiet: bool, no_pager: bool = False) -> None:
    _settings["no_color"] = no_color or "NO_COLOR" in os.environ
    _settings["quiet"] = quiet
    _settings["no_pager"] = no_pager
    _stdout.cache_clear()
    err.cache_clear()


def _width() -> int | None:
    value = os.environ.get("BALITA_WIDTH")
    return int(value) if value and value.isdigit() else None


def _console(**options: Any) -> Console:
    from rich.console import Console  # here: Rich loads only when something is shown
    from rich.theme import Theme

    settings: dict[str, Any] = {"no_color": _settings["no_color"], "width": _width(), "highlight": False, **options}
    return Console(theme=Theme(STYLES), **settings)


def out() -> Console:
    return _captured[-1] if _captured else _stdout()


@cache
def _stdout() -> Console:
    return _console()


@contextmanager
def capture(stand_in: Console) -> Iterator[Console]:
    """Print what would go to stdout on ``stand_in`` instead (it counts as a terminal)."""
    _captured.append(stand_in)
    try:
        yield stand_in
    finally:
        _captured.remove(stand_in)


def make_console(**options: Any) -> Console:
    """A console with balita's styles, e.g. ``make_console(record=True, force_terminal=True)``."""
    return _console(**options)


@cache
def err() -> Console:
    return _console(stderr=True)


def stdout_is_terminal() -> bool:
    return bool(_captured) or sys.stdout.isatty()


def _stderr_is_plain() -> bool:
    """stderr is a file or pipe (cron's mail, a log) that Rich would not style: messages are
    written straight to it, and a command that prints only messages never loads Rich."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE"):
        return False
    try:
        return not sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one: let Rich decide
        return False


def _message(label: str, style: str, message: str) -> None:
    text = plain_text(message)
    if _stderr_is_plain():
        sys.stderr.write(f"{label}: {text}\n" if label else f"{text}\n")
        sys.stderr.flush()
    elif label:
        err().print(f"[{style}]{label}:[/{style}] {escape(text)}", soft_wrap=True)
    else:
        err().print(text, soft_wrap=True, markup=False)


def error(message: str) -> None:
    """One line on stderr, never wrapped, never styled into the text itself."""
    _message("error", "error", message)


def warn(message: str) -> None:
    _message("warning", "warning", message)


def info(message: str) -> None:
    """A message for the person at the terminal; silenced by --quiet."""
    if not _settings["quiet"]:
        _message("", "", message)


def escape(text: str) -> str:
    """Data made safe for Rich markup and for the terminal."""
    from rich.markup import escape as rich_escape  # here: Rich loads only when something is shown

    return rich_escape(plain_text(text))


WIDE_COLUMNS = frozenset({"title", "snippet", "summary", "subtitle", "url", "source_url", "body"})


MIN_WIDE = 20  # a title keeps at least this many characters however narrow the terminal
# Columns given up, in this order, when the terminal is too narrow for them and a readable title.
DROP_FIRST = ("updated_at", "created_at", "source_name", "section", "published_at", "scheduled_at", "status")
WRAPPING_COLUMNS = frozenset({"note"})  # read whole: a history note is cut nowhere


def fitting_columns(
    columns: list[str], natural: list[int], width: int, drop_first: tuple[str, ...] = DROP_FIRST
) -> list[int]:
    """Indexes of the columns to show: short ones dropped (``drop_first``) until the wide ones
    fit, or, in a table with none, until the others do (a wrapping column takes what is left)."""
    kept = list(range(len(columns)))

    def room() -> int:
        narrow = sum(natural[i] + 3 for i in kept if columns[i] not in WIDE_COLUMNS | WRAPPING_COLUMNS)
        wide = sum(1 for i in kept if columns[i] in WIDE_COLUMNS)
        if not wide:
            return MIN_WIDE if narrow + 1 <= width else 0
        return (width - narrow - 1) // wide - 3

    for name in drop_first:
        if room() >= MIN_WIDE:
            break
        kept = [i for i in kept if columns[i] != name]
    return kept


def fits(columns: list[str], rows: list[list[str]]) -> bool:
    """Whether the table is narrow enough for the terminal with no cell cut."""
    natural = [max([len(name), *(len(row[index]) for row in rows)]) for index, name in enumerate(columns)]
    return sum(width + 3 for width in natural) + 1 <= out().width


def print_table(
    columns: list[str],
    rows: list[list[str]],
    *,
    styles: dict[str, str] | None = None,
    title: str = "",
    drop_first: tuple[str, ...] = DROP_FIRST,
) -> None:
    """A table that fits the terminal: long cells end in an ellipsis instead of wrapping, and on a
    narrow terminal the least needed columns (``drop_first``) go before the title is cut below
    MIN_WIDE."""
    from rich.table import Table  # here: Rich loads only when something is shown

    table = Table(title=title or None, header_style="bold", expand=False)
    natural = [min(max([len(name), *(len(row[index]) for row in rows)]), 32) for index, name in enumerate(columns)]
    kept = fitting_columns(columns, natural, out().width, drop_first)
    wide = sum(1 for i in kept if columns[i] in WIDE_COLUMNS)
    narrow_total = sum(natural[i] + 3 for i in kept if columns[i] not in WIDE_COLUMNS)
    share = max(MIN_WIDE, (out().width - narrow_total - 1) // max(1, wide) - 3)
    for i in kept:
        name, is_wide = columns[i], columns[i] in WIDE_COLUMNS
        if name in WRAPPING_COLUMNS:
            table.add_column(name, overflow="fold")
            continue
        table.add_column(
            name,
            overflow="ellipsis",
            no_wrap=True,
            min_width=None if is_wide else natural[i],
            max_width=share if is_wide else None,
        )
    for row in rows:
        table.add_row(*(_styled(columns[i], row[i], styles) for i in kept))
    out().print(table)


def _styled(column: str, value: str, styles: dict[str, str] | None) -> str:
    text = escape(value)
    if column == "status":
        return f"[status.{value}]{text}[/]" if value else text
    if column == "snippet":
        return (
            text.replace("&lt;mark&gt;", "[mark]")
            .replace("<mark>", "[mark]")
            .replace("&lt;/mark&gt;", "[/mark]")
            .replace("</mark>", "[/mark]")
            .replace("\\[/mark]", "[/mark]")
        )
    style = (styles or {}).get(column)
    return f"[{style}]{text}[/]" if style else text


def print_markdown(text: str) -> None:
    from rich.markdown import Markdown  # here: Rich loads only when something is shown

    out().print(Markdown(plain_text(text)))


def print_heading(title: str, subtitle: str = "") -> None:
    out().print(f"[bold]{escape(title)}[/bold]", soft_wrap=True)
    if subtitle:
        out().print(f"[italic]{escape(subtitle)}[/italic]", soft_wrap=True)


def print_fields(pairs: list[tuple[str, str]]) -> None:
    """Label: value lines, labels dimmed, empty values skipped."""
    from rich.table import Table  # here: Rich loads only when something is shown

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="muted", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in pairs:
        if value:
            grid.add_row(label, _styled(label, value, None) if label == "status" else escape(value))
    out().print(grid)


def print_notice(title: str, text: str, style: str = "warning") -> None:
    from rich.panel import Panel  # here: Rich loads only when something is shown

    out().print(Panel(escape(text), title=title, border_style=style, title_align="left"))


def print_line(text: str) -> None:
    """Plain text on stdout, as is: tabs stay tabs, nothing is wrapped or styled."""
    if _captured:
        out().print(plain_text(text), markup=False, highlight=False, soft_wrap=True)
        return
    sys.stdout.write(plain_text(text) + "\n")
    sys.stdout.flush()


def print_wrapped(text: str) -> None:
    """Text for a person on stdout, wrapped between words to the terminal's width."""
    out().print(plain_text(text), markup=False, highlight=False)


def ask(question: str, *, choices: list[str] | None = None, strict: bool = True) -> str:
    """Ask on the terminal (prompts go to stderr). ``choices`` are offered; with ``strict``
    an answer outside them is still accepted when new, as a new section or tag is allowed."""
    from rich.prompt import Prompt  # here: Rich loads only when something is shown

    if choices:
        err().print(f"[muted]{'Known' if strict else 'Popular'}: {escape(', '.join(choices))}[/muted]", soft_wrap=True)
    return str(Prompt.ask(question, console=err(), default="", show_default=False)).strip()


def confirm(question: str) -> bool:
    from rich.prompt import Confirm  # here: Rich loads only when something is shown

    return bool(Confirm.ask(question, console=err(), default=False))


@contextmanager
def progress(
    total: int | None | Callable[[], int | None], description: str, *, enabled: bool = True
) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr while a long job runs; a no-op unless stderr is a terminal.

    Yields ``advance(n)``. ``total`` None is a job of unknown length; a function giving it is
    called only when the bar is shown (counting an import's records reads its files once more).
    Data on stdout is never touched, and --quiet silences the bar.
    """
    # A dumb terminal (TERM=dumb: Emacs' shell, some CI logs) cannot redraw a line: no bar there.
    if not enabled or _settings["quiet"] or not sys.stderr.isatty() or err().is_dumb_terminal:
        yield lambda _steps: None
        return
    # here: Rich loads only when something is shown
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err(), transient=True) as bar:
        task = bar.add_task(description, total=total() if callable(total) else total)
        yield lambda steps: bar.advance(task, steps)


SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """One character per value, scaled to the largest: a month of publishing at a glance."""
    top = max(values, default=0)
    if top == 0:
        return SPARK_BLOCKS[0] * len(values)
    return "".join(SPARK_BLOCKS[round(value / top * (len(SPARK_BLOCKS) - 1))] for value in values)


def print_bar_chart(title: str, items: list[tuple[str, int]], *, limit: int = 12) -> None:
    """A horizontal bar per item, longest first, sized to the terminal."""
    from rich.table import Table  # here: Rich loads only when something is shown

    shown = items[:limit]
    top = max((count for _, count in shown), default=0)
    label_width = max((len(label) for label, _ in shown), default=0)
    bar_room = max(10, out().width - min(label_width, 30) - 14)
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    for label, count in shown:
        length = round(count / top * bar_room) if top else 0
        table.add_row(escape(label), str(count), f"[cyan]{'█' * length}[/cyan]")
    out().print(f"[bold underline]{escape(title)}[/]")
    out().print(table)
    if len(items) > limit:
        out().print(f"[muted]… and {len(items) - limit} more[/muted]")
    out().print()


def print_hit(rank: int, title: str, details: str, snippet: str) -> None:
    """One search result: the headline, where it stands, and the words found in context."""
    from rich.padding import Padding  # here: Rich loads only when something is shown

    out().print(f"[bold]{rank:>2}. {escape(title)}[/bold]", no_wrap=True, overflow="ellipsis")
    out().print(Padding(f"[muted]{escape(details)}[/muted]", (0, 0, 0, 4)))
    out().print(Padding(_styled("snippet", " ".join(snippet.split()), None), (0, 0, 0, 4)))
    out().print()


PAGER_ENV = "BALITA_PAGER"


@contextmanager
def paged() -> Iterator[None]:
    """What is printed inside goes through a pager when it is for a person at a terminal, as git
    and gh do: $BALITA_PAGER, else $PAGER, else ``less`` (with LESS=FRX: it quits at once when
    everything fits on one screen, and keeps the colours). Never into a pipe, never with
    --no-pager, and not at all when the pager is "cat" or empty."""
    command = os.environ.get(PAGER_ENV, os.environ.get("PAGER", "less"))
    if _captured or _settings["no_pager"] or not sys.stdout.isatty() or command.strip() in {"", "cat"}:
        yield
        return
    with out().pager(pager=_command_pager(command), styles=True):
        yield


def _command_pager(command: str) -> Any:
    from rich.pager import Pager  # here: Rich loads only when something is shown

    class CommandPager(Pager):
        """Hands Rich's captured output to the pager command; prints it plainly if that cannot run."""

        def show(self, content: str) -> None:
            _run_pager(command, content)

    return CommandPager()


def _run_pager(command: str, content: str) -> None:
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LV": os.environ.get("LV", "-c")}
    try:
        subprocess.run(shlex.split(command), input=content, text=True, env=env, check=False)
    except (OSError, ValueError):
        sys.stdout.write(content)
