"""Joins committed together (group commit): each is held to the rules of a join alone, in the order of its
clock, and a join that is refused or breaks the transaction costs the others nothing."""

from datetime import timedelta

from sqlalchemy import select

from qserve.db import read_session, transaction
from qserve.domain.errors import Conflict, NotFound, ServiceClosed, ServiceFull, ValidationFailed
from qserve.models import Service, Ticket, TicketEvent, TicketNumberCounter
from qserve.services.joining import AppointmentsOnly, JoinRequest, SiteFull, join_queues


def request(location, now, *, service_index=0, **fields):
    """Return a JoinRequest for a location made by the factory."""
    return JoinRequest(
        location_slug=location["slug"], service_id=location["service_ids"][service_index], now=now, **fields
    )


def tickets_of(location):
    with read_session() as session:
        query = select(Ticket).where(Ticket.location_id == location["id"]).order_by(Ticket.id)
        return list(session.scalars(query))


def set_service(service_id, **values):
    with transaction() as tx:
        service = tx.session.get(Service, service_id)
        for name, value in values.items():
            setattr(service, name, value)


def test_joins_committed_together_get_consecutive_numbers_and_stand_in_order(make, clock):
    location = make.location()
    make.ticket(location=location, now=clock())
    outcomes = join_queues([request(location, clock()) for _ in range(5)])
    assert [view["number"] for view in outcomes] == ["A002", "A003", "A004", "A005", "A006"]
    assert [view["position"] for view in outcomes] == [2, 3, 4, 5, 6]
    assert [view["people_ahead"] for view in outcomes] == [1, 2, 3, 4, 5]
    waits = [view["estimated_wait"]["p50_s"] for view in outcomes]
    assert waits == sorted(waits) and waits[0] < waits[-1]
    stored = {t.id: t for t in tickets_of(location)}
    for view in outcomes:
        ticket = stored[view["id"]]
        assert (ticket.number, ticket.status, ticket.channel) == (view["number"], "waiting", "remote")
        assert ticket.joined_estimate_p50_s == view["estimated_wait"]["p50_s"] == ticket.estimate_p50_s
    with read_session() as session:
        logged = session.scalars(
            select(TicketEvent.ticket_id).where(TicketEvent.action == "issue").order_by(TicketEvent.id)
        ).all()
    assert logged[-5:] == [view["id"] for view in outcomes]


def test_a_batch_over_two_services_numbers_each_and_gives_every_ticket_its_own_id_in_clock_order(make, clock):
    """The ids of a whole batch are taken once, with its first block of numbers (PostgreSQL) or from the
    table (SQLite): the second service's joins get theirs too, in the order of the joins' clocks."""
    location = make.location()
    make.ticket(location=location, now=clock(), service_index=1)
    outcomes = join_queues(
        [request(location, clock.advance(seconds=1), service_index=index % 2) for index in range(5)]
    )
    assert [view["number"] for view in outcomes] == ["A001", "B002", "A002", "B003", "A003"]
    ids = [view["id"] for view in outcomes]
    assert ids == sorted(ids) and len(set(ids)) == 5
    stored = {t.id: t.number for t in tickets_of(location)}
    assert [stored[ticket_id] for ticket_id in ids] == ["A001", "B002", "A002", "B003", "A003"]


def test_the_estimate_announced_is_the_one_stored_whether_it_went_in_with_the_ticket_or_after_it(make, clock):
    """Plain joins into a plain line carry their estimates in the INSERT; with a priority ticket in line
    (or joining) the tickets go in first and their estimates follow: either way the row holds what the
    customer was told (the current estimate moves on with later refreshes)."""
    location = make.location()
    plain = join_queues([request(location, clock()) for _ in range(2)])
    make.ticket(location=location, now=clock.advance(seconds=1), priority=1)
    mixed = join_queues([request(location, clock.advance(seconds=1)), request(location, clock(), priority=2)])
    stored = {t.id: t for t in tickets_of(location)}
    for view in plain + mixed:
        ticket, told = stored[view["id"]], view["estimated_wait"]
        joined = (ticket.joined_estimate_p10_s, ticket.joined_estimate_p50_s, ticket.joined_estimate_p90_s)
        assert joined == (told["p10_s"], told["p50_s"], told["p90_s"])
    assert [view["position"] for view in mixed] == [4, 1]  # the higher priority goes ahead of everyone


def test_joins_are_numbered_in_the_order_of_their_clocks_not_of_arrival(make, clock):
    location = make.location()
    late, early = clock() + timedelta(seconds=2), clock()
    outcomes = join_queues([request(location, late, name="late"), request(location, early, name="early")])
    assert [view["number"] for view in outcomes] == ["A002", "A001"]
    assert [view["position"] for view in outcomes] == [2, 1]


