"""Wait-time prediction: learned durations, a forward simulation under the real call-next rules, a learned
correction with calibrated ranges, and the event logs, simulator and evaluation that measure it.

The app holds one `Estimator` per process, feeds it finished tickets, and asks it for every waiting ticket
of a location at once with `predict(QueueSnapshot)`. Training (`fit_from_eventlog`) belongs in the
scheduler, never in a web request.
"""

from qserve.predict.estimator import Estimator
from qserve.predict.eventlog import EventLogRow, read_eventlog, write_eventlog
from qserve.predict.snapshot import CounterState, QueueSnapshot, WaitEstimate, WaitingTicket
from qserve.predict.training import fit_from_eventlog

__all__ = [
    "CounterState",
    "Estimator",
    "EventLogRow",
    "QueueSnapshot",
    "WaitEstimate",
    "WaitingTicket",
    "fit_from_eventlog",
    "read_eventlog",
    "write_eventlog",
]
