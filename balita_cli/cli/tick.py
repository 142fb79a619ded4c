"""``balita tick``: one run of everything that is due, for one crontab line.

The steps go in order: publish what is due, fetch the sources, deliver to webhooks and partners,
build, deploy (when ``[deploy] target`` is set); the WebSub hubs are told after the build, or
after the deploy when there is one. The whole run holds the database's ``tick`` lock
(``db/locks.py``), so two machines running the same crontab never overlap: the second finds the
lock taken, says so and exits 0.

A failing step is reported and the run goes on with the steps that do not need it (a failed fetch
still lets what is due be published and the site be built); a failed build stops the deploy, which
would publish a half-made site. The run exits 1 when any step failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.deploy import resolved_target
from balita_cli.cli.options import ShowFormat
from balita_cli.cli.output import write_json
from balita_cli.cli.state import AppState, app, database_failure
from balita_cli.errors import BalitaError, UsageError

if TYPE_CHECKING:
    from balita_cli.services.ticking import Outlook
    from balita_cli.services.websub import PingReport

Runner = Callable[[AppState, "Outlook", "Step"], None]


class StepName(StrEnum):
    PUBLISH = "publish"
    FETCH = "fetch"
    DELIVER = "deliver"
    BUILD = "build"
    DEPLOY = "deploy"


DONE, FAILED, SKIPPED, WOULD_RUN = "done", "failed", "skipped", "would run"
# A step that cannot go on when this one failed (deploying a half-built site).
NEEDS = {StepName.DEPLOY: StepName.BUILD}


@dataclass
class Step:
    name: StepName
    state: str = DONE
    said: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return {"step": self.name.value, "state": self.state, "said": self.said, **self.details}


NAMES = ", ".join(step.value for step in StepName)
OnlyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--only",
        metavar="STEP",
        help=f"Run only these steps (comma-separated or repeated): {NAMES}.",
        show_default=False,
    ),
]
SkipOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--skip", metavar="STEP", help="Leave these steps out (comma-separated or repeated).", show_default=False
    ),
]


def tick(
    ctx: typer.Context,
    *,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the steps that would run, and why not the others.")
    ] = False,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="text: a line a step on stderr; json: a summary on stdout.")
    ] = ShowFormat.TEXT,
) -> None:
    """Run what is due, once, under a lock: publish --due, fetch, hooks and partner deliver,
    build, deploy (when [deploy] target is set), then tell the WebSub hubs; for cron.

    Another tick running on the same database meanwhile (on this machine or another) makes this
    one say so and exit 0. A failed step is reported and the steps that do not need it still
    run; a failed build stops the deploy. Exits 1 when any step failed.

    Example: balita tick   |   balita tick --skip fetch --dry-run   |
    cron: * * * * * cd /srv/balita && balita -q tick
    """
    from balita_cli.db import locks  # here: --help imports every command module

    state = app(ctx)
    chosen = chosen_steps(only, skip)
    if dry_run:
        seen = _outlook(state)
        return _tell([plan(state, seen, name) for name in chosen], output_format, dry_run=True)
    with locks.exclusive(state.settings.require_database(), "tick") as mine:
        if not mine:
            console.info("Another balita tick is running on this database: nothing done")
            if output_format is ShowFormat.JSON:
                write_json({"busy": True, "dry_run": False, "ok": True, "steps": []})
            return None
        steps = run_steps(state, chosen)
    _tell(steps, output_format, dry_run=False)
    if any(step.state == FAILED for step in steps):
        raise typer.Exit(1)
    return None


def chosen_steps(only: list[str] | None, skip: list[str] | None) -> list[StepName]:
    wanted = _names(only, "--only") or list(StepName)
    left_out = set(_names(skip, "--skip"))
    return [name for name in StepName if name in wanted and name not in left_out]


def _names(values: list[str] | None, option: str) -> list[StepName]:
    names = [name.strip().lower() for value in values or () for name in value.split(",") if name.strip()]
    if values and not names:
        raise UsageError(f"{option} takes steps: {NAMES}")
    known = {step.value for step in StepName}
    for name in names:
        if name not in known:
            raise UsageError(f"{option}: no step {name[:40]!r} (choose from {NAMES})")
    return [StepName(name) for name in names]


def run_steps(state: AppState, chosen: list[StepName]) -> list[Step]:
    steps: list[Step] = []
    failed: set[StepName] = set()
    seen = _outlook(state)
    for name in chosen:
        needed = NEEDS.get(name)
        if needed in failed:
            steps.append(Step(name, SKIPPED, f"not run: the {needed} failed"))
            continue
        step = _run(name, RUNNERS[name], state, seen)
        if step.state == FAILED:
            failed.add(name)
        steps.append(step)
    return steps


def _run(name: StepName, runner: Runner, state: AppState, seen: Outlook) -> Step:
    """One step; what it raises is its failure alone, told in one line."""
    step = Step(name)
    try:
        runner(state, seen, step)
    except BalitaError as exc:
        step.state, step.said = FAILED, exc.message
    except OSError as exc:
        step.state, step.said = (
            FAILED,
            f"cannot go on: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else ""),
        )
    except Exception as exc:  # a database outage fails the step; anything else is a bug and is raised
        failure = database_failure(exc)
        if failure is None:
            raise
        step.state, step.said = FAILED, failure.message
    return step


# ---------------------------------------------------------------- the steps


def _publish(state: AppState, _seen: Outlook, step: Step) -> None:
    from balita_cli.services import publishing

    who = state.who
    run = state.write(lambda session: publishing.run_due(session, who=who))
    for article_id, photo_id in run.missing_alt:
        console.warn(f"article {article_id} was published on schedule; its photo {photo_id} has no alt text")
    step.said = f"{len(run.published)} published, {len(run.expired)} expired"
    step.details = {"published": run.published, "expired": run.expired}


def _fetch(state: AppState, seen: Outlook, step: Step) -> None:
    from balita_cli.services.desk import fetching, poll_state
    from balita_cli.services.desk.runs import FetchRequest

    if not seen.sources:
        step.state, step.said = SKIPPED, "no sources"
        return
    url = state.settings.require_database()
    request = FetchRequest(who=state.who)
    report = fetching.fetch(state.reading, state.write, lambda: poll_state.writing(url), state.settings, request)
    created = sum(len(run.created) for run in report.runs)
    failed = [f"{run.name}: {run.reason}" for run in report.failed]
    stories = f"{created} {'story' if created == 1 else 'stories'}"
    step.said = f"{console.counted(len(report.runs), 'source')} polled, {stories} filed"
    step.details = {"sources": len(report.runs), "created": created, "failed": failed}
    if failed:
        step.state, step.said = FAILED, f"{step.said}; failed: {'; '.join(failed)}"


def _deliver(state: AppState, seen: Outlook, step: Step) -> None:
    from balita_cli.services import permissions
    from balita_cli.services.delivery import run

    kinds = [kind for kind, places in (("hook", seen.hooks), ("partner", seen.partners)) if places]
    if not kinds:
        step.state, step.said = SKIPPED, "no webhooks or partners"
        return
    permissions.check(state.identity, permissions.Action.HOOKS)
    said, lost = [], []
    for kind in kinds:
        report = run.deliver(state.reading, state.write, state.settings, kind)
        name = "webhooks" if kind == "hook" else "partners"
        if report.busy:
            said.append(f"{name}: another delivery run is going on")
        else:
            said.append(
                f"{name}: {report.delivered} delivered, {report.retrying} to try again, {report.waiting} waiting"
            )
        lost += [f"gave up: {line}" for line in report.dead]
        lost += [f"{label} answered 410 Gone and is disabled" for label in report.disabled]
        step.details[name] = report.summary(state.settings.site.tz)
    step.said = "; ".join(said)
    if lost:
        step.state, step.said = FAILED, f"{step.said}; {'; '.join(lost)}"


def _build(state: AppState, _seen: Outlook, step: Step) -> None:
    from balita_cli.cli.build import announce, build_options, run_build
    from balita_cli.services.websub import websub_settings

    settings = state.settings
    hubs = websub_settings(settings)
    target = settings.resolve_path(settings.site.output_dir).resolve()
    options = build_options(state, target, clean=False, force=False, page_size=20, search=True, hubs=hubs.hubs)
    report = run_build(state, options)
    for problem in report.problems:
        console.warn(problem)
    counts = report.counts.summary()
    step.said = f"{counts['written']} written, {counts['kept']} unchanged, {counts['removed']} removed"
    step.details = {"written": counts["written"], "removed": counts["removed"], "changed_feeds": report.changed_feeds}
    if hubs.hubs:
        _pinged(step, announce(state, hubs, report))


def _deploy(state: AppState, _seen: Outlook, step: Step) -> None:
    from balita_cli.cli.deploy import announce, publish_build
    from balita_cli.deploy import purge_argv, run_purge
    from balita_cli.deploy.plan import purge_urls

    settings = state.settings
    target = resolved_target(state, settings.deploy.target)
    if not target:
        step.state, step.said = SKIPPED, "no [deploy] target"
        return
    command = settings.deploy.purge_command
    purge = purge_argv(command) if command else None  # a bad command is refused before anything is sent
    built = settings.resolve_path(settings.site.output_dir).resolve()
    report = publish_build(state, target, built, dry_run=False)
    step.said = f"{len(report.uploaded)} uploaded, {len(report.deleted)} deleted to {report.target}"
    step.details = {"uploaded": len(report.uploaded), "deleted": len(report.deleted), "target": report.target}
    pinged = announce(state, target, built)
    if pinged is not None:
        _pinged(step, pinged)
    if purge is not None:
        run_purge(purge, purge_urls(settings.site.base_url, report.replaced))


def _pinged(step: Step, pinged: PingReport) -> None:
    """Failed pings are kept for the next tick: a warning, not the step's failure."""
    from balita_cli.cli.build import pings_said

    for problem in pinged.failed:
        console.warn(problem)
    step.said += f"; {pings_said(pinged)}"
    step.details["pinged"] = [url for _hub, url in pinged.sent]
    step.details["pings_owed"] = pinged.owed


