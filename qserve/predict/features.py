"""Queue-state features of each waiting ticket, for the learned correction on top of the simulation."""

from __future__ import annotations

import numpy as np

from qserve.domain.ordering import Candidate, queue_order
from qserve.predict.compose import NEWCOMER_ID, Forecast, newcomer_ids
from qserve.predict.durations import DurationModel
from qserve.predict.outcomes import OutcomeModel
from qserve.predict.snapshot import QueueSnapshot

FEATURES = (
    "log_sim_p10",
    "log_sim_p50",
    "log_sim_p90",
    "log_sim_mean",
    "waited_min",
    "position",
    "waiting_in_service",
    "waiting_total",
    "counters_serving",
    "counters_open",
    "counters_returning",
    "counters_busy_on_service",
    "priority",
    "duration_min",
    "no_show_rate",
    "abandon_per_hour",
    "last_wait_min",
    "recent_wait_min",
    "head_wait_min",
    "position_formula_min",
)
SCALE_S = 60.0  # waits are modelled as log(wait + 1 minute): no trouble at zero, relative above it


def to_log(seconds: np.ndarray) -> np.ndarray:
    """Map waits in seconds to the log scale the correction works on."""
    return np.log(np.maximum(seconds, 0.0) + SCALE_S)


def from_log(values: np.ndarray) -> np.ndarray:
    """Map the log scale back to seconds (never negative)."""
    return np.maximum(np.exp(values) - SCALE_S, 0.0)


def queue_features(
    snapshot: QueueSnapshot, forecast: Forecast, durations: DurationModel, outcomes: OutcomeModel
) -> np.ndarray:
    """Return an (N, len(FEATURES)) matrix, one row per waiting ticket in snapshot order."""
    waiting = snapshot.waiting
    if not waiting:
        return np.zeros((0, len(FEATURES)))
    now = snapshot.now
    service_ids, service = np.unique([t.service_id for t in waiting], return_inverse=True)
    waited = np.array([(now - t.waiting_since).total_seconds() for t in waiting])
    position = _positions(service, forecast.mean_s, _call_ranks(snapshot))
    per_service = _service_table(snapshot, durations, outcomes, waited, service, service_ids.tolist())
    priority = np.array([t.priority for t in waiting], dtype=float)
    return _rows(snapshot, forecast, per_service, service, waited, position, priority, 0)


def newcomer_features(
    snapshot: QueueSnapshot,
    forecast: Forecast,
    newcomers: list[tuple[int, int]],
    durations: DurationModel,
    outcomes: OutcomeModel,
) -> np.ndarray:
    """Return one row per newcomer (service id, priority) of `forecast.newcomers`: the features the ticket
    would have right after joining alone (counted in its line, with waited time zero)."""
    if not newcomers:
        return np.zeros((0, len(FEATURES)))
    waiting = snapshot.waiting
    ids = sorted({t.service_id for t in waiting} | {service_id for service_id, _ in newcomers})
    index = {service_id: i for i, service_id in enumerate(ids)}
    service = np.array([index[t.service_id] for t in waiting], dtype=np.intp)
    waited = np.array([(snapshot.now - t.waiting_since).total_seconds() for t in waiting])
    per_service = _service_table(snapshot, durations, outcomes, waited, service, ids)
    own = np.array([index[service_id] for service_id, _ in newcomers], dtype=np.intp)
    position = _newcomer_positions(snapshot, newcomers)
    per_service["waiting"] = per_service["waiting"] + 1.0  # each newcomer counts itself in its line
    priority = np.array([p for _, p in newcomers], dtype=float)
    return _rows(snapshot, forecast.newcomers, per_service, own, np.zeros(len(own)), position, priority, 1)


