"""Which day the booking page opens on."""

from __future__ import annotations

from datetime import date, timedelta

from qserve.appointments.days import CLOSED, FULL, OPEN, first_open

WEEK = [date(2026, 11, 23) + timedelta(days=offset) for offset in range(4)]


def test_the_page_opens_on_the_preferred_day_if_it_has_a_time_else_on_the_first_that_has():
    found = {WEEK[0]: CLOSED, WEEK[1]: FULL, WEEK[2]: OPEN, WEEK[3]: OPEN}
    assert first_open(found) == WEEK[2]
    assert first_open(found, preferred=WEEK[3]) == WEEK[3]
    assert first_open(found, preferred=WEEK[1]) == WEEK[2]
    assert first_open({WEEK[0]: CLOSED}) is None
