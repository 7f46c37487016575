"""The booked customers a location expects: not checked in yet, but once their slot starts, called ahead of
every walk-in (hybrid mode), so a walk-in's wait must count those due before its turn comes.

Not everyone comes, and only who checks in by the end of the grace keeps the slot (a later arrival joins at
the back): each booking counts with the location's share of bookings kept on time, learned from its last
weeks and drawn towards a prior while they are few.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from qserve.appointments.slots import ArrivalPolicy
from qserve.models import Location
from qserve.models.appointment import Appointment
from qserve.predict.snapshot import ExpectedBooking

HORIZON = timedelta(hours=4)  # bookings further ahead than this cannot move a wait being told now
HISTORY = timedelta(days=60)
PRIOR_KEPT = 0.85  # the share of bookings kept on time where a location has no history yet
PRIOR_WEIGHT = 10  # ...weighed as this many bookings
KEPT_SHARE_KEPT = timedelta(minutes=10)  # how long a location's share is used before it is read again


def expected_bookings(session: Session, location: Location, now: datetime) -> tuple[ExpectedBooking, ...]:
    """Return the location's bookings not checked in whose slot starts within HORIZON or is still within its
    grace, in slot order, each with the chance that its customer keeps the slot."""
    policy = ArrivalPolicy.from_settings(location.settings)
    grace = timedelta(seconds=policy.grace_s)
    rows = session.execute(
        select(Appointment.id, Appointment.service_id, Appointment.starts_at)
        .where(
            Appointment.location_id == location.id,
            Appointment.status == "booked",
            Appointment.starts_at > now - grace,
            Appointment.starts_at <= now + HORIZON,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    if not rows:
        return ()
    kept = _recent_kept_share(session, location.id, now)
    return tuple(
        ExpectedBooking(id_, service_id, starts_at, kept * _still_possible(starts_at, now, grace))
        for id_, service_id, starts_at in rows
    )


def _recent_kept_share(session: Session, location_id: int, now: datetime) -> float:
    """Return kept_share as worked out within KEPT_SHARE_KEPT: a refresh runs several times a second on a
    busy location, and the share of the last 60 days does not move between two of them."""
    remembered = current_app.extensions.setdefault("qserve.kept_share", {})
    at, share = remembered.get(location_id, (None, None))
    if at is None or not timedelta(0) <= now - at < KEPT_SHARE_KEPT:
        share = kept_share(session, location_id, now)
        remembered[location_id] = (now, share)
    return share


def kept_share(session: Session, location_id: int, now: datetime) -> float:
    """Return the share of a location's recent bookings whose customer checked in keeping the slot, of those
    that came to their slot (checked in or marked no-show), drawn towards PRIOR_KEPT."""
    on_time = and_(Appointment.status == "checked_in", Appointment.check_in_outcome == "keep_slot")
    kept, settled = session.execute(
        select(
            func.coalesce(func.sum(case((on_time, 1), else_=0)), 0),
            func.count(Appointment.id),
        ).where(
            Appointment.location_id == location_id,
            Appointment.status.in_(("checked_in", "no_show")),
            Appointment.starts_at > now - HISTORY,
            Appointment.starts_at <= now,
        )
    ).one()
    return (int(kept) + PRIOR_KEPT * PRIOR_WEIGHT) / (int(settled) + PRIOR_WEIGHT)


def _still_possible(starts_at: datetime, now: datetime, grace: timedelta) -> float:
    """Return how much of a booking's chance is left: all of it before its slot; once the slot has started
    without the customer, the share of the grace still to run."""
    if starts_at >= now:
        return 1.0
    return max(0.0, 1.0 - (now - starts_at) / grace)
