"""Under concurrency no number is given twice, no ticket is lost, and no ticket is called twice."""

import threading
from collections import Counter as Tally
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from qserve.db import read_session
from qserve.models import Ticket, TicketEvent
from qserve.services.calling import call_next
from qserve.services.tickets import issue_ticket

THREADS = 8
PER_THREAD = 250


@pytest.fixture
def config_overrides():
    """Coalesce realtime refreshes as the server does, so 2,000 joins do not refresh 2,000 times each."""
    return {"REALTIME_COALESCE_S": 0.2}


def run_in_threads(app, count, work):
    """Run work(index) in `count` threads inside app contexts and re-raise the first error."""
    errors = []
    barrier = threading.Barrier(count)

    def target(index):
        with app.app_context():
            barrier.wait()
            try:
                work(index)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the last coalesced refresh (of a long line) finishes before the app is torn down
    assert app.extensions["qserve.publisher"].wait_until_idle(timeout_s=120)
    if errors:
        raise errors[0]


def test_eight_threads_issue_two_thousand_tickets_with_distinct_numbers(app, make):
    location = make.location(services=1)
    now = datetime.now(UTC)

    def issue(_index):
        for _ in range(PER_THREAD):
            issue_ticket(location_slug=location["slug"], service_id=location["service_ids"][0], now=now)

    run_in_threads(app, THREADS, issue)
    with read_session() as session:
        numbers = session.scalars(select(Ticket.number)).all()
    assert len(numbers) == THREADS * PER_THREAD
    assert len(set(numbers)) == THREADS * PER_THREAD
    assert set(numbers) == {f"A{n:03d}" for n in range(1, THREADS * PER_THREAD + 1)}


def test_four_counters_calling_in_parallel_call_every_ticket_exactly_once(app, make):
    location = make.location(services=2, counters=4)
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    now = datetime.now(UTC)
    issued = [make.ticket(location=location, service_index=i % 2, now=now) for i in range(200)]
    called: list[int] = []

    def serve(index):
        counter = location["counter_ids"][index]
        while (
            ticket_id := call_next(counter_id=counter, actor=staff["actor"], now=datetime.now(UTC))
        ) is not None:
            called.append(ticket_id)

    run_in_threads(app, 4, serve)
    assert sorted(called) == sorted(issued)
    assert max(Tally(called).values()) == 1
    with read_session() as session:
        calls = session.scalar(
            select(func.count()).select_from(TicketEvent).where(TicketEvent.action == "call")
        )
        waiting = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "waiting"))
    assert (calls, waiting) == (200, 0)
