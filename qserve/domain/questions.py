"""Pre-visit questions of a service and the validation of a customer's answers."""

from __future__ import annotations

from qserve.domain.errors import ValidationFailed

MAX_TEXT = 500
TYPES = {"text", "choice", "yesno"}


def validate_questions(questions: list[dict]) -> list[dict]:
    """Check a service's question definitions and return them unchanged."""
    seen: set[str] = set()
    for question in questions:
        qid = question.get("id")
        if not qid or not isinstance(qid, str) or qid in seen:
            raise ValidationFailed("every question needs a unique string id", field="questions")
        if question.get("type") not in TYPES:
            raise ValidationFailed(f"question {qid}: type must be one of {sorted(TYPES)}", field="questions")
        if question["type"] == "choice" and not question.get("options"):
            raise ValidationFailed(f"question {qid}: a choice needs options", field="questions")
        seen.add(qid)
    return questions


def clean_answers(questions: list[dict], answers: dict | None) -> dict:
    """Return the answers that fit the questions, or raise ValidationFailed naming the question."""
    answers = answers or {}
    if not isinstance(answers, dict):
        raise ValidationFailed("answers must be an object keyed by question id", field="answers")
    known = {q["id"]: q for q in questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise ValidationFailed(f"unknown question: {unknown[0]}", field=f"answers.{unknown[0]}")
    cleaned: dict = {}
    for qid, question in known.items():
        value = answers.get(qid)
        if value in (None, ""):
            if question.get("required"):
                raise ValidationFailed("this question needs an answer", field=f"answers.{qid}")
            continue
        cleaned[qid] = _clean_one(question, value)
    return cleaned


def _clean_one(question: dict, value: object) -> object:
    field = f"answers.{question['id']}"
    if question["type"] == "yesno":
        if isinstance(value, bool):
            return value
        if value in ("yes", "no", "true", "false"):
            return value in ("yes", "true")
        raise ValidationFailed("answer yes or no", field=field)
    if question["type"] == "choice":
        options = [o["value"] if isinstance(o, dict) else o for o in question["options"]]
        if value not in options:
            raise ValidationFailed(f"choose one of {options}", field=field)
        return value
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValidationFailed(f"write at most {MAX_TEXT} characters", field=field)
    return value.strip()
