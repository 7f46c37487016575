"""Serve tickets at fixed times through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta

from qserve.services.calling import act_on_ticket, call_ticket


def serve(
    make,
    location: dict,
    staff: dict,
    *,
    joined: datetime,
    wait_s: int,
    service_s: int | None,
    counter: int = 0,
    service_index: int = 0,
    outcome: str = "finish",
    **contact,
) -> int:
    """Issue a ticket, call it after `wait_s`, then finish it after `service_s` (or mark a no-show)."""
    ticket_id = make.ticket(location=location, service_index=service_index, now=joined, **contact)
    called = joined + timedelta(seconds=wait_s)
    call_ticket(
        ticket_id=ticket_id,
        counter_id=location["counter_ids"][counter],
        actor=staff["actor"],
        now=called,
        reason="test",
    )
    if outcome == "no-show":
        act_on_ticket(
            ticket_id=ticket_id, action="no-show", actor=staff["actor"], now=called + timedelta(minutes=3)
        )
        return ticket_id
    act_on_ticket(ticket_id=ticket_id, action="start", actor=staff["actor"], now=called)
    act_on_ticket(
        ticket_id=ticket_id, action="finish", actor=staff["actor"], now=called + timedelta(seconds=service_s)
    )
    return ticket_id
