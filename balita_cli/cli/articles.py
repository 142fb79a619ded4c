"""new/create, show, edit, delete and restore: one article at a time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.options import ArticleRef, ArticleRefs
from balita_cli.cli.output import ShowFormat, write_json, write_line
from balita_cli.cli.state import state
from balita_cli.errors import Aborted, Conflict, InvalidInput, UsageError
from balita_cli.workflow import Status

if TYPE_CHECKING:
    from balita_cli.models import Article
    from balita_cli.services.articles import ArticleChanges

Ref = ArticleRef
Refs = ArticleRefs
NoteOpt = Annotated[str, typer.Option("--message", "-m", help="One-line note for the revision history.")]


def read_body_file(path: str) -> str:
    """``-`` reads standard input; anything unreadable is a clear error."""
    try:
        if path == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        return Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"body file {path} is not valid UTF-8 text") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read body file {path}: {exc.strerror or exc}") from None


def body_from(body: str | None, body_file: str | None) -> str | None:
    if body is not None and body_file is not None:
        raise UsageError("give --body or --body-file, not both")
    return read_body_file(body_file) if body_file is not None else body


def split_names(values: list[str] | None) -> list[str]:
    """Repeatable options also accept comma-separated lists: --tag "Manila, Senate"."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def new(
    title: Annotated[
        str | None, typer.Argument(help="Headline. Omit on a terminal to be asked / open $EDITOR.")
    ] = None,
    *,
    body: Annotated[str | None, typer.Option("--body", help="Body text (Markdown).")] = None,
    body_file: Annotated[
        str | None, typer.Option("--body-file", help="Read the body from a file; - reads stdin.")
    ] = None,
    subtitle: Annotated[str, typer.Option(help="Subheading / dek.")] = "",
    summary: Annotated[str, typer.Option(help="Summary; derived from the body when empty.")] = "",
    section: Annotated[str | None, typer.Option(help="Section name, e.g. Politics (created if new).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag (repeatable or comma-separated).")] = None,
    author: Annotated[
        list[str] | None, typer.Option("--author", "-a", help="Byline author, in order (repeatable).")
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language tag: en, fil… (default: the site's).")] = None,
    slug: Annotated[str | None, typer.Option(help="URL slug (default: from the title).")] = None,
    status: Annotated[Status, typer.Option(help="Initial status.")] = Status.DRAFT,
    at: Annotated[
        str | None, typer.Option("--at", help="Publication time for published/scheduled (site time zone).")
    ] = None,
    expires: Annotated[str | None, typer.Option(help="Expiry time: archived by `publish --due` after it.")] = None,
    source_name: Annotated[str, typer.Option(help="Outlet credited: 'Read more on <source>'.")] = "",
    source_url: Annotated[str, typer.Option(help="Link to the original story.")] = "",
    canonical_url: Annotated[str, typer.Option(help="Canonical URL, when it is not ours.")] = "",
    image_url: Annotated[str, typer.Option(help="Featured image URL.")] = "",
    image_alt: Annotated[str, typer.Option(help="Featured image alt text.")] = "",
    image_caption: Annotated[str, typer.Option(help="Featured image caption.")] = "",
    image_credit: Annotated[str, typer.Option(help="Featured image credit.")] = "",
    dateline: Annotated[str, typer.Option(help="Dateline place, e.g. MANILA.")] = "",
    note: Annotated[str, typer.Option("--note", help="Editor's note (never published).")] = "",
    featured: Annotated[bool, typer.Option("--featured", help="Feature on the home page.")] = False,
    edit: Annotated[bool, typer.Option("--edit", "-e", help="Open $EDITOR on a front-matter template.")] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt or open an editor; fail on anything missing.")
    ] = False,
    porcelain: Annotated[bool, typer.Option("--porcelain", help="Print only the new article's id.")] = False,
    output_format: Annotated[
        ShowFormat | None, typer.Option("--format", "-f", help="Print the new article as json.")
    ] = None,
) -> None:
    """Create an article.

    Example: balita new "Senate approves 2027 budget" --section Politics --tag Senate --body-file story.md
    """
    from balita_cli.services.articles import ArticleDraft

    app_state = state()
    site = app_state.settings.site
    zone = site.tz
    text = body_from(body, body_file)
    byline = split_names(author) or ([site.default_author] if site.default_author else [])
    fields: dict[str, Any] = {
        "title": title or "", "subtitle": subtitle, "summary": summary, "section": section or "",
        "tags": split_names(tag), "authors": byline,
        "language": lang or site.language, "source_name": source_name, "source_url": source_url,
        "canonical_url": canonical_url, "image_url": image_url, "image_alt": image_alt,
        "image_caption": image_caption, "image_credit": image_credit, "dateline": dateline,
        "editor_note": note, "featured": featured,
    }  # fmt: skip
    interactive = not no_input and sys.stdin.isatty()
    if title is None and interactive and not edit:
        fields.update(_ask_for_fields(fields))
        edit = text is None
    if edit and not no_input:
        fields, text = _fields_from_editor(fields, text or "")
    if not str(fields.get("title", "")).strip():
        hint = "" if interactive or title is not None else " (give it as the first argument)"
        raise InvalidInput(f"title cannot be empty{hint}")
    draft = ArticleDraft(
        **{k: v for k, v in fields.items() if k not in {"section", "slug", "expires_at"}},
        body=text or "",
        slug=slug or fields.get("slug") or None,
        section=fields.get("section") or None,
        status=status,
        **_initial_times(status, at, expires or fields.get("expires_at") or None, zone),
    )
    from balita_cli.services import articles

    who = app_state.who
    article = app_state.write(lambda session: articles.create(session, draft, who=who))
    _report_created(article, porcelain, output_format)


