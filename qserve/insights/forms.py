"""Pure rules of feedback forms: validate a form's configuration and a customer's answer to it."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from qserve.domain.errors import ValidationFailed
from qserve.insights.texts import DEFAULT_FORM, LANGUAGES

MAX_QUESTIONS = 6
MAX_TEXT = 1000
KINDS = ("choice", "text")


def _texts(value: object, field: str) -> dict:
    if not isinstance(value, dict) or not value.get("en"):
        raise ValidationFailed("texts need at least an English text", field=field)
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        raise ValidationFailed(f"unknown languages {sorted(unknown)}", field=field)
    return {lang: str(text)[:300] for lang, text in value.items()}


def _question(raw: object, index: int) -> dict:
    field = f"questions[{index}]"
    if not isinstance(raw, dict) or not str(raw.get("key", "")).isidentifier():
        raise ValidationFailed("each question needs a key made of letters, digits and _", field=field)
    if raw.get("kind") not in KINDS:
        raise ValidationFailed(f"kind must be one of {list(KINDS)}", field=field + ".kind")
    question = {"key": raw["key"], "kind": raw["kind"], "texts": _texts(raw.get("texts"), field + ".texts")}
    if raw["kind"] == "choice":
        choices = raw.get("choices")
        if not isinstance(choices, list) or not 2 <= len(choices) <= 8:
            raise ValidationFailed("a choice question needs 2 to 8 choices", field=field + ".choices")
        question["choices"] = [
            {"key": str(c.get("key")), "texts": _texts(c.get("texts"), f"{field}.choices[{i}]")}
            for i, c in enumerate(choices)
        ]
    return question


def validate_form_config(raw: dict) -> dict:
    """Return a clean form configuration, or raise ValidationFailed naming the field."""
    if not isinstance(raw, dict):
        raise ValidationFailed("the form must be an object", field="config")
    config = copy.deepcopy(DEFAULT_FORM) | {k: v for k, v in raw.items() if k != "questions"}
    questions = raw.get("questions", DEFAULT_FORM["questions"])
    if not isinstance(questions, list) or len(questions) > MAX_QUESTIONS:
        raise ValidationFailed(f"at most {MAX_QUESTIONS} questions", field="questions")
    config["questions"] = [_question(q, i) for i, q in enumerate(questions)]
    keys = [q["key"] for q in config["questions"]]
    if len(set(keys)) != len(keys):
        raise ValidationFailed("question keys must be different", field="questions")
    valid_hours = config.get("valid_hours")
    if not isinstance(valid_hours, int) or not 1 <= valid_hours <= 24 * 30:
        raise ValidationFailed("valid_hours must be 1 to 720", field="valid_hours")
    config["enabled"] = bool(config.get("enabled"))
    config["ask_recommendation"] = bool(config.get("ask_recommendation"))
    return config


@dataclass(frozen=True)
class CleanAnswer:
    """A customer's answer, checked against the form: anonymous choices apart from personal free text."""

    rating: int
    recommendation: int | None
    choices: dict
    texts: dict


def _score(value: object, low: int, high: int, field: str) -> int:
    try:
        score = int(str(value))
    except ValueError as error:
        raise ValidationFailed(f"give a whole number from {low} to {high}", field=field) from error
    if not low <= score <= high:
        raise ValidationFailed(f"give a whole number from {low} to {high}", field=field)
    return score


def clean_answer(config: dict, *, rating: object, recommendation: object, answers: dict) -> CleanAnswer:
    """Check an answer against a form and split it into anonymous choices and free texts."""
    score = _score(rating, 1, 5, "rating")
    recommend = None
    if config.get("ask_recommendation") and recommendation not in (None, ""):
        recommend = _score(recommendation, 0, 10, "recommendation")
    choices, texts = {}, {}
    for question in config["questions"]:
        value = answers.get(question["key"])
        if value in (None, ""):
            continue
        if question["kind"] == "choice":
            if value not in {c["key"] for c in question["choices"]}:
                raise ValidationFailed("choose one of the offered answers", field=question["key"])
            choices[question["key"]] = value
        else:
            texts[question["key"]] = str(value).strip()[:MAX_TEXT]
    return CleanAnswer(score, recommend, choices, texts)
