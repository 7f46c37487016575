"""Erase a visit's personal data at the customer's request or when the retention period ends."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from qserve.db import transaction
from qserve.domain.errors import NotFound
from qserve.models import InboundSms, Organization, OutboxMessage, PushSubscription, Ticket
from qserve.models.feedback import FeedbackAnswer

log = logging.getLogger(__name__)

CLOSED = ("done", "no_show", "cancelled")
ERASED_PHONE = "erased"
BATCH = 500


def erase_ticket(session: Session, ticket: Ticket, *, now: datetime) -> None:
    """Blank a ticket's contact details and free texts everywhere they are kept; keep anonymous facts."""
    ticket.name = ticket.phone = ticket.email = ticket.cancel_reason = None
    ticket.answers, ticket.notes = {}, ""
    ticket.personal_data_erased_at = now
    session.execute(
        update(FeedbackAnswer)
        .where(FeedbackAnswer.ticket_id == ticket.id)
        .values(texts={}, texts_erased_at=now)
    )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.ticket_id == ticket.id, OutboxMessage.status == "pending")
        .values(status="skipped")
    )
    session.execute(update(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id).values(payload={}))
    session.execute(PushSubscription.__table__.delete().where(PushSubscription.ticket_id == ticket.id))
    session.execute(update(InboundSms).where(InboundSms.ticket_id == ticket.id).values(phone=ERASED_PHONE))


def erase_my_personal_data(*, token: str, now: datetime) -> int:
    """Erase the personal data of the visit behind a ticket link at once and return the ticket id."""
    with transaction() as tx:
        ticket = tx.session.scalar(select(Ticket).where(Ticket.public_token == token))
        if ticket is None:
            raise NotFound("there is no visit for this link")
        erase_ticket(tx.session, ticket, now=now)
        ticket_id = ticket.id
    log.info("personal data of ticket %s erased at the customer's request", ticket_id)
    return ticket_id


def _expired_ids(session: Session, organization: Organization, now: datetime) -> list[int]:
    cutoff = now - timedelta(days=organization.retention_days)
    location_ids = [location.id for location in organization.locations]
    return list(
        session.scalars(
            select(Ticket.id)
            .where(
                Ticket.location_id.in_(location_ids),
                Ticket.status.in_(CLOSED),
                Ticket.personal_data_erased_at.is_(None),
                or_(Ticket.closed_at <= cutoff, Ticket.closed_at.is_(None) & (Ticket.joined_at <= cutoff)),
            )
            .order_by(Ticket.id)
            .limit(BATCH)
        )
    )


def erase_expired_personal_data(*, now: datetime) -> int:
    """Erase personal data of visits closed longer ago than their organization's retention period."""
    erased = 0
    with transaction() as tx:
        for organization in tx.session.scalars(select(Organization)).all():
            ids = _expired_ids(tx.session, organization, now)
            for ticket in tx.session.scalars(select(Ticket).where(Ticket.id.in_(ids))):
                erase_ticket(tx.session, ticket, now=now)
            erased += len(ids)
    if erased:
        log.info("retention: personal data of %s closed tickets erased", erased)
    return erased
