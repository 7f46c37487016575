"""Pure checks of the questions administrators write: a service's pre-visit questions and a feedback form's,
from editor rows to the structure qserve reads and back, keeping what the editor does not show.

Each function raises ValidationFailed with the form field to mark. No database, no clock, no Flask.
"""

from __future__ import annotations

import re

from qserve.admin.rules import LANGUAGES, with_hidden_languages
from qserve.domain.errors import ValidationFailed

QUESTION_TYPES = ("text", "choice", "yesno")
MAX_QUESTIONS = 10


def _key(text: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return key[:40] or "option"


def parse_question(row: dict, *, languages: list[str], index: int, taken: set[str]) -> dict | None:
    """Turn one editor row into a question ({id, type, required, label, options}); a row without text is None.

    `row` has "id", "type", "required", "label": {lang: text} and, for a choice, "options": {lang: lines}.
    """
    field = f"questions.{index}"
    labels = {lang: (row.get("label", {}).get(lang) or "").strip() for lang in languages}
    if not any(labels.values()):
        return None
    first = languages[0]
    if not labels[first]:
        raise ValidationFailed("write the question at least in the first language", field=field)
    kind = row.get("type")
    if kind not in QUESTION_TYPES:
        raise ValidationFailed("choose text, choice or yes/no", field=field)
    qid = (row.get("id") or "").strip() or _unused(_key(labels[first]), taken)
    question = {
        "id": qid,
        "type": kind,
        "required": bool(row.get("required")),
        "label": {lang: text[:300] for lang, text in labels.items() if text},
    }
    if kind == "choice":
        question["options"] = _options(row.get("options") or {}, languages, field)
    return question


def _unused(key: str, taken: set[str]) -> str:
    candidate, number = key, 2
    while candidate in taken:
        candidate, number = f"{key}_{number}", number + 1
    return candidate


def _options(lines_by_language: dict, languages: list[str], field: str) -> list[dict]:
    lines = {
        lang: [s.strip() for s in (lines_by_language.get(lang) or "").splitlines() if s.strip()]
        for lang in languages
    }
    first = lines[languages[0]]
    if len(first) < 2:
        raise ValidationFailed("a choice needs at least two options, one per line", field=field)
    for lang in languages[1:]:
        if lines[lang] and len(lines[lang]) != len(first):
            raise ValidationFailed(f"give as many options in {lang} as in {languages[0]}", field=field)
    options, taken = [], set()
    for position, text in enumerate(first):
        value = _unused(_key(text), taken)
        taken.add(value)
        label = {lang: lines[lang][position] for lang in languages if lines[lang]}
        options.append({"value": value, "label": label})
    return options


def parse_questions(rows: list[dict], *, languages: list[str]) -> list[dict]:
    """Turn the editor's rows into questions in the shape qserve.domain.questions validates."""
    taken = {(row.get("id") or "").strip() for row in rows} - {""}
    questions = []
    for index, row in enumerate(rows):
        question = parse_question(row, languages=languages, index=index, taken=taken)
        if question is not None:
            taken.add(question["id"])
            questions.append(question)
    if len(questions) > MAX_QUESTIONS:
        raise ValidationFailed(f"at most {MAX_QUESTIONS} questions", field="questions")
    if len({q["id"] for q in questions}) != len(questions):
        raise ValidationFailed("two questions have the same id", field="questions")
    return questions


def question_rows(questions: list[dict], languages: list[str]) -> list[dict]:
    """Turn stored questions back into editor rows (labels and option lines per language)."""
    rows = []
    for question in questions or []:
        label = question.get("label")
        labels = label if isinstance(label, dict) else {languages[0]: str(label or "")}
        options: dict[str, str] = {}
        for lang in languages:
            texts = [_option_text(option, lang) for option in question.get("options") or []]
            options[lang] = "\n".join(texts) if any(texts) else ""
        rows.append(
            {
                "id": question.get("id", ""),
                "type": question.get("type", "text"),
                "required": bool(question.get("required")),
                "label": {lang: labels.get(lang, "") for lang in languages},
                "options": options,
            }
        )
    return rows


def keep_stored_texts(questions: list[dict], stored: list[dict], languages: list[str]) -> list[dict]:
    """Keep what the editor does not show: labels in languages the location does not offer, and the stored
    value of every option whose text in the first language is unchanged (so given answers keep their meaning).
    """
    before = {q.get("id"): q for q in stored or [] if isinstance(q, dict)}
    kept = []
    for question in questions:
        old = before.get(question["id"])
        if old is not None:
            question = question | {
                "label": with_hidden_languages(question["label"], old.get("label"), languages)
            }
            if "options" in question:
                question["options"] = _keep_options(question["options"], old.get("options"), languages)
        kept.append(question)
    return kept


def _keep_options(options: list[dict], stored: object, languages: list[str]) -> list[dict]:
    unclaimed = {}
    for old in stored if isinstance(stored, list) else []:
        if isinstance(old, dict) and "value" in old:
            unclaimed.setdefault(_option_text(old, languages[0]), old)
    matches = [unclaimed.pop(option["label"].get(languages[0], ""), None) for option in options]
    taken = {str(old["value"]) for old in matches if old is not None}
    kept = []
    for option, old in zip(options, matches, strict=True):
        if old is None:
            value = _unused(option["value"], taken)
            kept.append(option | {"value": value})
            taken.add(value)
        else:
            label = with_hidden_languages(option["label"], old.get("label"), languages)
            kept.append({"value": old["value"], "label": label})
    return kept


def _option_text(option: object, language: str) -> str:
    if isinstance(option, dict):
        label = option.get("label")
        if isinstance(label, dict):
            return label.get(language, "")
        return str(label or option.get("value", ""))
    return str(option)


def parse_feedback_questions(rows: list[dict]) -> list[dict]:
    """Turn feedback editor rows into the questions qserve.insights.forms validates (all four languages)."""
    questions, taken = [], {(row.get("key") or "").strip() for row in rows} - {""}
    for index, row in enumerate(rows):
        texts = {lang: (row.get("texts", {}).get(lang) or "").strip() for lang in LANGUAGES}
        if not any(texts.values()):
            continue
        field = f"feedback.{index}"
        if not texts["en"]:
            raise ValidationFailed("write the question at least in English", field=field)
        key = (row.get("key") or "").strip() or _unused(_key(texts["en"]), taken)
        taken.add(key)
        question = {"key": key, "kind": row.get("kind"), "texts": {k: v for k, v in texts.items() if v}}
        if row.get("kind") == "choice":
            options = _options(row.get("choices") or {}, list(LANGUAGES), field)
            question["choices"] = [{"key": o["value"], "texts": o["label"]} for o in options]
        questions.append(question)
    return questions


def feedback_rows(questions: list[dict]) -> list[dict]:
    """Turn a feedback form's questions back into editor rows."""
    rows = []
    for question in questions or []:
        choices = question.get("choices") or []
        rows.append(
            {
                "key": question.get("key", ""),
                "kind": question.get("kind", "text"),
                "texts": {lang: question.get("texts", {}).get(lang, "") for lang in LANGUAGES},
                "choices": {
                    lang: "\n".join(c.get("texts", {}).get(lang, "") for c in choices)
                    if any(c.get("texts", {}).get(lang) for c in choices)
                    else ""
                    for lang in LANGUAGES
                },
            }
        )
    return rows