def test_a_refused_join_in_a_batch_costs_the_others_nothing_and_no_number(make, clock):
    location = make.location()
    set_service(location["service_ids"][1], is_open=False)
    outcomes = join_queues(
        [
            request(location, clock(), phone="040 123 4567"),
            JoinRequest(location_slug="nowhere", service_id=1, now=clock()),
            request(location, clock(), service_index=1),
            request(location, clock(), channel="pigeon"),
            request(location, clock(), phone="0401234567"),  # the same phone as the first, written otherwise
            request(location, clock(), phone="12"),
            request(location, clock()),
        ]
    )
    assert isinstance(outcomes[1], NotFound)
    assert isinstance(outcomes[2], ServiceClosed)
    assert isinstance(outcomes[3], ValidationFailed) and outcomes[3].field == "channel"
    assert isinstance(outcomes[4], Conflict) and outcomes[4].field == "phone"
    assert isinstance(outcomes[5], ValidationFailed) and outcomes[5].field == "phone"
    assert [outcomes[0]["number"], outcomes[6]["number"]] == ["A001", "A002"]
    assert [t.number for t in tickets_of(location)] == ["A001", "A002"]


def test_the_daily_cap_is_held_within_a_batch_and_gives_back_the_numbers_past_it(make, clock):
    location = make.location()
    service_id = location["service_ids"][0]
    set_service(service_id, daily_cap=3)
    make.ticket(location=location, now=clock())
    outcomes = join_queues([request(location, clock()) for _ in range(4)])
    assert [o["number"] if isinstance(o, dict) else type(o) for o in outcomes] == [
        "A002",
        "A003",
        ServiceFull,
        ServiceFull,
    ]
    with read_session() as session:
        counter = session.scalar(
            select(TicketNumberCounter).where(TicketNumberCounter.service_id == service_id)
        )
    assert counter.last_number == 3
    set_service(service_id, daily_cap=5)
    assert [o["number"] for o in join_queues([request(location, clock()) for _ in range(2)])] == [
        "A004",
        "A005",
    ]


def test_the_site_cap_counts_the_joins_before_in_the_same_batch(make, clock):
    from qserve.models import Location

    location = make.location()
    with transaction() as tx:
        place = tx.session.get(Location, location["id"])
        place.mode, place.settings = "hybrid", {"appointments": {"on_site_cap": 2}}
    outcomes = join_queues([request(location, clock(), service_index=i % 2) for i in range(3)])
    assert isinstance(outcomes[0], dict) and isinstance(outcomes[1], dict)
    assert isinstance(outcomes[2], SiteFull)


def test_walk_ins_are_refused_in_a_batch_where_only_appointments_are_taken(make, clock):
    location = make.location()
    set_service(location["service_ids"][0], mode="appointments")
    outcomes = join_queues([request(location, clock()), request(location, clock(), service_index=1)])
    assert isinstance(outcomes[0], AppointmentsOnly)
    assert outcomes[1]["number"] == "B001"


def test_a_key_used_twice_in_one_batch_gives_the_same_ticket(make, clock):
    location = make.location()
    outcomes = join_queues(
        [
            request(location, clock(), idempotency_key="tap-1"),
            request(location, clock(), idempotency_key="tap-1"),
            request(location, clock(), idempotency_key="tap-2"),
        ]
    )
    assert outcomes[0]["id"] == outcomes[1]["id"] != outcomes[2]["id"]
    again = join_queues([request(location, clock(), idempotency_key="tap-2")])[0]
    assert again["id"] == outcomes[2]["id"]
    assert len(tickets_of(location)) == 2


def test_a_batch_that_fails_as_a_whole_is_run_again_one_join_at_a_time(make, clock):
    location = make.location()
    # A check-in of a booking that does not exist passes the join's rules; the booking handler refuses it in
    # the transaction, which would take the other joins down with it.
    check_in = request(location, clock(), channel="appointment", details={"appointment_id": 999_999})
    outcomes = join_queues([request(location, clock()), check_in, request(location, clock())])
    assert isinstance(outcomes[1], Conflict)
    assert [outcomes[0]["number"], outcomes[2]["number"]] == ["A001", "A002"]
    assert [t.number for t in tickets_of(location)] == ["A001", "A002"]


def test_a_priority_join_in_a_batch_stands_ahead_of_the_plain_ones(make, clock):
    location = make.location()
    make.ticket(location=location, now=clock())
    outcomes = join_queues(
        [request(location, clock()), request(location, clock(), priority=1), request(location, clock())]
    )
    assert [view["position"] for view in outcomes] == [2, 1, 4]