def _ask_for_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """On a terminal: ask for the headline, section and tags, offering what the newsroom uses."""
    from balita_cli.models import Section, Tag
    from balita_cli.services import taxonomy

    with state().session() as session:
        sections = [term.name for term, _ in taxonomy.usage_counts(session, Section)]
        popular = sorted(taxonomy.usage_counts(session, Tag), key=lambda pair: -pair[1])[:12]
    answers: dict[str, Any] = {"title": console.ask("Title")}
    if not fields["section"]:
        answers["section"] = console.ask("Section", choices=sections)
    if not fields["tags"]:
        tags = console.ask("Tags (comma-separated)", choices=[term.name for term, _ in popular], strict=False)
        answers["tags"] = split_names([tags])
    return answers


def _fields_from_editor(fields: dict[str, Any], body: str) -> tuple[dict[str, Any], str]:
    from balita_cli.cli.editor import edit_text, parse_document, render_document

    template_body = body or "Write the article here, in Markdown."
    edited = edit_text(render_document(fields, template_body))
    parsed, text = parse_document(edited)
    if text.strip() == "Write the article here, in Markdown.":
        text = ""
    return {**fields, **parsed}, text


def _initial_times(status: Status, at: str | None, expires: str | None, zone: Any) -> dict[str, Any]:
    from balita_cli.timeutil import parse_when, utcnow

    when = parse_when(at, zone) if at else None
    times: dict[str, Any] = {"expires_at": parse_when(expires, zone) if expires else None}
    if status is Status.SCHEDULED:
        if when is None or when <= utcnow():
            raise InvalidInput("a scheduled article needs a future time (--at)")
        times["scheduled_at"] = when
    elif status in {Status.PUBLISHED, Status.ARCHIVED, Status.RETRACTED}:
        times["published_at"] = when or utcnow()
    elif when is not None:
        raise UsageError("--at only applies with --status published or scheduled")
    return times


def _report_created(article: Article, porcelain: bool, output_format: ShowFormat | None) -> None:
    if porcelain:
        write_line(str(article.id))
    elif output_format is ShowFormat.JSON:
        write_json(_record(article))
    else:
        console.info(f"Created article {article.id} ({article.status.value}): {article.slug}")


def _record(article: Article) -> dict[str, Any]:
    from balita_cli.records import article_record

    return article_record(article, state().settings.site.base_url)


