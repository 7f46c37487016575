"""The join form: what the customer typed, and clear translated messages for what the server refused."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask import Request
from flask_babel import get_locale, gettext

from qserve.domain.contact import normalize_email, normalize_phone
from qserve.domain.errors import Conflict, QServeError, ValidationFailed
from qserve.domain.questions import MAX_TEXT, clean_answers
from qserve.domain.texts import in_language
from qserve.extensions import LANGUAGES

ANSWER_PREFIX = "answers."


@dataclass
class JoinForm:
    """The values of the join form, kept as typed so that a refused form comes back filled in."""

    language: str
    name: str = ""
    phone: str = ""
    email: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    idempotency_key: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: Request, questions: list[dict], default_language: str) -> JoinForm:
        """Read the posted form, keeping only the service's own questions."""
        form = request.form
        language = form.get("language", "")
        return cls(
            language=language if language in LANGUAGES else default_language,
            name=form.get("name", "")[:200],
            phone=form.get("phone", "")[:32],
            email=form.get("email", "")[:254],
            answers={q["id"]: form.get(ANSWER_PREFIX + q["id"], "")[: MAX_TEXT + 1] for q in questions},
            idempotency_key=form.get("idempotency_key", "")[:100] or secrets.token_urlsafe(12),
        )

    def arguments(self) -> dict:
        """Return the keyword arguments of join_queue for these values."""
        return {
            "name": self.name.strip() or None,
            "phone": self.phone.strip() or None,
            "email": self.email.strip() or None,
            "language": self.language,
            "answers": {qid: value for qid, value in self.answers.items() if value != ""},
            "idempotency_key": self.idempotency_key,
        }


def check(form: JoinForm, questions: list[dict], *, phone_region: str) -> dict[str, str]:
    """Check every field the way the service will, so that all problems are shown at once."""
    errors: dict[str, str] = {}
    checks = [
        lambda: normalize_phone(form.phone, region=phone_region),
        lambda: normalize_email(form.email),
        *[
            (lambda q=question: clean_answers([q], {q["id"]: form.answers.get(q["id"])}))
            for question in questions
        ],
    ]
    for run in checks:
        try:
            run()
        except ValidationFailed as error:
            errors |= explain(error, form, questions)
    return errors


def explain(error: QServeError, form: JoinForm, questions: list[dict]) -> dict[str, str]:
    """Turn a refused join into a message per form field (or '_form' when no field is named)."""
    where = error.field or "_form"
    if where == "phone":
        if isinstance(error, Conflict):
            message = gettext("This phone number already has a ticket in line here.")
        else:
            message = gettext("This does not look like a phone number. Check it, or leave the field empty.")
    elif where == "email":
        message = gettext("This does not look like an e-mail address. Check it, or leave the field empty.")
    elif where == "language":
        message = gettext("Choose one of the languages.")
    elif where.startswith(ANSWER_PREFIX):
        message = _explain_answer(where.removeprefix(ANSWER_PREFIX), form, questions)
    else:
        where, message = (
            "_form",
            gettext("Something in the form is not right. Please check it and try again."),
        )
    return {where: message}


def _explain_answer(question_id: str, form: JoinForm, questions: list[dict]) -> str:
    question = next((q for q in questions if q["id"] == question_id), None)
    if question is None:
        return gettext("Please answer this question.")
    if form.answers.get(question_id, "") == "":  # the summary above the form names the question it means
        text = in_language(question.get("label"), str(get_locale() or "en")).strip()
        return (
            gettext("Please answer: %(question)s", question=text)
            if text
            else gettext("Please answer this question.")
        )
    if question["type"] == "yesno":
        return gettext("Choose yes or no.")
    if question["type"] == "choice":
        return gettext("Choose one of the options.")
    return gettext("Write at most %(count)d characters.", count=MAX_TEXT)