def _outlook(state: AppState) -> Outlook:
    from balita_cli.services.ticking import outlook
    from balita_cli.timeutil import utcnow

    with state.reading() as db:
        return outlook(db, utcnow())


RUNNERS: dict[StepName, Runner] = {
    StepName.PUBLISH: _publish,
    StepName.FETCH: _fetch,
    StepName.DELIVER: _deliver,
    StepName.BUILD: _build,
    StepName.DEPLOY: _deploy,
}


# ---------------------------------------------------------------- what would run


def plan(state: AppState, seen: Outlook, name: StepName) -> Step:
    """Whether a step would run now, and what it would find (nothing is changed)."""
    settings = state.settings
    if name is StepName.PUBLISH:
        return Step(name, WOULD_RUN, f"{seen.due} due, {seen.expiring} expired")
    if name is StepName.FETCH:
        if not seen.sources:
            return Step(name, SKIPPED, "no sources")
        return Step(name, WOULD_RUN, f"{console.counted(seen.sources, 'source')}, those due")
    if name is StepName.DELIVER:
        if not seen.hooks + seen.partners:
            return Step(name, SKIPPED, "no webhooks or partners")
        return Step(name, WOULD_RUN, f"{console.counted(seen.waiting, 'delivery')} waiting")
    if name is StepName.BUILD:
        return Step(name, WOULD_RUN, f"into {settings.resolve_path(settings.site.output_dir)}")
    if not settings.deploy.target:
        return Step(name, SKIPPED, "no [deploy] target")
    return Step(name, WOULD_RUN, f"to {resolved_target(state, settings.deploy.target)}")


# ---------------------------------------------------------------- telling


def _tell(steps: list[Step], output_format: ShowFormat, *, dry_run: bool) -> None:
    """A line a step on stderr (failures even with --format json: cron mails stderr); the
    summary on stdout for scripts."""
    as_json = output_format is ShowFormat.JSON
    for step in steps:
        if step.state == FAILED:
            console.error(f"{step.name}: {step.said}")
        elif as_json:
            continue
        elif step.state == SKIPPED:
            console.info(f"{step.name}: skipped ({step.said})")
        elif dry_run:
            console.info(f"{step.name}: would run ({step.said})")
        else:
            console.info(f"{step.name}: {step.said}")
    if as_json:
        ok = all(step.state != FAILED for step in steps)
        write_json({"busy": False, "dry_run": dry_run, "ok": ok, "steps": [step.record() for step in steps]})


def register(typer_app: typer.Typer) -> None:
    typer_app.command("tick")(tick)