def show(
    ref: Ref,
    *,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="text for people, json for scripts.")
    ] = ShowFormat.TEXT,
    trash: Annotated[bool, typer.Option("--trash", help="Show an article that is in the trash.")] = False,
) -> None:
    """Show one article.

    Example: balita show senate-approves-2027-budget --format json
    """
    from balita_cli.services import articles

    with state().session() as session:
        article = articles.resolve_loaded(session, ref, trash=trash)
    record = _record(article)
    if output_format is ShowFormat.JSON:
        write_json(record)
    else:
        render_article(record)


def render_article(record: dict[str, Any]) -> None:
    from datetime import datetime

    from balita_cli.timeutil import human

    zone = state().settings.site.tz

    def when(name: str) -> str:
        value = record.get(name)
        return human(datetime.fromisoformat(value), zone) if value else ""

    console.print_heading(record["title"], record["subtitle"])
    console.print_fields([
        ("id", str(record["id"])), ("slug", record["slug"]), ("status", record["status"]),
        ("section", record["section"] or ""), ("tags", ", ".join(record["tags"])),
        ("by", ", ".join(record["authors"])), ("language", record["language"]),
        ("dateline", record["dateline"]), ("published", when("published_at")),
        ("scheduled", when("scheduled_at")), ("expires", when("expires_at")),
        ("updated", f"{when('updated_at')} by {record['updated_by']}" if record["updated_by"] else when("updated_at")),
        ("version", str(record["version"])), ("url", record["url"]),
        ("source", f"{record['source_name']} {record['source_url']}".strip()),
        ("image", record["image_url"]), ("editor's note", record["editor_note"]),
    ])  # fmt: skip
    if record["status"] == "retracted":
        console.print_notice("Retracted", record["retraction_reason"] or "This story was retracted.", "error")
    console.print_line("")
    if record["summary"]:
        console.print_markdown(f"*{record['summary']}*")
        console.print_line("")
    console.print_markdown(record["body"] or "_(no body yet)_")
    for correction in record["corrections"]:
        label = "Correction" if correction["kind"] == "correction" else correction["kind"].title()
        console.print_notice(f"{label} · {when_text(correction['created_at'], zone)}", correction["text"])
    if record["source_name"] or record["source_url"]:
        source = record["source_name"] or record["source_url"]
        console.print_line(f"Read more on {source}" + (f": {record['source_url']}" if record["source_url"] else ""))


def when_text(value: str, zone: Any) -> str:
    from datetime import datetime

    from balita_cli.timeutil import human

    return human(datetime.fromisoformat(value), zone)


