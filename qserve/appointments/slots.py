"""Bookable slots: opening hours, counters, duration, hybrid share and on-site cap, in the location's zone.

Pure Python: no qserve imports but the domain's reading of opening hours, no clock. A window's first slot
starts on the first round local time at or after it opens (":00, :15, :30, :45" for 15-minute slots, as
booking systems offer them, even when the window opens at 08:10 or 23:06); from there slots are stepped in
absolute time to the window's closing instant, so a day when daylight saving time changes has exactly as
many slots as it has real minutes, and every slot is shown at its true local wall-clock time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from qserve.domain.hours import intervals_on

MODES = ("queue", "appointments", "hybrid")
ROUND_S = 300  # a slot lasts whole five minutes: a 7-minute service is booked in 10-minute slots
GRIDS_MIN = (60, 30, 20, 15, 10, 5)  # the round minutes a slot may start on, coarsest first
# How many days past today a location takes bookings (its settings' booking_horizon_days): whole local days,
# so the last one offers all its times, whatever the time of day a customer looks.
DEFAULT_HORIZON_DAYS = 60
HORIZON_DAYS = (1, 365)  # the fewest and most a manager may set


@dataclass(frozen=True)
class SlotRules:
    """What decides a service's slots on a day."""

    time_zone: str
    opening_hours: dict
    duration_s: int
    counters: int  # counters that serve the service
    booking_share: float = 1.0  # share of each counter-hour kept for bookings (1 = appointments, 0 = queue)
    on_site_cap: int | None = None  # most booked people on site at once, None = no cap


@dataclass(frozen=True)
class Slot:
    """One bookable start time and how many people it takes."""

    starts_at: datetime  # aware UTC
    ends_at: datetime  # when the visit ends; the next slot starts on the next round time
    capacity: int


def booking_share(mode: str, hybrid_share: float) -> float:
    """Return the share of capacity kept for bookings under a mode."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if mode == "queue":
        return 0.0
    if mode == "appointments":
        return 1.0
    return min(1.0, max(0.0, float(hybrid_share)))


# A day's opening windows as local times: "24:00" is the end of the day, an exception replaces the weekday.
windows_of = intervals_on


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of a local time; a time skipped by DST becomes the moment the clocks jump."""
    wall = datetime.combine(day, at)
    later = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: for a skipped time, past the gap
    if later.astimezone(zone).replace(tzinfo=None) == wall:
        return later
    earlier = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)  # before the gap
    while later - earlier > timedelta(seconds=1):  # find the jump: first instant whose wall time >= wall
        middle = earlier + (later - earlier) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            later = middle
        else:
            earlier = middle
    return later.replace(microsecond=0)


def _closing_instant(day: date, closing: time, zone: ZoneInfo) -> datetime:
    """Return the instant a window closes: "24:00" (read as the day's last instant) is the next midnight."""
    if closing == time.max:
        return local_instant(day + timedelta(days=1), time(0, 0), zone)
    return local_instant(day, closing, zone)


