"""Figures, dates and times as a person reads them, in that person's language (Babel's CLDR forms).

Finnish, Swedish and Polish readers get their own decimal comma, thousands separator, percent sign, date
order and clock ("7,5 min", "1 439", "12 %" or "12%", "23.–29.11.2026", "9.00"). English keeps the forms
qserve has always shown ("7.5 min", "1439", "12 %", "2026-11-23 – 2026-11-29", "09:00").

Only text for people comes through here: JSON, CSV, form values and data attributes keep machine formats.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

from babel.dates import format_date, format_interval, format_time, get_time_format
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

LANGUAGES = ("en", "fi", "sv", "pl")
DASH = "–"
MIN_GROUPING_TWO = ("pl",)  # languages that leave four-digit figures ungrouped
# The short unit of an hour in a wait, as each language abbreviates it next to "min" (CLDR's short
# duration-hour is "hr" in English: "h" reads better beside "min" on a ticket).
HOUR_UNITS = {"en": "h", "fi": "t", "sv": "tim", "pl": "godz."}


class Figures:
    """Write numbers, minutes, shares, dates and clock times for a reader of one language."""

    def __init__(self, language: str | None) -> None:
        self.language = language if language in LANGUAGES else "en"
        self._english = self.language == "en"

    def _pattern(self, digits: int, *, optional: bool = False, value: float = 0) -> str:
        # English keeps its figures ungrouped, as they have always been written ("1439"). Polish groups only
        # from five digits ("1439", "12 345": CLDR's minimumGroupingDigits, which Babel does not apply).
        ungrouped = self._english or (self.language in MIN_GROUPING_TWO and abs(value) < 10_000)
        whole = "0" if ungrouped else "#,##0"
        return whole + ("." + ("#" if optional else "0") * digits if digits else "")

    def number(self, value: float | None, digits: int = 0) -> str:
        """Write a number with a fixed number of decimals ('1 439', '3,98')."""
        if value is None:
            return DASH
        rounded = _rounded(value, digits)
        return format_decimal(rounded, self._pattern(digits, value=rounded), locale=self.language)

    def amount(self, value: float | None) -> str:
        """Write a number with up to two decimals and none when it is whole ('10', '7,5')."""
        if value is None:
            return DASH
        rounded = _rounded(value, 2)
        return format_decimal(rounded, self._pattern(2, optional=True, value=rounded), locale=self.language)

    def minutes(self, seconds: float | None) -> str:
        """Write seconds as minutes with one decimal ('7,5 min'); never '-0,0 min'."""
        if seconds is None:
            return DASH
        value = _rounded(seconds / 60, 1)
        pattern = self._pattern(1, value=value)
        return format_unit(value, "duration-minute", "short", format=pattern, locale=self.language)

    def wait(self, minutes: int) -> str:
        """Write a wait of whole minutes as a customer reads it (see `wait_words`)."""
        return wait_words(minutes, HOUR_UNITS[self.language])

    def wait_span(self, low: int, high: int) -> str:
        """Write a range of waits: '10–25 min', and from an hour '50 min – 1 h 20 min'."""
        return wait_span_words(low, high, HOUR_UNITS[self.language])

    def percent(self, share: float | None) -> str:
        """Write a share (0..1) as a whole percentage ('12 %' in Finnish and Swedish, '12%' in Polish)."""
        if share is None:
            return DASH
        whole = Decimal(round(share * 100)).scaleb(-2)  # rounded as in every language, then Babel's form
        return format_percent(whole, "0 %" if self._english else None, locale=self.language)

    def score(self, value: float | None) -> str:
        """Write a recommendation score with its sign ('+16', '-3')."""
        if value is None:
            return DASH
        whole = self._pattern(0)
        return format_decimal(_rounded(value, 0), f"+{whole};-{whole}", locale=self.language)

    def date(self, day: date) -> str:
        """Write a day ('23.11.2026' in Finnish and Polish, '2026-11-23' in Swedish and English)."""
        return format_date(day, "yyyy-MM-dd" if self._english else "short", locale=self.language)

    def period(self, first: date, last: date) -> str:
        """Write a range of days as the language does ('23.–29.11.2026' in Finnish), one day alone."""
        if first == last:
            return self.date(first)
        if self._english:
            return f"{self.date(first)} – {self.date(last)}"
        return format_interval(first, last, "yMd", locale=self.language)

    def clock(self, moment: time | datetime) -> str:
        """Write a local clock time ('9.00' in Finnish, '09:00' otherwise)."""
        local = moment.time() if isinstance(moment, datetime) else moment
        return format_time(local, self.clock_pattern(), locale=self.language)

    def clock_pattern(self) -> str:
        """Return the CLDR pattern of a clock time ('H.mm' in Finnish), for scripts that write clocks too."""
        return "HH:mm" if self._english else get_time_format("short", locale=self.language).pattern

    def clock_at(self, hour: int, minute: int = 0) -> str:
        """Write an hour and minute by the clock pattern, also the day's end ('24.00' in Finnish)."""
        return fill_clock(self.clock_pattern(), hour, minute)

    def hour(self, hour: int) -> str:
        """Write the start of an hour of the day as a clock time."""
        return self.clock(time(hour))


def wait_words(minutes: int, hour_unit: str) -> str:
    """Write a wait of whole minutes: '25 min', and from an hour in hours and minutes rounded to five
    ('1 h 35 min', '2 h'; with Finnish 't', Swedish 'tim', Polish 'godz.'). The phone's script does the
    same."""
    minutes = max(0, int(minutes))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(5 * round(minutes / 5), 60)
    return f"{hours} {hour_unit} {rest} min" if rest else f"{hours} {hour_unit}"


def wait_span_words(low: int, high: int, hour_unit: str) -> str:
    """Write a range of waits: '10–25 min', and from an hour '50 min – 1 h 20 min' (one figure when both
    ends round to the same)."""
    if high < 60:
        return f"{low}{DASH}{high} min"
    first, last = wait_words(low, hour_unit), wait_words(high, hour_unit)
    return last if first == last else f"{first} {DASH} {last}"  # 61-63 minutes: '1 h', not '1 h – 1 h'


def fill_clock(pattern: str, hour: int, minute: int) -> str:
    """Fill a clock pattern's hour ('H', or 'HH' zero-padded) and minutes ('mm'), as the page scripts do."""
    fields = {"HH": f"{hour:02d}", "H": str(hour), "mm": f"{minute:02d}"}
    return re.sub("HH|H|mm", lambda match: fields[match.group()], pattern)


def _rounded(value: float, digits: int) -> float:
    # Python rounds first, so every language shows the same digits; adding 0.0 turns a -0.0 into 0.0.
    return round(value, digits) + 0.0


def opening_day(opens_at: datetime, now: datetime, language: str) -> str:
    """Say which day a moment (in a location's zone: a closed location's next opening) falls on, as seen at
    `now`: "today", "tomorrow", a weekday within the week (in the language's form for 'on Monday': Finnish
    'maanantaina'), else the date. The phone's pages and the kiosk word their "Opens ..." sentences by it."""
    day = opens_at.date()
    offset = (day - now.astimezone(opens_at.tzinfo).date()).days
    if offset <= 1:
        return ("today", "tomorrow")[max(0, offset)]
    return format_date(day, "EEEE" if offset < 7 else "long", locale=language)
