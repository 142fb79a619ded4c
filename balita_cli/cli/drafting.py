"""What ``new`` and ``edit`` do between the command line and the article service: read the body,
ask on a terminal, run ``$EDITOR``, and keep the editor's text in a recovery file on any failure."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from balita_cli import console
from balita_cli.cli.fields import FieldValues, split_names
from balita_cli.errors import Aborted, BalitaError, InvalidInput, NotFound, UsageError
from balita_cli.schema import BY_NAME, ArticleInput, Kind
from balita_cli.timeutil import parse_when, utcnow
from balita_cli.workflow import DATED_STATUSES, Status

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.cli.media import ImageChoice
    from balita_cli.cli.state import AppState
    from balita_cli.services.articles import ArticleChanges


def read_body_file(path: str) -> str:
    """``-`` reads standard input; anything unreadable is a clear error."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise InvalidInput(f"body file {path} is not valid UTF-8 text") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read body file {path}: {exc.strerror or exc}") from None


def body_from(body: str | None, body_file: str | None) -> str | None:
    if body is not None and body_file is not None:
        raise UsageError("give --body or --body-file, not both")
    return read_body_file(body_file) if body_file is not None else body


def _times(given: dict[str, Any], zone: Any) -> dict[str, Any]:
    for name, value in given.items():
        if BY_NAME[name].kind is Kind.TIME and isinstance(value, str):
            given[name] = parse_when(value, zone) if value else None
    return given


# ---------------------------------------------------------------- new


def draft(
    state: AppState, title: str | None, fields: FieldValues, body: str | None, *, edit: bool, no_input: bool
) -> ArticleInput:
    """The new article from flags; on a terminal, asked for and edited in $EDITOR as needed."""
    site = state.settings.site
    given = {"language": site.language, **fields.given()}
    if not given.get("authors") and site.default_author:
        given["authors"] = [site.default_author]
    given.update(title=title or "", body=body or "")
    interactive = not no_input and sys.stdin.isatty()
    if title is None and interactive and not edit:
        given.update(ask_for_fields(state, given))
        edit = body is None
    if edit and not no_input:
        given = edit_new(given)
    if not str(given.get("title", "")).strip():
        hint = "" if interactive or title is not None else " (give it as the first argument)"
        raise InvalidInput(f"title cannot be empty{hint}")
    return ArticleInput(_times({k: v for k, v in given.items() if v not in (None, "", [])}, site.tz))


def ask_for_fields(state: AppState, given: dict[str, Any]) -> dict[str, Any]:
    """On a terminal: ask for the headline, section and tags, offering what the newsroom uses."""
    from balita_cli.services import terms  # here: --help imports every command module

    with state.reading() as db:
        sections = [term["name"] for term in terms.usage(db, "section")]
        popular = terms.popular(db, "tag", 12)
    answers: dict[str, Any] = {"title": console.ask("Title")}
    if not given.get("section"):
        answers["section"] = console.ask("Section", choices=sections)
    if not given.get("tags"):
        answers["tags"] = split_names([console.ask("Tags (comma-separated)", choices=popular, strict=False)])
    return answers


def edit_new(given: dict[str, Any]) -> dict[str, Any]:
    """The new article in $EDITOR: the document ``edit`` opens, its fields empty but for those given."""
    from balita_cli.cli.editor import edit_text  # here: --help imports every command module
    from balita_cli.services.documents import parse_document, render_document

    document = parse_document(edit_text(render_document(given, str(given.get("body") or ""))))
    return {**given, **document.fields, "body": document.body}


def create(session: Session, data: ArticleInput, image: ImageChoice | None, *, who: str) -> int:
    """The article, after the photo ``--image`` uploaded is recorded; a story that goes live at
    once (published or scheduled) needs alt text on its photo, as ``publish`` does."""
    from balita_cli.services import articles, publishing  # here: --help imports every command module

    if image is not None:
        image.record(session, who)
    article_id = articles.create(session, data, who=who)
    if data.get("status") in publishing.LIVE:
        require = "cannot be created as " + str(data["status"])
        publishing.require_alt(session, article_id, action=require, hint=" (or create it as a draft)")
    return article_id