def slot_length(duration_s: int) -> timedelta:
    """Return how long a service's slot lasts: its duration rounded up to whole five minutes."""
    return timedelta(seconds=-(-int(duration_s) // ROUND_S) * ROUND_S)


def grid_minutes(length: timedelta) -> int:
    """Return the round minutes slots of a length start on: the coarsest of 60, 30, 20, 15, 10, 5 that
    divides it, so every slot of a window starts on a round time (45-minute slots on quarter hours)."""
    minutes = int(length.total_seconds()) // 60
    return next(grid for grid in GRIDS_MIN if minutes % grid == 0)


def first_start(opening: time, grid: int) -> time | None:
    """Return the first local time on the grid at or after an opening time, or None if that is midnight."""
    minutes = opening.hour * 60 + opening.minute + (1 if (opening.second or opening.microsecond) else 0)
    aligned = -(-minutes // grid) * grid
    return time(aligned // 60, aligned % 60) if aligned < 24 * 60 else None


def generate_slots(rules: SlotRules, day: date) -> list[Slot]:
    """Return a day's slots in order, with the seats each keeps for bookings (zero-seat slots left out)."""
    if rules.duration_s <= 0 or rules.counters <= 0 or rules.booking_share <= 0:
        return []
    zone = ZoneInfo(rules.time_zone)
    visit, step = timedelta(seconds=rules.duration_s), slot_length(rules.duration_s)
    grid = grid_minutes(step)
    per_slot = rules.counters * rules.booking_share
    credit = 0.0
    slots: list[Slot] = []
    for opening, closing in windows_of(rules.opening_hours, day):
        aligned = first_start(opening, grid)
        if aligned is None:
            continue
        start, end = local_instant(day, aligned, zone), _closing_instant(day, closing, zone)
        while start + visit <= end:
            # Carry the fraction over, so a 50 % share of one counter books every other slot.
            credit += per_slot
            seats = int(credit + 1e-9)
            credit -= seats
            if rules.on_site_cap is not None:
                seats = min(seats, rules.on_site_cap)
            if seats > 0:
                slots.append(Slot(starts_at=start, ends_at=start + visit, capacity=seats))
            start += step
    return slots


def horizon_days(settings: dict | None) -> int:
    """Return how many days past today a location takes bookings: its setting, else the default (a value
    out of bounds, stored by hand, is held to them)."""
    try:
        days = int((settings or {}).get("booking_horizon_days", DEFAULT_HORIZON_DAYS))
    except (TypeError, ValueError):  # None or text
        return DEFAULT_HORIZON_DAYS
    return min(max(days, HORIZON_DAYS[0]), HORIZON_DAYS[1])


def last_bookable_day(now: datetime, time_zone: str, days: int) -> date:
    """Return the last local day that takes bookings now: `days` days after today, all of its times."""
    return now.astimezone(ZoneInfo(time_zone)).date() + timedelta(days=days)


def booking_horizon(now: datetime, time_zone: str, days: int) -> datetime:
    """Return the instant bookings end: the local midnight after the last bookable day."""
    after = last_bookable_day(now, time_zone, days) + timedelta(days=1)
    return local_instant(after, time(0, 0), ZoneInfo(time_zone))


def bookable(starts_at: datetime, now: datetime, horizon: datetime) -> bool:
    """Tell whether a slot starting at an instant can be booked now: it has not begun, and it starts before
    the booking horizon (see booking_horizon)."""
    return now < starts_at < horizon


def find_slot(slots: list[Slot], starts_at: datetime) -> Slot | None:
    """Return the slot that starts at an instant, or None."""
    return next((slot for slot in slots if slot.starts_at == starts_at), None)


def service_day_of(starts_at: datetime, time_zone: str) -> date:
    """Return the local date a slot falls on."""
    return starts_at.astimezone(ZoneInfo(time_zone)).date()


@dataclass(frozen=True)
class ArrivalPolicy:
    """A location's rules for when booked customers may check in and what lateness costs them."""

    early_s: int = 3600  # check-in opens this long before the slot
    grace_s: int = 600  # later than the slot by up to this keeps the slot
    late: str = "walk_in"  # after the grace: "walk_in" joins the line now, "no_show" refuses
    expire_s: int = 3600  # a booking never checked in becomes a no-show this long after its slot

    @classmethod
    def from_settings(cls, settings: dict | None) -> ArrivalPolicy:
        """Build the policy from a location's settings["appointments"], with safe defaults."""
        values = (settings or {}).get("appointments") or {}
        late = values.get("late", "walk_in")
        grace = max(0, int(values.get("grace_s", 600)))
        return cls(
            early_s=max(0, int(values.get("early_s", 3600))),
            grace_s=grace,
            late=late if late in ("walk_in", "no_show") else "walk_in",
            expire_s=max(grace, int(values.get("expire_s", 3600))),
        )


def arrival_outcome(policy: ArrivalPolicy, *, starts_at: datetime, now: datetime) -> str:
    """Tell what a check-in now means: "too_early", "keep_slot", "walk_in" or "no_show"."""
    if now < starts_at - timedelta(seconds=policy.early_s):
        return "too_early"
    if now <= starts_at + timedelta(seconds=policy.grace_s):
        return "keep_slot"
    if policy.late == "no_show" or now > starts_at + timedelta(seconds=policy.expire_s):
        return "no_show"
    return "walk_in"
