"""The ticket lifecycle: one transition table and the guards the UI asks."""

from __future__ import annotations

from enum import StrEnum

from qserve.domain.errors import InvalidTransition


class Status(StrEnum):
    """Where a ticket is in its visit."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Action(StrEnum):
    """What staff, a customer or a job can do to a ticket."""

    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no-show"
    PARK = "park"
    RESUME = "resume"
    TRANSFER = "transfer"
    CANCEL = "cancel"
    REACTIVATE = "reactivate"
    REQUEUE = "requeue"
    POSTPONE = "postpone"


S = Status
# (action, from status) -> to status. Transfer puts the visit back in line at another service.
TRANSITIONS: dict[tuple[Action, Status], Status] = {
    (Action.CALL, S.WAITING): S.CALLED,
    (Action.RECALL, S.CALLED): S.CALLED,
    (Action.START, S.CALLED): S.SERVING,
    (Action.FINISH, S.SERVING): S.DONE,
    (Action.FINISH, S.CALLED): S.DONE,
    (Action.NO_SHOW, S.CALLED): S.NO_SHOW,
    (Action.PARK, S.CALLED): S.PARKED,
    (Action.PARK, S.SERVING): S.PARKED,
    (Action.PARK, S.WAITING): S.PARKED,
    (Action.RESUME, S.PARKED): S.WAITING,
    (Action.TRANSFER, S.WAITING): S.WAITING,
    (Action.TRANSFER, S.CALLED): S.WAITING,
    (Action.TRANSFER, S.SERVING): S.WAITING,
    (Action.TRANSFER, S.PARKED): S.WAITING,
    (Action.CANCEL, S.WAITING): S.CANCELLED,
    (Action.CANCEL, S.CALLED): S.CANCELLED,
    (Action.CANCEL, S.PARKED): S.CANCELLED,
    (Action.REACTIVATE, S.NO_SHOW): S.WAITING,
    (Action.REQUEUE, S.CALLED): S.WAITING,
    (Action.POSTPONE, S.WAITING): S.WAITING,
}

OPEN_STATUSES = frozenset({S.WAITING, S.CALLED, S.SERVING, S.PARKED})
CLOSED_STATUSES = frozenset({S.DONE, S.NO_SHOW, S.CANCELLED})


def next_status(action: Action | str, current: Status | str) -> Status | None:
    """Return the status an action leads to, or None when it is not allowed."""
    try:
        return TRANSITIONS.get((Action(action), Status(current)))
    except ValueError:
        return None


def check_transition(action: Action | str, current: Status | str) -> Status:
    """Return the status an action leads to, or raise InvalidTransition."""
    target = next_status(action, current)
    if target is None:
        raise InvalidTransition(f"cannot {action} a ticket that is {current}")
    return target


def can(action: Action | str, current: Status | str) -> bool:
    """Tell whether an action is allowed from a status."""
    return next_status(action, current) is not None


def allowed_actions(current: Status | str) -> list[str]:
    """List the actions allowed from a status, for buttons in the UI."""
    return [action.value for action in Action if can(action, current)]


def can_call(current: Status | str) -> bool:
    """Tell whether a ticket can be called."""
    return can(Action.CALL, current)


def can_cancel(current: Status | str) -> bool:
    """Tell whether a ticket can be cancelled."""
    return can(Action.CANCEL, current)


def is_open(current: Status | str) -> bool:
    """Tell whether the visit is still going on."""
    return Status(current) in OPEN_STATUSES