def test_an_unexpected_error_in_a_batch_reaches_only_the_join_that_caused_it(make, clock, monkeypatch):
    from qserve.services import joining

    location = make.location()
    real_ticket_row = joining._ticket_row

    def broken_for_bob(item):
        if item.request.name == "Bob":
            raise RuntimeError("a fault in this one join")
        return real_ticket_row(item)

    monkeypatch.setattr(joining, "_ticket_row", broken_for_bob)
    outcomes = join_queues(
        [
            request(location, clock(), name="Ann"),
            request(location, clock(), name="Bob"),
            request(location, clock()),
        ]
    )
    assert isinstance(outcomes[1], RuntimeError)
    assert [outcomes[0]["number"], outcomes[2]["number"]] == ["A001", "A002"]
    assert [t.name for t in tickets_of(location)] == ["Ann", None]


def test_a_priority_join_in_a_batch_has_the_line_scanned_for_messages_as_when_it_joins_alone(
    make, clock, monkeypatch
):
    from qserve.notify import policy

    location = make.location()
    scanned = []
    monkeypatch.setattr(policy, "enqueue_threshold_messages", lambda session, **kw: scanned.append(kw))
    join_queues([request(location, clock(), priority=1, phone="040 111 2222"), request(location, clock())])
    assert len(scanned) == 1  # the priority ticket joined ahead of others: their thresholds may have moved
    join_queues([request(location, clock()), request(location, clock())])
    assert len(scanned) == 1  # plain joins stand at the back: nobody moved


def test_one_census_of_the_line_counts_who_waits_and_who_joined_since_an_id(make, clock):
    from qserve.services.queue import line_census

    location = make.location(services=2)
    first = make.ticket(location=location, now=clock())
    make.ticket(location=location, now=clock.advance(seconds=1), priority=1)
    make.ticket(location=location, now=clock.advance(seconds=1), service_index=1)
    booked = clock() + timedelta(minutes=30)
    make.ticket(location=location, now=clock.advance(seconds=1), appointment_at=booked)
    with read_session() as session:
        census = line_census(session, service_ids=location["service_ids"] + [999], last_id=first)
    one, two = location["service_ids"]
    assert (census.waiting[one], census.booked[one], census.priority[one], census.newer[one]) == (3, 1, 1, 2)
    assert (census.waiting[two], census.booked[two], census.priority[two], census.newer[two]) == (1, 0, 0, 1)
    assert census.waiting[999] == 0
    assert census.plain([two]) and not census.plain([one]) and not census.plain([one, two])


def test_a_census_counts_those_since_an_id_the_same_from_either_end_of_the_line(make, clock):
    """Whether it reads the ids above the refresh's or, the shorter range, those at or below it, a census
    tells the same: who joined since, who waits, the appointments and priority tickets among them."""
    from qserve.services.queue import line_census

    location = make.location(services=2)
    one, two = location["service_ids"]
    make.ticket(location=location, now=clock())
    last = make.ticket(location=location, now=clock.advance(seconds=1), service_index=1, priority=2)
    newest = last
    for index in range(5):
        booked = clock() + timedelta(minutes=30) if index == 3 else None
        newest = make.ticket(
            location=location, now=clock.advance(seconds=1), service_index=index % 2, appointment_at=booked
        )
    with read_session() as session:
        counts = [
            line_census(session, service_ids=[one, two], last_id=last, seen=seen, newest_id=newest)
            for seen in (None, 10, 1)  # above, above, below (1 seen then, 5 ids since)
        ]
    assert counts[0] == counts[1] == counts[2]
    census = counts[0]
    assert (census.waiting[one], census.newer[one], census.booked[one], census.priority[one]) == (4, 3, 0, 0)
    assert (census.waiting[two], census.newer[two], census.booked[two], census.priority[two]) == (3, 2, 1, 1)


def test_places_from_the_census_are_those_counted_one_question_at_a_time(make, clock):
    """A census answers a batch's places only where it can (no appointments in line); where an
    appointment waits, the places come from the clock-aware count, the same as a join alone."""
    location = make.location(services=2)
    make.ticket(location=location, now=clock(), priority=1)
    make.ticket(location=location, now=clock.advance(seconds=1))
    later = clock() + timedelta(minutes=30)
    make.ticket(location=location, now=clock(), service_index=1, appointment_at=later)
    due = clock() - timedelta(minutes=1)
    make.ticket(location=location, now=clock(), service_index=1, appointment_at=due)
    outcomes = join_queues(
        [request(location, clock.advance(seconds=1), service_index=index) for index in (0, 1, 0, 1)]
    )
    assert [view["people_ahead"] for view in outcomes] == [2, 1, 3, 2]  # the later booking is not ahead
    assert [view["ahead_appointments"] for view in outcomes] == [0, 1, 0, 1]
