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


def test_the_outbox_keeps_pending_and_recent_messages_and_prunes_old_settled_ones(app):
    from datetime import timedelta

    from sqlalchemy import select

    from qserve.db import read_session, transaction
    from qserve.jobs.core import prune_outbox
    from qserve.models import OutboxMessage

    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    ages = {"old-sent": ("sent", 20), "old-failed": ("failed", 15), "old-pending": ("pending", 30)}
    ages |= {"new-sent": ("sent", 3), "old-skipped": ("skipped", 40)}
    with transaction() as tx:
        for key, (status, days) in ages.items():
            created = now - timedelta(days=days)
            tx.session.add(
                OutboxMessage(
                    kind="notification",
                    topic="called",
                    dedupe_key=key,
                    status=status,
                    created_at=created,
                    next_attempt_at=created,
                )
            )
    assert prune_outbox(now) == 3
    with read_session() as session:
        assert set(session.scalars(select(OutboxMessage.dedupe_key))) == {"old-pending", "new-sent"}
    assert prune_outbox(now) == 0
