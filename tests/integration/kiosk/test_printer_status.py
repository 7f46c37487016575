"""Printer status polling, alerts to staff, reprints, and what a printed ticket says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qserve.db import read_session, transaction
from qserve.domain.actors import Actor
from qserve.domain.errors import Forbidden, NotFound
from qserve.kiosk.delivery import deliver_print_jobs
from qserve.kiosk.printers import poll_printers, printer_overview
from qserve.kiosk.printjobs import reprint_ticket
from qserve.kiosk.tickets import printable_ticket
from qserve.models import Location, Ticket
from qserve.models.kiosk import Kiosk
from qserve.printing.layout import render_escpos
from qserve.printing.preview import decode_text
from qserve.printing.simulator import SimulatorMode
from tests.integration.kiosk.kiosk_helpers import issue_at_kiosk, print_jobs


def status_of(kiosk_id: int) -> str:
    with read_session() as session:
        return session.get(Kiosk, kiosk_id).printer_status


def test_polling_alerts_staff_once_per_change_and_silence_does_not_clear_a_fault(
    location, kiosk_id, printer, clock, alerts
):
    for mode in ("paper_near_end", "paper_near_end", "cover_open", "silent"):
        printer.set_mode(mode)
        poll_printers(now=clock.advance(seconds=15))

    assert alerts.statuses == ["paper_near_end", "cover_open"]
    assert [alert.ok for alert in alerts.sent] == [True, False]
    assert status_of(kiosk_id) == "cover_open"  # no answer is no proof of a repair

    printer.set_mode(SimulatorMode.NORMAL)
    poll_printers(now=clock.advance(seconds=15))
    assert alerts.statuses[-1] == "online" and status_of(kiosk_id) == "online"


def test_a_printer_that_just_printed_is_not_polled_again(location, kiosk_id, printer, clock, alerts):
    issue_at_kiosk(location, kiosk_id, clock.now)
    deliver_print_jobs(now=clock.now)

    assert poll_printers(now=clock.advance(seconds=5)) == 0
    assert poll_printers(now=clock.advance(seconds=15)) == 1


def test_the_overview_shows_each_kiosk_printer_with_its_waiting_jobs(
    location, kiosk_id, printer, clock, alerts
):
    printer.set_mode(SimulatorMode.PAPER_OUT)
    issue_at_kiosk(location, kiosk_id, clock.now)
    deliver_print_jobs(now=clock.now)

    with read_session() as session:
        [row] = printer_overview(session, location["id"], now=clock.now)

    assert row["status"] == "paper_out" and row["ok"] is False
    assert row["pending_jobs"] == 1
    assert row["printer"] == {"kind": "network", "host": "127.0.0.1", "port": printer.port}
    assert "out of paper" in row["message"]


def test_staff_reprint_prints_another_copy_on_the_kiosk_that_printed_it(
    make, location, kiosk_id, printer, clock, alerts
):
    ticket_id = issue_at_kiosk(location, kiosk_id, clock.now)
    deliver_print_jobs(now=clock.now)
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])

    result = reprint_ticket(ticket_id=ticket_id, actor=staff["actor"], now=clock.advance(minutes=1))
    deliver_print_jobs(now=clock.now)

    assert (result["copy"], result["kiosk"]) == (2, "entrance")
    assert [job.dedupe_key for job in print_jobs(ticket_id)] == [
        f"print:ticket:{ticket_id}:1",
        f"print:ticket:{ticket_id}:2",
    ]
    assert len(printer.wait_for_jobs(2)) == 2


def test_staff_of_another_location_may_not_reprint_and_a_location_without_printer_says_so(
    make, location, kiosk_id, clock
):
    ticket_id = issue_at_kiosk(location, kiosk_id, clock.now)
    elsewhere = make.location(organization_id=location["organization_id"])
    stranger = make.user(organization_id=location["organization_id"], location_ids=[elsewhere["id"]])
    with pytest.raises(Forbidden):
        reprint_ticket(ticket_id=ticket_id, actor=stranger["actor"], now=clock.now)

    remote = make.ticket(location=elsewhere, now=clock.now)
    with pytest.raises(NotFound, match="no kiosk printer"):
        reprint_ticket(ticket_id=remote, actor=Actor.system(), now=clock.now)


def test_the_printed_ticket_is_in_the_tickets_language_with_local_time_people_ahead_and_footer(
    make, location, kiosk_id, clock
):
    with transaction() as tx:
        tx.session.get(Location, location["id"]).settings = {
            "ticket_footer": {"en": "Thank you", "fi": "Kiitos käynnistä!"}
        }
    for _ in range(2):
        make.ticket(location=location, now=clock.now)
    ticket_id = issue_at_kiosk(location, kiosk_id, datetime(2026, 11, 23, 9, 0, tzinfo=UTC), language="fi")
    with transaction() as tx:  # a Finnish name for the service
        service = tx.session.get(Ticket, ticket_id).service
        service.names = {"en": "Prescriptions", "fi": "Reseptilääkkeet"}

    with read_session() as session:
        printable = printable_ticket(session, session.get(Ticket, ticket_id), now=clock.now)
    lines = decode_text(render_escpos(printable))

    assert printable.service_name == "Reseptilääkkeet"
    assert printable.people_ahead == 2
    assert printable.wait_p10_s is not None and printable.wait_p90_s > printable.wait_p10_s
    for expected in ("Vuoronumerosi", "Reseptilääkkeet", "23.11.2026 klo 11.00", "2 asiakasta ennen sinua"):
        assert expected in lines
    assert "Kiitos käynnistä!" in lines
