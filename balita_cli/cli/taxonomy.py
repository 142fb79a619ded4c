"""tag, section and author: assign tags to articles and manage the three vocabularies."""

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.articles import confirm_or_abort, split_names
from balita_cli.cli.options import ArticleRef
from balita_cli.cli.output import ListFormat, write_records
from balita_cli.cli.state import state

Article = ArticleRef
Names = Annotated[list[str], typer.Argument(help="Tag names (created if new).", show_default=False)]
FormatOpt = Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")]
TERM_FIELDS = ("id", "name", "slug", "articles")


def _kind(name: str) -> Any:
    from balita_cli.models import Author, Section, Tag

    return {"tag": Tag, "section": Section, "author": Author}[name]


def _retag(ref: str, *, add: Sequence[str] = (), remove: Sequence[str] = (), replace: list[str] | None = None) -> None:
    from balita_cli.services import articles
    from balita_cli.services.articles import ArticleChanges

    app_state = state()
    changes = ArticleChanges(add_tags=split_names(list(add)), remove_tags=split_names(list(remove)),
                             tags=split_names(replace) if replace is not None else None)  # fmt: skip
    who = app_state.who

    def retag(session: Any) -> Any:
        current = articles.resolve(session, ref)
        return articles.update(session, current.id, changes, who=who, note="tags changed")  # type: ignore[arg-type]

    article = app_state.write(retag)
    names = [tag.name for tag in article.tags]
    console.info(f"Article {article.id} tags: {', '.join(names) or '(none)'}")


def tag_add(article: Article, names: Names) -> None:
    """Add tags to an article.  Example: balita tag add 12 Senate "West Philippine Sea" """
    _retag(article, add=names)


def tag_remove(article: Article, names: Names) -> None:
    """Remove tags from an article.  Example: balita tag remove 12 Senate"""
    _retag(article, remove=names)


def tag_set(
    article: Article,
    names: Annotated[
        list[str] | None, typer.Argument(help="The complete tag list (none clears).", show_default=False)
    ] = None,
) -> None:
    """Replace an article's tags.  Example: balita tag set 12 Budget Senate"""
    _retag(article, replace=names or [])


def make_vocabulary_app(kind_name: str, plural: str) -> typer.Typer:
    """list/add/rename/merge/delete, the same for tags, sections and authors."""
    sub = typer.Typer(no_args_is_help=True, help=f"Manage {plural}.")

    @sub.command("list")
    def list_terms(output_format: FormatOpt = ListFormat.TABLE) -> None:
        from balita_cli.services import taxonomy

        with state().session() as session:
            rows = taxonomy.usage_counts(session, _kind(kind_name))
            records = [{"id": t.id, "name": t.name, "slug": t.slug, "articles": n} for t, n in rows]
        write_records(records, output_format, TERM_FIELDS)

    list_terms.__doc__ = (
        f"List {plural} with the number of articles using each.\n\n    Example: balita {kind_name} list --format csv"
    )

    @sub.command("rename")
    def rename(
        old: Annotated[str, typer.Argument(help="Current name, slug or id.", show_default=False)],
        new: Annotated[str, typer.Argument(help="New name.", show_default=False)],
    ) -> None:
        from balita_cli.services import taxonomy

        term = state().write(lambda session: taxonomy.rename(session, _kind(kind_name), old, new))
        console.info(f"Renamed {kind_name} to {term.name} ({term.slug})")

    rename.__doc__ = (
        f"Rename a {kind_name}; its articles follow.\n\n    Example: balita {kind_name} rename manila Maynila"
    )

    @sub.command("merge")
    def merge(
        sources: Annotated[list[str], typer.Argument(help=f"{plural.title()} to fold in.", show_default=False)],
        into: Annotated[str, typer.Option("--into", help=f"The {kind_name} that remains.")],
    ) -> None:
        from balita_cli.services import taxonomy

        target, moved = state().write(lambda session: taxonomy.merge(session, _kind(kind_name), sources, into))
        console.info(f"Merged into {target.name}: {moved} article link(s) moved")

    merge.__doc__ = (
        f"Merge {plural} into one; articles keep a single link.  "
        f"Example: balita {kind_name} merge manila Maynila --into Manila"
    )

    @sub.command("delete")
    def delete(
        names: Annotated[list[str], typer.Argument(help="Names, slugs or ids.", show_default=False)],
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    ) -> None:
        from balita_cli.services import taxonomy

        confirm_or_abort(f"Delete {kind_name}(s) {', '.join(names)}? Articles keep existing.", yes)
        removed = state().write(lambda session: [taxonomy.remove(session, _kind(kind_name), name) for name in names])
        for term, used in removed:  # reported once everything is committed
            console.info(f"Deleted {kind_name} {term.name} (was on {used} article(s))")

    delete.__doc__ = (
        f"Delete {plural}; the articles stay, without them.\n\n    Example: balita {kind_name} delete obsolete --yes"
    )
    return sub


def _add_command(sub: typer.Typer, kind_name: str) -> None:
    @sub.command("add")
    def add(
        name: Annotated[str, typer.Argument(help="Display name.", show_default=False)],
        description: Annotated[str, typer.Option(help="Description (sections) or bio (authors).")] = "",
        email: Annotated[str, typer.Option(help="Contact address (authors).")] = "",
    ) -> None:
        from balita_cli.services import taxonomy

        extra: dict[str, str] = {}
        if kind_name == "section" and description:
            extra["description"] = description
        if kind_name == "author":
            extra.update({k: v for k, v in {"bio": description, "email": email}.items() if v})
        term = state().write(lambda session: taxonomy.create(session, _kind(kind_name), name, **extra))
        console.info(f"Created {kind_name} {term.name} ({term.slug})")

    add.__doc__ = f'Create a {kind_name}.  Example: balita {kind_name} add "Ekonomiya"'


def register(app: typer.Typer) -> None:
    tags = make_vocabulary_app("tag", "tags")
    tags.command("add")(tag_add)
    tags.command("remove")(tag_remove)
    tags.command("set")(tag_set)
    app.add_typer(tags, name="tag", help="Tag articles, and list, rename, merge or delete tags.")
    for kind_name, plural in (("section", "sections"), ("author", "authors")):
        sub = make_vocabulary_app(kind_name, plural)
        _add_command(sub, kind_name)
        app.add_typer(sub, name=kind_name, help=f"List, add, rename, merge or delete {plural}.")
