"""Demo bookings: the demo's bookable services get customers booked over the coming week, so that the booking
pages, the staff's list of today's bookings, kiosk check-in and the managers' booking figures have something
to show."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from qserve.appointments.services import book_appointment, list_slots
from qserve.db import read_session
from qserve.models import Location

DAYS_AHEAD = 7
SHARE_BOOKED = 0.4  # of the slots still free, about this many are taken
NAMES = ("Aino", "Eero", "Helmi", "Jussi", "Kasia", "Lena", "Marek", "Nils", "Olga", "Piotr", "Sanna")


def book_demo_days(*, now: datetime, rng: random.Random) -> int:
    """Book customers into the free slots of every bookable service for the next days; return how many.

    Each booking goes through the booking use case (capacity taken as a customer's would be). The bookings
    carry a name and a language but no phone or e-mail: the demo sends nobody reminders."""
    with read_session() as session:
        bookable = [
            (location.slug, location.time_zone, [*location.languages, "en"][0], service.id, service.questions)
            for location in session.scalars(select(Location).order_by(Location.id))
            for service in location.services
            if (service.mode or location.mode) in ("appointments", "hybrid")
        ]
    booked = 0
    for slug, time_zone, language, service_id, questions in bookable:
        today = now.astimezone(ZoneInfo(time_zone)).date()
        for offset in range(DAYS_AHEAD):
            day = today + timedelta(days=offset)
            for slot in list_slots(location_slug=slug, service_id=service_id, day=day, now=now):
                if not slot["available"] or rng.random() >= SHARE_BOOKED:
                    continue
                book_appointment(
                    location_slug=slug,
                    service_id=service_id,
                    starts_at=datetime.fromisoformat(slot["starts_at"]),
                    now=now,
                    name=rng.choice(NAMES),
                    language=language,
                    answers=_answers(questions or [], rng),
                )
                booked += 1
    return booked


def _answers(questions: list[dict], rng: random.Random) -> dict:
    """Answer a service's required choice questions at random (what a booking form insists on)."""
    return {
        question["id"]: rng.choice(question["options"])["value"]
        for question in questions
        if question.get("required") and question.get("type") == "choice" and question.get("options")
    }
