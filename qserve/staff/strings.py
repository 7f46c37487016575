"""Words the staff tablet's and the display's scripts show, translated on the server and passed as JSON."""

from __future__ import annotations

from flask_babel import gettext as _


def tablet_strings() -> dict[str, str]:
    """Return the tablet script's words in the current language."""
    return {
        "none_waiting": _("Nobody is waiting for this counter."),
        "called": _("Called %(number)s."),
        "undo_call": _("Call of %(number)s undone; the ticket is back in its place."),
        "undo_no_show": _("%(number)s is back in the queue."),
        "no_show_done": _("%(number)s marked as no-show."),
        "collision": _("Someone else got there first: %(detail)s The list is up to date now."),
        "error": _("That did not work: %(detail)s"),
        "offline": _("No connection to the server. Nothing was changed; try again in a moment."),
        "expired": _("Your session has expired. Reload the page to sign in again."),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "back_online": _("Back online. The list is up to date."),
        "status_called": _("Called"),
        "status_serving": _("Serving"),
        "status_parked": _("On hold"),
        "no_customer": _("No customer at the counter. Press Call next."),
        "waiting_count": _("%(count)s waiting"),
        "serves_current": _("Finishes %(number)s and calls the next one"),
        "no_show_in": _("in %(seconds)s s"),
        "priority": _("Priority"),
        "appointment": _("Appt. %(time)s"),
        "estimate": _("≈ %(minutes)s min"),
        "minutes": _("%(minutes)s min"),
        "hours": _("%(hours)s h %(minutes)s min"),
        "seconds": _("%(seconds)s s"),
        "call": _("Call"),
        "call_back": _("Call back"),
        "to_queue": _("To queue"),
        "empty_queue": _("Nobody waiting."),
        "no_parked": _("Nobody on hold."),
        "not_here": _("not served at this counter"),
        "at_counter": _("at counter %(counter)s"),
        "undo": _("Undo"),
        "saved": _("Saved."),
        "saving": _("Saving…"),
        "yes": _("Yes"),
        "no": _("No"),
        "channel_kiosk": _("Kiosk"),
        "channel_remote": _("Phone or web"),
        "channel_staff": _("Staff"),
        "channel_appointment": _("Appointment"),
        "recalled": _("Recalled %(number)s."),
        "started": _("Serving %(number)s."),
        "finished": _("Finished %(number)s."),
        "parked": _("%(number)s is on hold."),
        "resumed": _("%(number)s is back in the queue."),
        "transferred": _("%(number)s moved to %(service)s."),
        "cancelled": _("%(number)s cancelled."),
        "called_back": _("Called %(number)s back."),
    }


def display_strings() -> dict[str, str]:
    """Return the display script's words in the current language."""
    return {
        "counter": _("Counter"),
        "sound_on": _("Sound on"),
        "sound_off": _("Sound off"),
        "enable_sound": _("Click or press a key to let the display play sound."),
        "reconnecting": _("Reconnecting…"),
        "closed": _("closed"),
        "counters_open": _("Counters open: %(count)s"),
        "no_calls": _("Welcome. Numbers will appear here when they are called."),
    }
