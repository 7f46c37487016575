"""Pure checks of what administrators type: hours, exceptions, time zones, fairness, questions, printers."""

from __future__ import annotations

from datetime import date, time

import pytest

from qserve.admin import question_rules, rules
from qserve.appointments.slots import windows_of
from qserve.domain.errors import ValidationFailed
from qserve.domain.ordering import FairnessKind, FairnessRule
from qserve.domain.questions import clean_answers, validate_questions
from qserve.mobile.hours import intervals_on


@pytest.mark.parametrize(
    ("typed", "spans"),
    [
        ("08:00-16:00", [["08:00", "16:00"]]),
        ("8:00 - 12:00, 13:00-16:30", [["08:00", "12:00"], ["13:00", "16:30"]]),
        ("13:00-16:00; 08:00-12:00", [["08:00", "12:00"], ["13:00", "16:00"]]),
        ("", []),
        ("closed", []),
        ("suljettu", []),
        ("18:00-24:00", [["18:00", "24:00"]]),  # until midnight, as the opening-hours reading takes it
        ("00:00-24:00", [["00:00", "24:00"]]),
    ],
)
def test_hours_are_read_as_sorted_spans(typed, spans):
    assert rules.parse_spans(typed, field="hours_mon") == spans


@pytest.mark.parametrize(
    "typed",
    [
        "8-16",
        "16:00-08:00",
        "08:00-08:00",
        "08:00-12:00, 11:00-14:00",
        "25:00-26:00",
        "08:00",
        "24:00-24:00",
        "18:00-00:00",
        "18:00-24:30",
    ],
)
def test_impossible_hours_are_refused_naming_the_day(typed):
    with pytest.raises(ValidationFailed) as error:
        rules.parse_spans(typed, field="hours_tue")
    assert error.value.field == "hours_tue"


def test_a_location_open_until_midnight_is_open_at_its_last_minute_and_saved_as_typed():
    hours = rules.parse_opening_hours({"fri": "18:00-24:00"}, "")
    assert intervals_on(hours, date(2026, 12, 4)) == [(time(18), time.max)]
    assert rules.format_spans(hours["fri"]) == "18:00-24:00"


def test_opening_hours_have_the_shape_the_slot_and_phone_code_read():
    hours = rules.parse_opening_hours(
        {"mon": "08:00-12:00, 13:00-16:00", "sat": "10:00-14:00"},
        "2026-12-24 closed\n2026-12-31 09:00-13:00",
    )
    assert hours["mon"] == [["08:00", "12:00"], ["13:00", "16:00"]]
    assert "sun" not in hours  # a day left blank is closed, and stored as the domain reads a missing day
    assert hours["exceptions"] == {"2026-12-24": [], "2026-12-31": [["09:00", "13:00"]]}
    christmas_eve, monday, sunday = date(2026, 12, 24), date(2026, 11, 23), date(2026, 11, 29)
    assert windows_of(hours, christmas_eve) == [] and intervals_on(hours, christmas_eve) == []
    assert windows_of(hours, sunday) == [] and intervals_on(hours, sunday) == []
    assert len(windows_of(hours, monday)) == 2 and len(intervals_on(hours, monday)) == 2


def test_no_hours_at_all_is_stored_as_no_fixed_hours():
    assert rules.parse_opening_hours({}, "") == {}


@pytest.mark.parametrize(
    ("typed", "message"),
    [("24.12.2026 closed", "line 1"), ("2026-12-24 closed\n2026-12-24 10:00-12:00", "given twice")],
)
def test_bad_exceptions_say_which_line(typed, message):
    with pytest.raises(ValidationFailed, match=message) as error:
        rules.parse_exceptions(typed)
    assert error.value.field == "exceptions"


def test_hours_written_back_read_the_same():
    hours = rules.parse_opening_hours({"mon": "08:00-12:00, 13:00-16:00"}, "2026-12-24 closed")
    again = rules.parse_opening_hours(
        {day: rules.format_spans(hours.get(day)) for day in rules.WEEKDAYS},
        rules.format_exceptions(hours.get("exceptions")),
    )
    assert again == hours


@pytest.mark.parametrize("zone", ["Europe/Helsinki", "Europe/Warsaw", "UTC", " Europe/Stockholm "])
def test_known_time_zones_pass(zone):
    assert rules.check_time_zone(zone) == zone.strip()