def edit(
    ref: Ref,
    *,
    title: Annotated[str | None, typer.Option(help="New headline.")] = None,
    subtitle: Annotated[str | None, typer.Option(help="New subheading.")] = None,
    summary: Annotated[str | None, typer.Option(help="New summary ('' to derive it from the body).")] = None,
    body: Annotated[str | None, typer.Option("--body", help="New body text.")] = None,
    body_file: Annotated[str | None, typer.Option("--body-file", help="New body from a file; - reads stdin.")] = None,
    section: Annotated[str | None, typer.Option(help="Move to this section ('' removes it).")] = None,
    tags: Annotated[list[str] | None, typer.Option("--set-tag", help="Replace all tags (repeatable).")] = None,
    add_tag: Annotated[list[str] | None, typer.Option("--add-tag", "--tag", help="Add a tag (repeatable).")] = None,
    remove_tag: Annotated[list[str] | None, typer.Option("--remove-tag", help="Remove a tag (repeatable).")] = None,
    author: Annotated[
        list[str] | None, typer.Option("--author", "-a", help="Replace the byline, in order (repeatable).")
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language tag.")] = None,
    slug: Annotated[str | None, typer.Option(help="New slug; the old one keeps resolving.")] = None,
    expires: Annotated[str | None, typer.Option(help="Expiry time ('' clears it).")] = None,
    source_name: Annotated[str | None, typer.Option(help="Outlet credited.")] = None,
    source_url: Annotated[str | None, typer.Option(help="Link to the original story.")] = None,
    canonical_url: Annotated[str | None, typer.Option(help="Canonical URL.")] = None,
    image_url: Annotated[str | None, typer.Option(help="Featured image URL.")] = None,
    image_alt: Annotated[str | None, typer.Option(help="Featured image alt text.")] = None,
    image_caption: Annotated[str | None, typer.Option(help="Featured image caption.")] = None,
    image_credit: Annotated[str | None, typer.Option(help="Featured image credit.")] = None,
    dateline: Annotated[str | None, typer.Option(help="Dateline place.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Editor's note (never published).")] = None,
    featured: Annotated[
        bool | None, typer.Option("--featured/--not-featured", help="Feature on the home page.")
    ] = None,
    from_file: Annotated[
        str | None, typer.Option("--from-file", help="Apply a front-matter document (as $EDITOR shows it).")
    ] = None,
    if_version: Annotated[
        int | None, typer.Option("--if-version", help="Refuse unless the article is at this version.")
    ] = None,
    message: NoteOpt = "",
    output_format: Annotated[
        ShowFormat | None, typer.Option("--format", "-f", help="Print the result as json.")
    ] = None,
) -> None:
    """Change an article with flags, or in $EDITOR when no flag is given.

    Example: balita edit 12 --add-tag Senate --remove-tag Congress -m "retag"
    """
    from balita_cli.services.articles import ArticleChanges

    zone = state().settings.site.tz
    text = body_from(body, body_file)
    values: dict[str, Any] = {
        name: value for name, value in {
            "title": title, "subtitle": subtitle, "summary": summary, "body": text, "language": lang,
            "source_name": source_name, "source_url": source_url, "canonical_url": canonical_url,
            "image_url": image_url, "image_alt": image_alt, "image_caption": image_caption,
            "image_credit": image_credit, "dateline": dateline, "editor_note": note, "featured": featured,
        }.items() if value is not None
    }  # fmt: skip
    if expires is not None:
        from balita_cli.timeutil import parse_when

        values["expires_at"] = parse_when(expires, zone) if expires else None
    changes = ArticleChanges(
        values=values, section=section or None, clear_section=section == "",
        tags=split_names(tags) if tags is not None else None, add_tags=split_names(add_tag),
        remove_tags=split_names(remove_tag), authors=split_names(author) if author is not None else None,
        slug=slug,
    )  # fmt: skip
    if changes.is_empty():
        article = _edit_document(ref, from_file, if_version, message)
    else:
        if from_file:
            raise UsageError("--from-file cannot be combined with field flags")
        article = _apply(ref, changes, if_version, message)
    if output_format is ShowFormat.JSON:
        write_json(_record(article))
    else:
        console.info(f"Updated article {article.id} to version {article.version}")


def _apply(ref: str, changes: ArticleChanges, if_version: int | None, message: str) -> Article:
    from balita_cli.services import articles

    app_state = state()
    who = app_state.who

    def change(session: Any) -> Article:
        current = articles.resolve(session, ref)
        return articles.update(session, current.id, changes, seen_version=if_version, who=who, note=message)  # type: ignore[arg-type]

    return app_state.write(change)


def _edit_document(ref: str, from_file: str | None, if_version: int | None, message: str) -> Article:
    """Read, let the person edit outside any transaction, then save with compare-and-set."""
    from balita_cli.cli.editor import edit_text, parse_document, render_document, save_recovery
    from balita_cli.services import articles

    with state().session() as session:
        article = articles.resolve_loaded(session, ref)
    seen = if_version if if_version is not None else article.version
    original = document_fields(article)
    initial = render_document(original, article.body)
    edited = read_body_file(from_file) if from_file else edit_text(initial)
    fields, body = parse_document(edited)
    changes = changes_between(original, article.body, fields, body)
    if changes.is_empty():
        raise Aborted("nothing changed; the article was not saved")
    try:
        return _apply(str(article.id), changes, seen, message)
    except Conflict as exc:
        if from_file:
            raise
        saved = save_recovery(edited, article.id)  # type: ignore[arg-type]
        raise Conflict(
            f"{exc.message}. Your text is saved in {saved}; to apply it over the newer version run: "
            f"balita edit {article.id} --from-file {saved}"
        ) from None


def document_fields(article: Article) -> dict[str, Any]:
    from balita_cli.timeutil import iso

    return {
        "title": article.title, "subtitle": article.subtitle, "slug": article.slug,
        "summary": article.summary, "section": article.section.name if article.section else "",
        "tags": [t.name for t in article.tags], "authors": [a.name for a in article.authors],
        "language": article.language, "source_name": article.source_name,
        "source_url": article.source_url, "canonical_url": article.canonical_url,
        "image_url": article.image_url, "image_alt": article.image_alt,
        "image_caption": article.image_caption, "image_credit": article.image_credit,
        "dateline": article.dateline, "editor_note": article.editor_note,
        "featured": article.featured, "expires_at": iso(article.expires_at) or "",
    }  # fmt: skip


def changes_between(original: dict[str, Any], old_body: str, fields: dict[str, Any], body: str) -> ArticleChanges:
    from balita_cli.services.articles import ArticleChanges
    from balita_cli.timeutil import parse_when

    changed = {name: value for name, value in fields.items() if value != original.get(name)}
    changes = ArticleChanges()
    if body.strip() != old_body.strip():
        changes.values["body"] = body
    for name, value in changed.items():
        if name == "section":
            changes.section, changes.clear_section = value or None, not value
        elif name == "tags":
            changes.tags = value
        elif name == "authors":
            changes.authors = value
        elif name == "slug":
            changes.slug = value
        elif name == "expires_at":
            changes.values["expires_at"] = parse_when(value, state().settings.site.tz) if value else None
        else:
            changes.values[name] = value
    return changes


def delete(
    refs: Refs,
    *,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    purge: Annotated[
        bool, typer.Option("--purge", help="Remove for good (articles already in the trash too).")
    ] = False,
) -> None:
    """Move articles to the trash (or remove them for good with --purge).

    Example: balita delete $(balita list --status draft --until 2025-01-01 --format ids) --yes
    """
    from balita_cli.services import articles

    app_state = state()
    with app_state.session() as session:
        found = [_find_for_delete(session, ref, purge) for ref in refs]
    what = "permanently delete" if purge else "move to the trash"
    listing = ", ".join(f"{a.id} ({a.slug})" for a in found)
    confirm_or_abort(f"{what.capitalize()} {len(found)} article(s): {listing}?", yes)
    who = app_state.who

    def remove(session: Any) -> None:
        for article in found:
            if purge:
                articles.purge(session, article.id)  # type: ignore[arg-type]
            else:
                articles.trash(session, article.id, who=who)  # type: ignore[arg-type]

    app_state.write(remove)
    console.info(f"{'Deleted' if purge else 'Moved to the trash'}: {listing}")


def _find_for_delete(session: Any, ref: str, purge: bool) -> Article:
    from balita_cli.errors import NotFound
    from balita_cli.services import articles

    try:
        return articles.resolve(session, ref)
    except NotFound:
        if purge:
            return articles.resolve(session, ref, trash=True)
        raise


def confirm_or_abort(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError("refusing to change data without confirmation: add --yes")
    if not console.confirm(question):
        raise Aborted("cancelled; nothing was changed")


def restore(refs: Refs) -> None:
    """Bring articles back from the trash.

    Example: balita restore 12
    """
    from balita_cli.services import articles

    app_state = state()
    who = app_state.who

    def bring_back(session: Any) -> None:
        for ref in refs:
            article = articles.resolve(session, ref, trash=True)
            articles.restore(session, article.id, who=who)  # type: ignore[arg-type]

    app_state.write(bring_back)
    console.info(f"Restored {len(refs)} article(s)")


def register(app: typer.Typer) -> None:
    app.command("new")(new)
    app.command("create", hidden=True, help="Alias of new.")(new)
    app.command("show")(show)
    app.command("edit")(edit)
    app.command("delete")(delete)
    app.command("restore")(restore)
