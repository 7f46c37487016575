"""The `qserve predict` commands: simulate an office, evaluate estimators on a log, export and train."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from qserve.domain.ordering import FairnessKind, FairnessRule
from qserve.predict.scenarios import SCENARIOS

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def parse_rule(text: str) -> FairnessRule:
    """Read a fairness rule: `strict`, `max_in_row:N` or `ageing:SECONDS`."""
    kind, _, value = text.partition(":")
    try:
        if kind == FairnessKind.STRICT and not value:
            return FairnessRule()
        if kind == FairnessKind.MAX_IN_ROW:
            return FairnessRule(kind=FairnessKind.MAX_IN_ROW, max_in_row=int(value or 3))
        if kind == FairnessKind.AGEING:
            return FairnessRule(kind=FairnessKind.AGEING, credit_s=int(value or 600))
    except ValueError:
        pass
    raise click.BadParameter(f"{text!r}: use strict, max_in_row:N or ageing:SECONDS", param_hint="--rule")


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else (value.replace(tzinfo=UTC) if value.tzinfo is None else value)


@click.group()
def predict() -> None:
    """Wait-time prediction: simulate offices, evaluate predictors on event logs, export history, train."""


@predict.command()
@click.option(
    "--scenario", required=True, type=click.Choice(sorted(SCENARIOS)), help="the office to simulate"
)
@click.option("--days", default=14, show_default=True, type=click.IntRange(1, 366))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
def simulate(scenario: str, days: int, seed: int, out_path: str) -> None:
    """Simulate an office and write its event log as CSV."""
    from qserve.predict.eventlog import write_eventlog
    from qserve.predict.simulate import simulate as run

    count = write_eventlog(run(scenario, days=days, seed=seed), out_path)
    click.echo(f"{count} tickets of scenario {scenario} ({SCENARIOS[scenario].description}) -> {out_path}")


@predict.command()
@click.option("--log", "log_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--train-until",
    type=click.DateTime(DATE_FORMATS),
    help="score only after this time (the log's local time)",
)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True), help="write the report")
@click.option("--rule", default="strict", show_default=True, help="strict, max_in_row:N or ageing:SECONDS")
@click.option("--replications", default=100, show_default=True, type=click.IntRange(10, 2000))
def evaluate(
    log_path: str, train_until: datetime | None, json_path: str | None, rule: str, replications: int
):
    """Replay an event log and compare qserve's estimates with the textbook baselines."""
    from qserve.predict.evaluate import evaluate_log, format_table
    from qserve.predict.eventlog import EventLogError, read_eventlog

    try:
        rows = read_eventlog(log_path)
    except EventLogError as error:
        raise click.ClickException(f"{log_path}: {error}") from None
    if not rows:
        raise click.ClickException(f"{log_path} has no tickets")
    if train_until is not None and train_until.tzinfo is None:  # wall time, in the offset the log uses
        train_until = train_until.replace(tzinfo=rows[0].joined_at.tzinfo)
    report = evaluate_log(rows, train_until=train_until, rule=parse_rule(rule), replications=replications)
    click.echo(f"{log_path}: {report['log']['tickets']} tickets, scored from {report['scored_from']}")
    click.echo(format_table(report))
    if json_path:
        with open(json_path, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)


@predict.command()
@click.option("--log", "log_path", type=click.Path(exists=True, dir_okay=False), help="train on this log")
@click.option("--location", help="location slug (without --log: train on qserve's history, all locations)")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--rule", default="strict", show_default=True, help="with --log: strict, max_in_row:N, ageing:S"
)
@click.option("--sample-every", default=1, show_default=True, type=click.IntRange(1, 100))
def train(log_path: str | None, location: str | None, out_path: str, rule: str, sample_every: int) -> None:
    """Train an estimator on an event log (or qserve's own history) and save it to a file."""
    from qserve.predict.eventlog import read_eventlog
    from qserve.predict.training import fit_from_eventlog, fit_from_history

    now = datetime.now(UTC)
    if log_path:
        rows = read_eventlog(log_path)
        estimator = fit_from_eventlog(rows, rule=parse_rule(rule), sample_every=sample_every, now=now)
        count = len(rows)
    else:
        locations, defaults = _database(location, history=True)
        estimator = fit_from_history(
            locations, default_durations_s=defaults, sample_every=sample_every, now=now
        )
        count = sum(len(rows) for rows, _rule in locations)
    estimator.save(out_path)
    used = "a learned correction" if estimator.correction and estimator.correction.models else "no correction"
    click.echo(f"trained on {count} tickets ({used}) -> {out_path}")


@predict.command()
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--location", help="location slug (all locations when omitted)")
@click.option("--since", type=click.DateTime(DATE_FORMATS), help="tickets that joined from this time (UTC)")
def export(out_path: str, location: str | None, since: datetime | None) -> None:
    """Export qserve's closed tickets as an event-log CSV (service, counter and staff as ids)."""
    from qserve.predict.eventlog import write_eventlog

    count = write_eventlog(_database(location, since=_utc(since)), out_path)
    click.echo(f"{count} tickets -> {out_path}")


def _database(location: str | None, *, since: datetime | None = None, history: bool = False):
    """Read closed tickets from qserve's database: rows of one location or all, or per-location history."""
    from sqlalchemy import select

    from qserve import create_app
    from qserve.db import read_session
    from qserve.models import Location
    from qserve.predict.history import default_durations, export_eventlog, load_history

    app = create_app()
    try:
        with app.app_context(), read_session() as session:
            location_id = None
            if location:
                location_id = session.scalar(select(Location.id).where(Location.slug == location))
                if location_id is None:
                    raise click.ClickException(f"no location {location!r}")
            if not history:
                return export_eventlog(session, location_id=location_id, since=since)
            return load_history(session, since=since, location_id=location_id), default_durations(session)
    finally:
        app.extensions["qserve.db"].dispose()  # a command's connections close with it