@pytest.mark.parametrize("zone", ["", "Europe/Nowhere", "Helsinki", "../etc/passwd", "+02:00"])
def test_unknown_time_zones_are_refused(zone):
    with pytest.raises(ValidationFailed) as error:
        rules.check_time_zone(zone)
    assert error.value.field == "time_zone"


@pytest.mark.parametrize(
    ("slug", "ok"),
    [("helsinki-centre", True), ("a", True), ("Helsinki", True), ("-x", False), ("a b", False)],
)
def test_slugs_are_lower_case_letters_digits_and_dashes(slug, ok):
    if ok:
        assert rules.check_slug(slug) == slug.lower()
    else:
        with pytest.raises(ValidationFailed):
            rules.check_slug(slug)


def test_languages_keep_their_order_and_refuse_unknown_ones():
    assert rules.check_languages(["fi", "sv", "en"]) == ["fi", "sv", "en"]
    for bad in ([], ["de"], ["en", "xx"]):
        with pytest.raises(ValidationFailed):
            rules.check_languages(bad)


@pytest.mark.parametrize(
    ("kind", "in_row", "credit", "expected"),
    [
        ("strict", "", "", FairnessRule(FairnessKind.STRICT)),
        ("max_in_row", "2", "", FairnessRule(FairnessKind.MAX_IN_ROW, max_in_row=2)),
        ("ageing", "", "15", FairnessRule(FairnessKind.AGEING, credit_s=900)),
    ],
)
def test_fairness_rules_are_stored_as_the_call_order_reads_them(kind, in_row, credit, expected):
    assert FairnessRule.from_settings(rules.parse_fairness(kind, in_row, credit)) == expected


def test_a_bad_fairness_rule_is_refused():
    with pytest.raises(ValidationFailed):
        rules.parse_fairness("lottery", "", "")
    with pytest.raises(ValidationFailed) as error:
        rules.parse_fairness("max_in_row", "0", "")
    assert error.value.field == "fairness_max_in_row"


def _row(**overrides) -> dict:
    return {
        "id": "",
        "type": "text",
        "required": "",
        "label": {"en": "", "fi": ""},
        "options": {},
    } | overrides


def test_editor_rows_become_questions_the_join_form_accepts():
    rows = [
        _row(type="yesno", required="1", label={"en": "First visit?", "fi": "Ensimmäinen käynti?"}),
        _row(
            type="choice",
            label={"en": "Topic", "fi": "Aihe"},
            options={"en": "Cards\nLoans", "fi": "Kortit\nLainat"},
        ),
        _row(label={"en": "", "fi": ""}),  # an empty row is dropped
        _row(id="kept", label={"en": "Notes"}),
    ]
    questions = validate_questions(question_rules.parse_questions(rows, languages=["en", "fi"]))
    assert [q["id"] for q in questions] == ["first_visit", "topic", "kept"]
    assert questions[0] == {
        "id": "first_visit",
        "type": "yesno",
        "required": True,
        "label": {"en": "First visit?", "fi": "Ensimmäinen käynti?"},
    }
    assert questions[1]["options"] == [
        {"value": "cards", "label": {"en": "Cards", "fi": "Kortit"}},
        {"value": "loans", "label": {"en": "Loans", "fi": "Lainat"}},
    ]
    assert clean_answers(questions, {"first_visit": "yes", "topic": "loans"}) == {
        "first_visit": True,
        "topic": "loans",
    }


def test_stored_questions_come_back_to_the_editor_unchanged():
    rows = [_row(type="choice", label={"en": "Topic", "fi": "Aihe"}, options={"en": "A\nB", "fi": "Ä\nÖ"})]
    questions = question_rules.parse_questions(rows, languages=["en", "fi"])
    again = question_rules.parse_questions(
        question_rules.question_rows(questions, ["en", "fi"]), languages=["en", "fi"]
    )
    assert again == questions


