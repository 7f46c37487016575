"""Demo kiosks, the scheduled jobs, and reading booking codes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qserve.db import read_session, transaction
from qserve.domain.errors import ValidationFailed
from qserve.kiosk.checkin import clean_booking_code
from qserve.kiosk.demo import DEMO_PRINTER, add_demo_kiosks
from qserve.kiosk.jobs import JOBS
from qserve.models.kiosk import Kiosk


def test_the_demo_gives_each_location_one_kiosk_printing_to_the_simulator_port(make):
    locations = [make.location(), make.location()]
    for _ in range(2):  # loading the demo twice adds nothing the second time
        with transaction() as tx:
            add_demo_kiosks(tx.session)

    with read_session() as session:
        kiosks = list(session.scalars(select(Kiosk).order_by(Kiosk.location_id)))
    assert [kiosk.location_id for kiosk in kiosks] == [location["id"] for location in locations]
    assert all(kiosk.printer == DEMO_PRINTER and kiosk.slug == "entrance" for kiosk in kiosks)


def test_the_scheduled_jobs_run_with_a_time_and_say_how_much_they_did(app, clock):
    schedule = [(name, interval) for name, interval, _ in JOBS]
    assert schedule == [("deliver-print-jobs", 2), ("poll-printers", 15)]
    assert [job(clock.now) for _, _, job in JOBS] == [0, 0]


@pytest.mark.parametrize(
    ("scanned", "code"),
    [("zx-4821", "ZX-4821"), (" AB 12 CD ", "AB12CD"), ("https://q.example/check-in/QK7M2P", "QK7M2P")],
)
def test_booking_codes_are_read_as_typed_or_from_a_scanned_link(scanned, code):
    assert clean_booking_code(scanned) == code


@pytest.mark.parametrize("bad", ["", "ab", "x" * 40, "DROP TABLE;"])
def test_a_malformed_booking_code_is_refused(bad):
    with pytest.raises(ValidationFailed):
        clean_booking_code(bad)
