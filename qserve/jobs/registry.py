"""Collect the jobs that packages declare as JOBS = [(name, every_seconds, function(now))]."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib import import_module

Job = tuple[str, float, Callable[[datetime], object]]
JOB_MODULES = (
    "qserve.jobs.core",
    "qserve.notify.jobs",
    "qserve.kiosk.jobs",
    "qserve.appointments.jobs",
    "qserve.insights.jobs",
    "qserve.predict.jobs",
)


def collect_jobs() -> list[Job]:
    """Return the jobs of every package that is present."""
    jobs: list[Job] = []
    for name in JOB_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as error:
            if error.name and name.startswith(error.name):
                continue
            raise
        jobs.extend(getattr(module, "JOBS", []))
    return jobs
