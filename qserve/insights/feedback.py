"""Feedback use cases: the form of a location, the page of a visit, one answer per ticket."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.db import read_session, transaction
from qserve.domain.errors import Conflict, NotFound
from qserve.insights.forms import clean_answer, validate_form_config
from qserve.insights.texts import DEFAULT_FORM, LANGUAGES
from qserve.models import Location, Ticket
from qserve.models.feedback import FeedbackAnswer, FeedbackForm

log = logging.getLogger(__name__)


def feedback_path(token: str) -> str:
    """Return the path of a visit's feedback page."""
    return f"/feedback/{token}"


def form_for(session: Session, *, organization_id: int, location_id: int | None) -> dict:
    """Return the form a location uses: its own, else its organization's, else the default."""
    rows = session.scalars(
        select(FeedbackForm).where(
            FeedbackForm.organization_id == organization_id,
            (FeedbackForm.location_id == location_id) | FeedbackForm.location_id.is_(None),
        )
    ).all()
    own = [r for r in rows if r.location_id is not None and r.location_id == location_id]
    shared = [r for r in rows if r.location_id is None]
    chosen = (own or shared or [None])[0]
    return validate_form_config(chosen.config) if chosen else validate_form_config(DEFAULT_FORM)


def asks_for_feedback(session: Session, *, location_id: int) -> bool:
    """Tell whether a location's feedback form is on (visits there are asked for feedback)."""
    location = session.get(Location, location_id)
    if location is None:
        return False
    return form_for(session, organization_id=location.organization_id, location_id=location_id)["enabled"]


def visit_asks_for_feedback(*, token: str) -> bool:
    """Tell whether a ticket's location asks for feedback; an unknown ticket is left to the feedback page."""
    with read_session() as session:
        location_id = session.scalar(select(Ticket.location_id).where(Ticket.public_token == token))
        return location_id is None or asks_for_feedback(session, location_id=location_id)


def set_feedback_form(
    *, organization_id: int, location_id: int | None, config: dict, now: datetime, user_id: int | None = None
) -> dict:
    """Save an organization's (or one location's) feedback form and return the clean configuration."""
    clean = validate_form_config(config)
    with transaction() as tx:
        if location_id is not None:
            location = tx.session.get(Location, location_id)
            if location is None or location.organization_id != organization_id:
                raise NotFound("no such location in this organization", field="location_id")
        row = tx.session.scalar(
            select(FeedbackForm).where(
                FeedbackForm.organization_id == organization_id,
                FeedbackForm.location_id.is_(None)
                if location_id is None
                else FeedbackForm.location_id == location_id,
            )
        )
        if row is None:
            row = FeedbackForm(organization_id=organization_id, location_id=location_id, updated_at=now)
            tx.session.add(row)
        row.config, row.updated_at, row.updated_by_id = clean, now, user_id
    log.info("feedback form saved for organization %s location %s", organization_id, location_id)
    return clean


def _finished_ticket(session: Session, token: str) -> Ticket:
    ticket = session.scalar(select(Ticket).where(Ticket.public_token == token))
    if ticket is None or ticket.status != "done" or ticket.finished_at is None:
        raise NotFound("there is no finished visit for this link")
    return ticket


def feedback_state(*, token: str, now: datetime, language: str | None = None) -> dict:
    """Return what the feedback page shows: the form, the visit, and its state (open, answered, expired)."""
    with read_session() as session:
        ticket = _finished_ticket(session, token)
        form = form_for(
            session, organization_id=ticket.location.organization_id, location_id=ticket.location_id
        )
        answered = session.scalar(select(FeedbackAnswer.id).where(FeedbackAnswer.ticket_id == ticket.id))
        expires_at = ticket.finished_at + timedelta(hours=form["valid_hours"])
        state = "answered" if answered else "expired" if now >= expires_at or not form["enabled"] else "open"
        lang = (
            language if language in LANGUAGES else ticket.language if ticket.language in LANGUAGES else "en"
        )
        return {
            "token": token,
            "state": state,
            "form": form,
            "language": lang,
            "number": ticket.number,
            "service": ticket.service.name(lang),
            "location": ticket.location.name,
            "expires_at": expires_at,
            "personal_data_erased": ticket.personal_data_erased_at is not None,
        }


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    return int((end - start).total_seconds()) if start and end else None


def submit_feedback(
    *,
    token: str,
    rating: object,
    recommendation: object = None,
    answers: dict | None = None,
    language: str = "en",
    now: datetime,
) -> int:
    """Store a visit's one answer, tied to its service, counter, staff member, wait and service time."""
    with transaction() as tx:
        ticket = _finished_ticket(tx.session, token)
        form = form_for(
            tx.session, organization_id=ticket.location.organization_id, location_id=ticket.location_id
        )
        if tx.session.scalar(select(FeedbackAnswer.id).where(FeedbackAnswer.ticket_id == ticket.id)):
            raise Conflict("this visit already has feedback")
        if now >= ticket.finished_at + timedelta(hours=form["valid_hours"]) or not form["enabled"]:
            raise Conflict("this feedback link has expired")
        clean = clean_answer(form, rating=rating, recommendation=recommendation, answers=answers or {})
        answer = FeedbackAnswer(
            ticket_id=ticket.id,
            location_id=ticket.location_id,
            service_id=ticket.service_id,
            counter_id=ticket.counter_id,
            served_by_id=ticket.served_by_id,
            wait_s=_seconds(ticket.joined_at, ticket.called_at),
            service_s=_seconds(ticket.serving_started_at or ticket.called_at, ticket.finished_at),
            rating=clean.rating,
            recommendation=clean.recommendation,
            choices=clean.choices,
            texts={} if ticket.personal_data_erased_at else clean.texts,
            language=language if language in LANGUAGES else "en",
            submitted_at=now,
        )
        tx.session.add(answer)
        tx.session.flush()
        answer_id = answer.id
    log.info("feedback %s stored for ticket %s", answer_id, ticket.id)  # ids only: never personal data
    return answer_id
