"""The scheduler: one process only, jobs run in an app context, and a failing job never stops the others."""

from datetime import UTC, datetime

import pytest

from qserve.jobs.core import refresh_waiting_locations
from qserve.jobs.registry import collect_jobs
from qserve.jobs.scheduler import SchedulerAlreadyRunning, build_scheduler, run_job, take_lock


def test_a_second_scheduler_cannot_take_the_lock(tmp_path):
    first = take_lock(tmp_path / "scheduler.lock")
    with pytest.raises(SchedulerAlreadyRunning):
        take_lock(tmp_path / "scheduler.lock")
    first.close()
    take_lock(tmp_path / "scheduler.lock").close()


def test_a_failing_job_is_logged_and_returns_nothing(app, caplog):
    def broken(_now):
        raise RuntimeError("boom")

    assert run_job(app, ("broken", 1, broken)) is None
    assert "job broken failed" in caplog.text


def test_every_collected_job_is_scheduled_once(app):
    scheduler = build_scheduler(app)
    names = [job.id for job in scheduler.get_jobs()]
    assert names == [job[0] for job in collect_jobs()]
    assert "refresh-estimates" in names


def test_the_estimate_refresh_job_stores_estimates_on_waiting_tickets(app, make):
    location = make.location()
    make.ticket(location=location, now=datetime.now(UTC))
    assert refresh_waiting_locations(datetime.now(UTC)) == 1