def _rows(snapshot, forecast, per_service, service, waited, position, priority, joining: int) -> np.ndarray:
    """Assemble the feature matrix; `joining` tickets are not among the snapshot's waiting ones."""
    size = len(service)
    columns = [
        to_log(forecast.p10_s),
        to_log(forecast.p50_s),
        to_log(forecast.p90_s),
        to_log(forecast.mean_s),
        waited / 60.0,
        position,
        per_service["waiting"][service],
        np.full(size, float(len(snapshot.waiting) + joining)),
        per_service["serving"][service],
        np.full(size, float(sum(c.open for c in snapshot.counters))),
        np.full(size, float(sum((not c.open) and c.reopens_at is not None for c in snapshot.counters))),
        per_service["busy"][service],
        priority,
        per_service["duration"][service] / 60.0,
        per_service["no_show"][service],
        per_service["abandon"][service] * 3600.0,
        per_service["last_wait"][service] / 60.0,
        per_service["recent_wait"][service] / 60.0,
        per_service["head_wait"][service] / 60.0,
        position * per_service["duration"][service] / np.maximum(per_service["serving"][service], 1.0) / 60.0,
    ]
    return np.column_stack(columns)


def _newcomer_positions(snapshot: QueueSnapshot, newcomers: list[tuple[int, int]]) -> np.ndarray:
    """Return each newcomer's place in its service's line: 1 + the tickets of its service called before it."""
    ghosts = [
        Candidate(ticket_id, service_id, priority, snapshot.now)
        for ticket_id, (service_id, priority) in zip(newcomer_ids(len(newcomers)), newcomers, strict=True)
    ]
    order = queue_order(
        [t.candidate() for t in snapshot.waiting] + ghosts,
        rule=snapshot.rule,
        now=snapshot.now,
        priority_streak=snapshot.priority_streak,
    )
    ahead: dict[int, int] = {}
    position = {}
    for candidate in order:
        if candidate.ticket_id >= NEWCOMER_ID:
            position[candidate.ticket_id] = 1.0 + ahead.get(candidate.service_id, 0)
        else:
            ahead[candidate.service_id] = ahead.get(candidate.service_id, 0) + 1
    return np.array([position[ghost.ticket_id] for ghost in ghosts])


def _call_ranks(snapshot: QueueSnapshot) -> np.ndarray:
    """Return each waiting ticket's rank in the call-next order (ties of expected call time fall back on it,
    e.g. when no open counter serves the line and every expected call time is infinite)."""
    candidates = [
        Candidate(t.ticket_id, t.service_id, t.priority, t.queued_at, t.appointment_at)
        for t in snapshot.waiting
    ]
    order = queue_order(
        candidates, rule=snapshot.rule, now=snapshot.now, priority_streak=snapshot.priority_streak
    )
    rank = {candidate.ticket_id: index for index, candidate in enumerate(order)}
    return np.array([rank[t.ticket_id] for t in snapshot.waiting])


def _positions(service: np.ndarray, mean_call_s: np.ndarray, call_rank: np.ndarray) -> np.ndarray:
    """Return each ticket's place in its service's line (1 = next), by expected call time, then call order."""
    order = np.lexsort((call_rank, mean_call_s, service))
    position = np.empty(len(service))
    previous, count = None, 0
    for index in order:
        count = count + 1 if service[index] == previous else 1
        previous = service[index]
        position[index] = count
    return position


def _service_table(snapshot, durations, outcomes, waited, service, ids: list[int]) -> dict[str, np.ndarray]:
    """Return per-service arrays, indexed like `ids`."""
    size = len(ids)
    table = {
        name: np.zeros(size)
        for name in (
            "waiting",
            "serving",
            "busy",
            "duration",
            "no_show",
            "abandon",
            "last_wait",
            "recent_wait",
        )
    }
    table["head_wait"] = np.zeros(size)
    np.maximum.at(table["head_wait"], service, waited)
    np.add.at(table["waiting"], service, 1.0)
    for index, service_id in enumerate(ids):
        stats = outcomes.service(service_id)
        table["serving"][index] = sum(c.open and service_id in c.service_ids for c in snapshot.counters)
        table["busy"][index] = sum(c.serving_service_id == service_id for c in snapshot.counters)
        table["duration"][index] = durations.mean_s(service_id)
        table["no_show"][index] = stats.no_show_rate
        table["abandon"][index] = stats.abandon_rate_per_s
        last = outcomes.last_wait_s(service_id)
        recent = outcomes.mean_recent_wait_s(service_id)
        table["last_wait"][index] = -1.0 if last is None else last
        table["recent_wait"][index] = -1.0 if recent is None else recent
    return table