def initial_times(status: Status, at: str | None, zone: Any) -> dict[str, Any]:
    """The status and times of a new article: scheduled needs a future --at; published takes it."""
    when = parse_when(at, zone) if at else None
    if status is Status.SCHEDULED:
        if when is None or when <= utcnow():
            raise InvalidInput("a scheduled article needs a future time (--at)")
        return {"status": status, "scheduled_at": when}
    if when is not None and status not in DATED_STATUSES:
        raise UsageError("--at only applies with --status published or scheduled")
    return {"status": status, "published_at": when}


# ---------------------------------------------------------------- edit


def changes(
    state: AppState,
    fields: FieldValues,
    body: str | None,
    set_tags: list[str] | None,
    add_tags: list[str] | None,
    remove_tags: list[str] | None,
) -> ArticleChanges:
    from balita_cli.services.documents import changes_from  # here: --help imports every command module

    given = fields.given()
    if body is not None:
        given["body"] = body
    result = changes_from(given, state.settings.site.tz)
    result.tags = split_names(set_tags) if set_tags is not None else None
    result.add_tags, result.remove_tags = split_names(add_tags), split_names(remove_tags)
    return result


def apply(
    state: AppState,
    ref: str,
    changes: ArticleChanges,
    if_version: int | None,
    note: str,
    *,
    image: ImageChoice | None = None,
) -> tuple[int, int]:
    from balita_cli.services import articles, publishing  # here: --help imports every command module

    who = state.who

    def change(session: Any) -> tuple[int, int]:
        article_id = articles.resolve(session, ref)
        if image is not None:
            image.record(session, who)
        version = articles.update(session, article_id, changes, seen_version=if_version, who=who, note=note)
        status = articles.current(session, article_id)["status"]
        if image is not None and image.ref is not None and status in publishing.LIVE:
            publishing.require_alt(session, article_id, action=f"is {status} and cannot lead with this photo")
        return article_id, version

    return state.write(change)


def edit_document(
    state: AppState, ref: str, from_file: str | None, if_version: int | None, note: str
) -> tuple[int, int]:
    """Edit the article as a document, in $EDITOR or from a file, and save it.

    Whatever goes wrong once the editor has closed (text that does not parse, a field refused,
    a colleague's conflicting change), the text is kept in a recovery file and its path
    printed; on a terminal the editor can be reopened on it at once.
    """
    from balita_cli.cli.editor import edit_text  # here: --help imports every command module
    from balita_cli.services import reading
    from balita_cli.services.documents import document_values, render_document

    with state.reading() as db:
        article_id = reading.find(db, ref)
        content = reading.content(db, article_id)
        version = if_version or int(db.scalar("SELECT version FROM article WHERE id = ?", [article_id]))
    if from_file:
        return article_id, save_document(state, article_id, read_body_file(from_file), note)
    text = edit_text(render_document(document_values(content), str(content["body"]), version))
    while True:
        try:
            return article_id, save_document(state, article_id, text, note)
        except Aborted:
            raise
        except BalitaError as exc:
            text = recover(article_id, text, exc)


def save_document(state: AppState, article_id: int, text: str, note: str) -> int:
    # here: --help imports every command module
    from balita_cli.services.documents import apply_document, parse_document

    document = parse_document(text)
    zone, who = state.settings.site.tz, state.who
    return state.write(lambda session: apply_document(session, article_id, document, zone=zone, who=who, note=note))


def recover(article_id: int, text: str, problem: BalitaError) -> str:
    """Keep the text; reopen the editor on it when a person is there to fix it, else stop."""
    from balita_cli.cli.editor import edit_text, save_recovery  # here: --help imports every command module

    saved = save_recovery(text, str(article_id))
    if sys.stdin.isatty() and sys.stderr.isatty() and console.confirm(f"{problem.message}. Edit it again?"):
        return edit_text(text, unchanged_ok=True)
    raise type(problem)(
        f"{problem.message}. Your text is kept in {saved}; to try it again run: "
        f"balita edit {article_id} --from-file {saved}"
    )


def find_for_delete(state: AppState, refs: list[str], purge: bool) -> list[tuple[int, str]]:
    """Each article named, with its slug; with --purge, articles in the trash too."""
    from balita_cli.services import reading  # here: --help imports every command module

    found = []
    with state.reading() as db:
        for ref in refs:
            try:
                article_id = reading.find(db, ref)
            except NotFound:
                if not purge:
                    raise
                article_id = reading.find(db, ref, trash=True)
            found.append((article_id, str(db.scalar("SELECT slug FROM article WHERE id = ?", [article_id]))))
    return found
