"""tag, section and author: assign tags to articles and manage the three vocabularies."""

# No "from __future__ import annotations": the commands are made in functions, and Typer reads
# their annotations, which name the local values (help texts) they were made with.

from collections.abc import Callable
from typing import Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.completion import complete_tag
from balita_cli.cli.fields import split_names
from balita_cli.cli.options import ArticleRef, ListFormat, ListFormatOpt, YesOpt
from balita_cli.cli.output import confirm_or_abort, write_records
from balita_cli.cli.state import app

TERM_REF_HELP = "Name or slug (#12 for the id)."
TermRef = Annotated[str, typer.Argument(metavar="NAME", help=TERM_REF_HELP, show_default=False)]
NameArg = Annotated[str, typer.Argument(metavar="NAME", help="Display name.", show_default=False)]
NewName = Annotated[str, typer.Argument(metavar="NEW", help="New name.", show_default=False)]
ARTICLE_WORDS = {"tag": ("a tag", "tags"), "section": ("a section", "sections"), "author": ("an author", "authors")}


def _kind(name: str) -> Any:
    from balita_cli.services.taxonomy import KINDS  # here: --help imports every command module

    return KINDS[name]


def _retag(ctx: typer.Context, ref: str, **change: Any) -> None:
    from balita_cli.services import articles  # here: --help imports every command module
    from balita_cli.services.articles import ArticleChanges

    state = app(ctx)
    changes = ArticleChanges(**change)
    who = state.who

    def retag(session: Any) -> list[str]:
        article_id = articles.resolve(session, ref)
        articles.update(session, article_id, changes, who=who, note="tags changed")
        return [str(article_id), *articles.current(session, article_id)["tags"]]

    article_id, *names = state.write(retag)
    console.info(f"Article {article_id} tags: {', '.join(names) or '(none)'}")


def tag_add(
    ctx: typer.Context,
    article: ArticleRef,
    names: Annotated[
        list[str],
        typer.Argument(
            metavar="NAME...", help="Tags to add (created if new).", show_default=False, autocompletion=complete_tag
        ),
    ],
) -> None:
    """Add tags to an article.  Example: balita tag add 12 Senate "West Philippine Sea" """
    _retag(ctx, article, add_tags=split_names(names))


def tag_remove(
    ctx: typer.Context,
    article: ArticleRef,
    names: Annotated[
        list[str],
        typer.Argument(metavar="NAME...", help="Tags to take off.", show_default=False, autocompletion=complete_tag),
    ],
) -> None:
    """Remove tags from an article.  Example: balita tag remove 12 Senate"""
    _retag(ctx, article, remove_tags=split_names(names))


def tag_set(
    ctx: typer.Context,
    article: ArticleRef,
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[NAME...]",
            help="The complete tag list (none clears it).",
            show_default=False,
            autocompletion=complete_tag,
        ),
    ] = None,
) -> None:
    """Replace an article's tags.  Example: balita tag set 12 Budget Senate"""
    _retag(ctx, article, tags=split_names(names or []))


