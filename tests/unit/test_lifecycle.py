"""The ticket lifecycle is one transition table."""

import pytest

from qserve.domain.errors import InvalidTransition
from qserve.domain.lifecycle import (
    Action,
    Status,
    allowed_actions,
    can_call,
    can_cancel,
    check_transition,
    is_open,
)


@pytest.mark.parametrize(
    ("action", "current", "expected"),
    [
        (Action.CALL, Status.WAITING, Status.CALLED),
        (Action.RECALL, Status.CALLED, Status.CALLED),
        (Action.START, Status.CALLED, Status.SERVING),
        (Action.FINISH, Status.SERVING, Status.DONE),
        (Action.NO_SHOW, Status.CALLED, Status.NO_SHOW),
        (Action.REACTIVATE, Status.NO_SHOW, Status.WAITING),
        (Action.PARK, Status.SERVING, Status.PARKED),
        (Action.RESUME, Status.PARKED, Status.WAITING),
        (Action.TRANSFER, Status.SERVING, Status.WAITING),
        (Action.CANCEL, Status.WAITING, Status.CANCELLED),
        (Action.REQUEUE, Status.CALLED, Status.WAITING),
        (Action.POSTPONE, Status.WAITING, Status.WAITING),
    ],
)
def test_allowed_transitions_lead_to_their_status(action, current, expected):
    assert check_transition(action, current) == expected


@pytest.mark.parametrize(
    ("action", "current"),
    [
        (Action.CALL, Status.CALLED),
        (Action.FINISH, Status.WAITING),
        (Action.START, Status.WAITING),
        (Action.NO_SHOW, Status.SERVING),
        (Action.CANCEL, Status.DONE),
        (Action.CANCEL, Status.SERVING),
        (Action.RESUME, Status.WAITING),
        (Action.REACTIVATE, Status.CANCELLED),
        (Action.RECALL, Status.WAITING),
    ],
)
def test_forbidden_transitions_raise_invalid_transition(action, current):
    with pytest.raises(InvalidTransition):
        check_transition(action, current)


def test_closed_tickets_allow_nothing_but_reactivating_a_no_show():
    assert allowed_actions(Status.DONE) == []
    assert allowed_actions(Status.CANCELLED) == []
    assert allowed_actions(Status.NO_SHOW) == ["reactivate"]


def test_guards_answer_for_the_ui():
    assert can_call("waiting") and not can_call("called")
    assert can_cancel("parked") and not can_cancel("done")
    assert is_open("parked") and not is_open("no_show")


def test_an_unknown_action_is_an_invalid_transition():
    with pytest.raises(InvalidTransition):
        check_transition("explode", "waiting")
