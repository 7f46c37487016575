"""Kiosk tickets are committed first and printed through the outbox, retried until the printer is back."""

from __future__ import annotations

import threading
from datetime import timedelta

from qserve.db import read_session
from qserve.kiosk.delivery import backoff_s, deliver_print_jobs
from qserve.kiosk.printers import poll_printers
from qserve.models import Ticket
from qserve.models.kiosk import Kiosk
from qserve.printing.preview import decode_text
from qserve.printing.simulator import SimulatorMode
from qserve.services.tickets import cancel_ticket_by_customer, issue_ticket
from qserve.services.views import ticket_url
from tests.integration.kiosk.kiosk_helpers import issue_at_kiosk, make_kiosk, print_jobs

GS_QR = b"\x1d(k"
FULL_CUT = b"\x1dV\x00"


def ticket(ticket_id: int) -> Ticket:
    with read_session() as session:
        return session.get(Ticket, ticket_id)


def kiosk(kiosk_id: int) -> Kiosk:
    with read_session() as session:
        return session.get(Kiosk, kiosk_id)


def qr_store_command(url: str) -> bytes:
    """Return GS ( k <pL pH> 49 80 48 <url>: the printer's own command storing the QR data."""
    size = len(url) + 3
    return GS_QR + bytes([size % 256, size // 256, 49, 80, 48]) + url.encode()


def test_a_kiosk_ticket_prints_its_number_the_qr_of_its_live_page_and_a_cut(
    location, kiosk_id, printer, clock, alerts
):
    ticket_id = issue_at_kiosk(location, kiosk_id, clock.now)
    [job] = print_jobs(ticket_id)
    assert (job.status, job.dedupe_key) == ("pending", f"print:ticket:{ticket_id}:1")

    assert deliver_print_jobs(now=clock.now) == 1

    [printed] = printer.wait_for_jobs(1)
    issued = ticket(ticket_id)
    assert issued.number in decode_text(printed.data)
    assert qr_store_command(ticket_url(issued.public_token)) in printed.data
    assert printed.data.rstrip(b"\n").endswith(FULL_CUT) and printed.cut
    assert print_jobs(ticket_id)[0].status == "sent"
    assert kiosk(kiosk_id).printer_status == "online"
    assert alerts.sent == []


def test_paper_out_leaves_the_ticket_issued_alerts_staff_and_prints_once_the_paper_is_back(
    location, kiosk_id, printer, clock, alerts
):
    printer.set_mode(SimulatorMode.PAPER_OUT)
    ticket_id = issue_at_kiosk(location, kiosk_id, clock.now)

    assert deliver_print_jobs(now=clock.now) == 0

    assert ticket(ticket_id).status == "waiting"
    [job] = print_jobs(ticket_id)
    assert (job.status, job.attempts) == ("pending", 1)
    assert "paper" in job.last_error
    assert kiosk(kiosk_id).printer_status == "paper_out"
    assert alerts.statuses == ["paper_out"]
    assert not alerts.sent[0].ok and "out of paper" in alerts.sent[0].message
    assert printer.jobs == []

    printer.set_mode(SimulatorMode.NORMAL)
    now = clock.advance(seconds=1)  # sooner than the backoff: the poll makes the job due at once
    assert poll_printers(now=now) == 1
    assert alerts.statuses == ["paper_out", "online"]
    assert deliver_print_jobs(now=now) == 1
    [printed] = printer.wait_for_jobs(1)
    assert ticket(ticket_id).number in decode_text(printed.data)
    assert deliver_print_jobs(now=clock.advance(minutes=1)) == 0
    assert len(printer.jobs) == 1


def test_a_dropped_connection_leaves_the_ticket_issued_and_the_job_prints_on_its_retry(
    location, kiosk_id, printer, clock, alerts
):
    printer.set_mode(SimulatorMode.DROP)
    ticket_id = issue_at_kiosk(location, kiosk_id, clock.now)

    assert deliver_print_jobs(now=clock.now) == 0

    assert printer.dropped_connections == 1
    assert ticket(ticket_id).status == "waiting"
    assert kiosk(kiosk_id).printer_status == "job_failed"
    assert alerts.statuses == ["job_failed"]
    assert print_jobs(ticket_id)[0].next_attempt_at == clock.now + timedelta(seconds=backoff_s(1))

    printer.set_mode(SimulatorMode.NORMAL)
    assert deliver_print_jobs(now=clock.now) == 0  # not due yet
    assert deliver_print_jobs(now=clock.advance(seconds=backoff_s(1))) == 1
    assert len(printer.wait_for_jobs(1)) == 1
    assert alerts.statuses == ["job_failed", "online"]


def test_an_unreachable_printer_is_retried_with_a_growing_backoff(location, kiosk_id, printer, clock, alerts):
    printer.set_mode(SimulatorMode.OFFLINE)
    ticket_id = issue_at_kiosk(location, kiosk_id, clock.now)
    waits = []
    for _ in range(3):
        deliver_print_jobs(now=clock.now)
        [job] = print_jobs(ticket_id)
        waits.append((job.next_attempt_at - clock.now).total_seconds())
        clock.now = job.next_attempt_at

    assert waits == [backoff_s(1), backoff_s(2), backoff_s(3)]
    assert waits[0] < waits[1] < waits[2]
    assert alerts.statuses == ["offline"]  # one alert for the change, not one per attempt


def test_two_deliverers_at_once_print_each_job_exactly_once(app, location, kiosk_id, printer, clock):
    numbers = {ticket(issue_at_kiosk(location, kiosk_id, clock.now)).number for _ in range(4)}
    printed = []

    def deliver():
        with app.app_context():
            printed.append(deliver_print_jobs(now=clock.now))

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sum(printed) == 4
    jobs = printer.wait_for_jobs(4)
    assert len(jobs) == 4
    assert {number for number in numbers if any(number in decode_text(job.data) for job in jobs)} == numbers


def test_a_double_tap_with_one_idempotency_key_makes_one_ticket_and_one_print_job(location, kiosk_id, clock):
    first = issue_at_kiosk(location, kiosk_id, clock.now, idempotency_key="tap-1")
    second = issue_at_kiosk(location, kiosk_id, clock.advance(seconds=0.3), idempotency_key="tap-1")

    assert first == second
    assert len(print_jobs()) == 1


def test_a_ticket_cancelled_before_it_could_print_is_not_printed_later(
    location, kiosk_id, printer, clock, alerts
):
    printer.set_mode(SimulatorMode.PAPER_OUT)
    ticket_id = issue_at_kiosk(location, kiosk_id, clock.now)
    deliver_print_jobs(now=clock.now)
    cancel_ticket_by_customer(token=ticket(ticket_id).public_token, now=clock.advance(seconds=1))
    printer.set_mode(SimulatorMode.NORMAL)

    assert deliver_print_jobs(now=clock.advance(minutes=1)) == 0

    [job] = print_jobs(ticket_id)
    assert (job.status, job.last_error) == ("skipped", "the ticket is cancelled")
    assert printer.jobs == []


def test_a_job_not_printed_within_the_kiosks_expiry_is_given_up(location, printer, clock, alerts):
    kiosk_id = make_kiosk(location, printer=printer.config, slug="door", print_expiry_s=60)
    printer.set_mode(SimulatorMode.PAPER_OUT)
    ticket_id = issue_at_kiosk(location, kiosk_id, clock.now)
    deliver_print_jobs(now=clock.now)
    printer.set_mode(SimulatorMode.NORMAL)

    assert deliver_print_jobs(now=clock.advance(minutes=2)) == 0

    [job] = print_jobs(ticket_id)
    assert job.status == "failed" and "given up" in job.last_error
    assert printer.jobs == []


def test_a_kiosk_without_a_printer_and_a_ticket_from_a_phone_queue_no_print_job(location, clock):
    screen_only = make_kiosk(location, slug="screen-only")
    issue_at_kiosk(location, screen_only, clock.now)
    issue_ticket(location_slug=location["slug"], service_id=location["service_ids"][0], now=clock.now)

    assert print_jobs() == []


def test_a_printer_that_cannot_report_its_status_still_prints_and_counts_as_working(
    location, kiosk_id, printer, clock, alerts
):
    printer.set_mode(SimulatorMode.SILENT)
    issue_at_kiosk(location, kiosk_id, clock.now)

    assert deliver_print_jobs(now=clock.now) == 1

    assert len(printer.wait_for_jobs(1)) == 1
    assert kiosk(kiosk_id).printer_status == "online"
    assert alerts.sent == []
