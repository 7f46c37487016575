"""Customer-facing phrases of the phone pages, shared by the server render and the page script.

The page script renders live updates itself, so the translated templates go to it as data: plain strings,
and plural entries as three forms taken at 1, 2 and 5 (one, few, many), picked by `plural_index`.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale, get_translations

from qserve.formats import HOUR_UNITS, Figures, fill_clock, wait_span_words, wait_words

LANGUAGE_NAMES = {"en": "English", "fi": "Suomi", "sv": "Svenska", "pl": "Polski"}
SAMPLES = (1, 2, 5)


def plural_index(language: str, count: int) -> int:
    """Return which of the three sampled plural forms fits a count in a language."""
    if count == 1:
        return 0
    if language == "pl":
        last, last_two = count % 10, count % 100
        return 1 if 2 <= last <= 4 and not 12 <= last_two <= 14 else 2
    return 2


def texts() -> dict:
    """Return the phrase templates of the live ticket page in the current locale."""
    t = get_translations()
    return {
        "ahead": [
            t.ungettext("%(num)d person ahead of you", "%(num)d people ahead of you", n) for n in SAMPLES
        ],
        "with_appointments": [
            t.ungettext(", %(num)d of them with an appointment", ", %(num)d of them with appointments", n)
            for n in SAMPLES
        ],
        "one_with_appointment": t.ugettext("1 person ahead of you, who has an appointment"),
        "next": t.ugettext("You are next."),
        "wait_short": t.ugettext("less than 5 minutes"),
        "wait_upto": t.ugettext("up to %(high)d minutes"),
        "wait_range": t.ugettext("%(low)d–%(high)d minutes"),
        # From an hour: 'up to 1 h 30 min', '50 min – 1 h 20 min' (the unit of an hour in the language).
        "wait_upto_long": t.ugettext("up to %(high)s"),
        "hour_unit": HOUR_UNITS.get(str(get_locale() or "en"), "h"),
        "eta": t.ugettext("Probably around %(time)s"),
        # When the call falls on a later day (a ticket taken while the location is closed, a long line).
        "eta_tomorrow": t.ugettext("Probably tomorrow around %(time)s"),
        "eta_on": t.ugettext("Probably %(day)s around %(time)s"),
        "on_weekday": [
            t.ugettext("on Monday"),
            t.ugettext("on Tuesday"),
            t.ugettext("on Wednesday"),
            t.ugettext("on Thursday"),
            t.ugettext("on Friday"),
            t.ugettext("on Saturday"),
            t.ugettext("on Sunday"),
        ],
        # Babel's clock pattern for the language ('H.mm' in Finnish), which the page script fills in too.
        "clock": Figures(str(get_locale() or "en")).clock_pattern(),
        "status_called": t.ugettext("Go to counter %(counter)s."),
        "status_serving": t.ugettext("You are being served at counter %(counter)s."),
        "status_parked": t.ugettext("Your ticket is on hold. Staff will call you back."),
        "status_done": t.ugettext("Your visit is finished. Thank you!"),
        "status_no_show": t.ugettext("You missed your turn. Please ask at the desk if you still need help."),
        "status_cancelled": t.ugettext("Your ticket is cancelled."),
        "status_cancelled_closed_for_the_day": t.ugettext(
            "We closed for the day before your turn came. We are sorry: please come again."
        ),
        "turn_counter": t.ugettext("Counter %(counter)s"),
        "offline": t.ugettext("Reconnecting… the page will update by itself."),
        "updated": t.ugettext("Updated %(time)s"),
        "postponed": t.ugettext("Done: you have a little more time."),
        "postpone_refused": t.ugettext("You cannot ask for more time again."),
        "postpone_last": t.ugettext(
            "Nobody is waiting behind you yet, so you already have the most time. Ask again once others "
            "have joined."
        ),
        "cancel_refused": t.ugettext("Your ticket can no longer be cancelled."),
        "action_failed": t.ugettext("That did not work. Check your connection and try again."),
        "push_on": t.ugettext("Notifications are on for this phone."),
        "push_denied": t.ugettext("Notifications are blocked in this browser's settings."),
        "push_unavailable": t.ugettext("Notifications are not available right now."),
    }


def pick(forms: list[str], language: str, count: int) -> str:
    """Return the plural form for a count, filled in."""
    return forms[plural_index(language, count)] % {"num": count}


def position_text(phrases: dict, language: str, ahead: int | None, appointments: int | None) -> str:
    """Say what is ahead of a ticket: '3 people ahead of you, 1 of them with an appointment'."""
    if ahead is None:
        return ""
    if ahead == 0:
        return phrases["next"]
    if ahead == 1 and appointments == 1:
        return phrases["one_with_appointment"]
    text = pick(phrases["ahead"], language, ahead)
    if appointments:
        text += pick(phrases["with_appointments"], language, appointments)
    return text


def wait_bounds(estimate: dict | None) -> tuple[int, int] | None:
    """Return an estimate's range in minutes, widened outwards to whole five minutes."""
    if not estimate:
        return None
    low = int(estimate["p10_s"] // 60) // 5 * 5
    high = max(5, math.ceil(estimate["p90_s"] / 300) * 5)
    return low, max(high, low + 5)


def wait_text(phrases: dict, estimate: dict | None) -> str:
    """Say an estimated wait as an honest range ('10–25 minutes'; from an hour '50 min – 1 h 20 min')."""
    bounds = wait_bounds(estimate)
    if bounds is None:
        return ""
    low, high = bounds
    if high <= 5:
        return phrases["wait_short"]
    if high >= 60:
        if low == 0:
            return phrases["wait_upto_long"] % {"high": wait_words(high, phrases["hour_unit"])}
        return wait_span_words(low, high, phrases["hour_unit"])
    if low == 0:
        return phrases["wait_upto"] % {"high": high}
    return phrases["wait_range"] % {"low": low, "high": high}


def clock_text(phrases: dict, moment: datetime, time_zone: str, *, round_to_min: int = 1) -> str:
    """Format a moment as a local clock time (rounded to the nearest few minutes when asked)."""
    local = moment.astimezone(ZoneInfo(time_zone))
    if round_to_min > 1:
        step = round_to_min * 60
        seconds = local.minute * 60 + local.second
        local = local.replace(minute=0, second=0, microsecond=0) + timedelta(
            seconds=round(seconds / step) * step
        )
    return fill_clock(phrases["clock"], local.hour, local.minute)


def call_day(expected_call_at: str | None, time_zone: str, now: datetime) -> int | None:
    """Return how many local days after today the ticket will probably be called (0 today), or None."""
    if not expected_call_at:
        return None
    zone = ZoneInfo(time_zone)
    step = 300  # the time shown is rounded to five minutes, so its day is that of the rounded moment
    moment = datetime.fromtimestamp(
        round(datetime.fromisoformat(expected_call_at).timestamp() / step) * step, zone
    )
    return (moment.date() - now.astimezone(zone).date()).days


def eta_text(phrases: dict, expected_call_at: str | None, time_zone: str, now: datetime) -> str:
    """Say when the ticket will probably be called: 'Probably around 14:35', and on a later day 'Probably
    tomorrow around 8:05' or 'Probably on Monday around 8:05' (nothing a week or more ahead)."""
    days = call_day(expected_call_at, time_zone, now)
    if days is None or days >= 7:
        return ""
    moment = datetime.fromisoformat(expected_call_at)
    time = clock_text(phrases, moment, time_zone, round_to_min=5)
    if days <= 0:
        return phrases["eta"] % {"time": time}
    if days == 1:
        return phrases["eta_tomorrow"] % {"time": time}
    weekday = moment.astimezone(ZoneInfo(time_zone)).weekday()
    return phrases["eta_on"] % {"day": phrases["on_weekday"][weekday], "time": time}


def ticket_wait_text(
    phrases: dict, estimate: dict | None, expected_call_at: str | None, time_zone: str, now: datetime
) -> str:
    """Say a waiting ticket's wait as a range of minutes while its call is expected today; on a later day
    the day and the time say it better than hundreds of minutes, so nothing."""
    days = call_day(expected_call_at, time_zone, now)
    return "" if days is not None and days > 0 else wait_text(phrases, estimate)


def appointment_text(phrases: dict, appointment_at: str | None, time_zone: str) -> str | None:
    """Return the local time of a checked-in booking's slot, or None for a walk-in."""
    if not appointment_at:
        return None
    return clock_text(phrases, datetime.fromisoformat(appointment_at), time_zone)


def status_text(phrases: dict, view: dict) -> str:
    """Say where a ticket is when it is no longer simply waiting."""
    key = f"status_{view['status']}"
    if view.get("cancel_code") and f"{key}_{view['cancel_code']}" in phrases:
        key = f"{key}_{view['cancel_code']}"
    if key not in phrases:
        return ""
    return phrases[key] % {"counter": view.get("counter") or "?"}
