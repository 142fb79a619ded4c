"""Groups of command-line options declared once and added to many commands.

``@options(group)`` adds a group's options to a command's signature (Typer reads the signature)
and hands the command one object instead of a dozen arguments. The filters of ``list``,
``search``, ``export`` and ``stats`` are one group; the article fields of ``new`` and ``edit``
are groups made from ``schema.FIELDS``, so a new field gets its option without touching either
command.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class OptionGroup:
    """Options (as keyword-only parameters) and how to turn their values into one object."""

    name: str  # the command's parameter that receives the object
    parameters: tuple[inspect.Parameter, ...]
    build: Callable[[dict[str, Any]], Any]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(parameter.name for parameter in self.parameters)


def option(name: str, annotation: Any, info: Any, default: Any = None) -> inspect.Parameter:
    """One keyword-only parameter ``name: Annotated[annotation, info] = default``."""
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[annotation, info]
    )


def options(*groups: OptionGroup) -> Callable[[F], F]:
    """Add the groups' options to a command; it receives each group as one argument."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        taken = {group.name for group in groups}
        own = [p for p in signature.parameters.values() if p.name not in taken]
        positional = [p for p in own if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        keyword = [p for p in own if p.kind is inspect.Parameter.KEYWORD_ONLY]
        added = [parameter for group in groups for parameter in group.parameters]

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for group in groups:
                kwargs[group.name] = group.build({name: kwargs.pop(name) for name in group.names})
            return command(*args, **kwargs)

        parameters = [*positional, *added, *keyword]
        setattr(wrapper, "__signature__", signature.replace(parameters=parameters))  # noqa: B010 (no such attribute in the type)
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        del wrapper.__wrapped__  # Typer must read the new signature, not the command's own
        return cast(F, wrapper)

    return decorate