def _command(sub: typer.Typer, name: str, doc: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(function: Callable[..., None]) -> Callable[..., None]:
        function.__doc__ = doc
        sub.command(name)(function)
        return function

    return register


def make_vocabulary_app(kind_name: str) -> typer.Typer:
    """list/add/rename/merge/delete, the same for tags, sections and authors."""
    one, plural = ARTICLE_WORDS[kind_name]
    sub = typer.Typer(no_args_is_help=True, help=f"Manage {plural}.")

    @_command(
        sub,
        "list",
        f"List {plural} with the number of articles using each.\n\n    Example: balita {kind_name} list --format csv",
    )
    def list_terms(ctx: typer.Context, output_format: ListFormatOpt = ListFormat.TABLE) -> None:
        from balita_cli.services import terms  # here: --help imports every command module

        state = app(ctx)
        with state.reading() as db:
            records = terms.usage(db, kind_name)
        write_records(records, output_format, terms.TERM_FIELDS, state.settings.site)

    @_command(
        sub, "rename", f"Rename {one}; its articles follow.\n\n    Example: balita {kind_name} rename manila Maynila"
    )
    def rename(ctx: typer.Context, old: TermRef, new: NewName) -> None:
        from balita_cli.services import taxonomy  # here: --help imports every command module

        term = app(ctx).write(lambda session: taxonomy.rename(session, _kind(kind_name), old, new))
        console.info(f"Renamed {kind_name} to {term.name} ({term.slug})")

    @_command(
        sub,
        "merge",
        f"Merge {plural} into one; articles keep a single link.\n\n"
        f"    Example: balita {kind_name} merge manila Maynila --into Manila",
    )
    def merge(
        ctx: typer.Context,
        sources: Annotated[
            list[str], typer.Argument(metavar="NAME...", help=f"{plural.title()} to fold in.", show_default=False)
        ],
        into: Annotated[str, typer.Option("--into", metavar="NAME", help=f"The {kind_name} that remains.")],
    ) -> None:
        from balita_cli.services import taxonomy  # here: --help imports every command module

        target, moved = app(ctx).write(lambda session: taxonomy.merge(session, _kind(kind_name), sources, into))
        console.info(f"Merged into {target.name}: {moved} article link(s) moved")

    @_command(
        sub,
        "delete",
        f"Delete {plural}; the articles stay, without them.\n\n    Example: balita {kind_name} delete obsolete --yes",
    )
    def delete(
        ctx: typer.Context,
        names: Annotated[list[str], typer.Argument(metavar="NAME...", help=TERM_REF_HELP, show_default=False)],
        yes: YesOpt = False,
    ) -> None:
        from balita_cli.services import taxonomy  # here: --help imports every command module

        confirm_or_abort(f"Delete {kind_name}(s) {', '.join(names)}? Articles keep existing.", yes)
        removed = app(ctx).write(lambda session: [taxonomy.remove(session, _kind(kind_name), n) for n in names])
        for term, used in removed:  # reported once everything is committed
            console.info(f"Deleted {kind_name} {term.name} (was on {console.counted(used, 'article')})")

    return sub


def _add_command(sub: typer.Typer, kind_name: str) -> None:
    one = ARTICLE_WORDS[kind_name][0]
    if kind_name == "section":

        @_command(sub, "add", f'Create {one}.  Example: balita section add "Ekonomiya"')
        def add_section(
            ctx: typer.Context,
            name: NameArg,
            description: Annotated[
                str, typer.Option("--description", metavar="TEXT", help="Shown on the section's page.")
            ] = "",
        ) -> None:
            _create(ctx, kind_name, name, {"description": description})

        return

    @_command(sub, "add", f'Create {one}.  Example: balita author add "Ana Reyes" --email ana@example.ph')
    def add_author(
        ctx: typer.Context,
        name: NameArg,
        bio: Annotated[str, typer.Option("--bio", "--description", metavar="TEXT", help="Short biography.")] = "",
        email: Annotated[str, typer.Option("--email", metavar="ADDRESS", help="Contact address.")] = "",
    ) -> None:
        _create(ctx, kind_name, name, {"bio": bio, "email": email})


def _create(ctx: typer.Context, kind_name: str, name: str, extra: dict[str, str]) -> None:
    from balita_cli.services import taxonomy  # here: --help imports every command module

    given = {key: value for key, value in extra.items() if value}
    term = app(ctx).write(lambda session: taxonomy.create(session, _kind(kind_name), name, **given))
    console.info(f"Created {kind_name} {term.name} ({term.slug})")


def register(typer_app: typer.Typer) -> None:
    tags = make_vocabulary_app("tag")
    tags.command("add")(tag_add)
    tags.command("remove")(tag_remove)
    tags.command("set")(tag_set)
    typer_app.add_typer(tags, name="tag", help="Tag articles, and list, rename, merge or delete tags.")
    for kind_name in ("section", "author"):
        sub = make_vocabulary_app(kind_name)
        _add_command(sub, kind_name)
        typer_app.add_typer(sub, name=kind_name, help=f"List, add, rename, merge or delete {kind_name}s.")