def test_saving_the_editor_keeps_option_values_and_labels_it_does_not_show():
    stored = [
        {
            "id": "purpose",
            "type": "choice",
            "required": True,
            "label": {"en": "What for?", "fi": "Mihin?", "pl": "Na co?"},
            "options": [
                {"value": "home", "label": {"en": "Home", "fi": "Asunto", "pl": "Mieszkanie"}},
                {"value": "car", "label": {"en": "Car", "fi": "Auto", "pl": "Samochód"}},
            ],
        }
    ]
    rows = question_rules.question_rows(stored, ["fi", "en"])
    rows[0]["options"] = {"fi": "Asunto\nAuto\nMuu", "en": "Home\nCar\nOther"}
    questions = question_rules.parse_questions(rows, languages=["fi", "en"])
    kept = question_rules.keep_stored_texts(questions, stored, ["fi", "en"])
    assert kept[0]["label"] == {"en": "What for?", "fi": "Mihin?", "pl": "Na co?"}
    assert kept[0]["options"] == [
        {"value": "home", "label": {"en": "Home", "fi": "Asunto", "pl": "Mieszkanie"}},
        {"value": "car", "label": {"en": "Car", "fi": "Auto", "pl": "Samochód"}},
        {"value": "muu", "label": {"fi": "Muu", "en": "Other"}},
    ]


@pytest.mark.parametrize(
    "row",
    [
        _row(type="choice", label={"en": "Topic"}, options={"en": "Only one"}),
        _row(type="choice", label={"en": "Topic"}, options={"en": "A\nB", "fi": "Ä"}),
        _row(type="maybe", label={"en": "Huh"}),
        _row(label={"en": "", "fi": "Vain suomeksi"}),
    ],
)
def test_questions_that_cannot_be_answered_are_refused_naming_the_row(row):
    with pytest.raises(ValidationFailed) as error:
        question_rules.parse_questions([_row(label={"en": "fine"}), row], languages=["en", "fi"])
    assert error.value.field == "questions.1"


def test_two_new_questions_with_the_same_text_get_different_ids():
    rows = [_row(label={"en": "Why?"}), _row(label={"en": "Why?"})]
    assert [q["id"] for q in question_rules.parse_questions(rows, languages=["en"])] == ["why", "why_2"]


@pytest.mark.parametrize(
    ("form", "config"),
    [
        ({"printer_kind": "none"}, {}),
        (
            {"printer_kind": "network", "printer_host": "10.0.0.5"},
            {"kind": "network", "host": "10.0.0.5", "port": 9100},
        ),
        (
            {
                "printer_kind": "usb",
                "printer_vendor_id": "04b8",
                "printer_product_id": "0x0202",
                "printer_profile": "TM-T88V",
            },
            {"kind": "usb", "vendor_id": "0x04b8", "product_id": "0x0202", "profile": "TM-T88V"},
        ),
        (
            {"printer_kind": "serial", "printer_device": "/dev/ttyUSB0"},
            {"kind": "serial", "device": "/dev/ttyUSB0", "baudrate": 9600},
        ),
        ({"printer_kind": "file", "printer_path": "/dev/usb/lp0"}, {"kind": "file", "path": "/dev/usb/lp0"}),
    ],
)
def test_printer_settings_have_the_shape_the_printer_code_builds_from(form, config):
    from qserve.printing.devices import build_printer

    assert rules.parse_printer(form) == config
    if config.get("kind") in ("network", "file"):
        assert build_printer(config) is not None


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"printer_kind": "network"}, "printer_host"),
        ({"printer_kind": "network", "printer_host": "x", "printer_port": "70000"}, "printer_port"),
        ({"printer_kind": "usb", "printer_vendor_id": "zz", "printer_product_id": "1"}, "printer_vendor_id"),
        ({"printer_kind": "bluetooth"}, "printer_kind"),
    ],
)
def test_incomplete_printer_settings_name_the_missing_field(form, field):
    with pytest.raises(ValidationFailed) as error:
        rules.parse_printer(form)
    assert error.value.field == field


def test_thresholds_are_whole_numbers_largest_first():
    assert rules.parse_thresholds("2, 5 5", field="x", low=1, high=100) == [5, 2]
    assert rules.parse_thresholds("10", field="x", low=1, high=240, scale=60) == [600]
    with pytest.raises(ValidationFailed):
        rules.parse_thresholds("0", field="x", low=1, high=100)


def test_the_difference_lists_only_changed_fields():
    assert rules.diff({"a": 1, "b": [1]}, {"a": 1, "b": [2], "c": "x"}) == {"b": [[1], [2]], "c": [None, "x"]}
