"""The one scheduler process: an exclusive lock, then APScheduler running each job inside an app context."""

from __future__ import annotations

import fcntl
import logging
import signal
import threading
from datetime import datetime
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from qserve.db import utcnow
from qserve.jobs.registry import Job, collect_jobs

log = logging.getLogger(__name__)


class SchedulerAlreadyRunning(RuntimeError):
    """Another process holds the scheduler lock."""


def take_lock(path: Path):
    """Hold an exclusive lock file for the life of the process, or raise SchedulerAlreadyRunning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        raise SchedulerAlreadyRunning(f"another scheduler holds {path}") from error
    return handle


def run_job(app: Flask, job: Job, now: datetime | None = None) -> object:
    """Run one job in an app context; a failure is logged and the next run tries again."""
    name, _every, function = job
    with app.app_context():
        try:
            return function(now or utcnow())
        except Exception:
            log.exception("job %s failed", name)
            return None


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Return an APScheduler with every collected job, each never overlapping itself."""
    scheduler = BlockingScheduler(timezone="UTC")
    for job in collect_jobs():
        scheduler.add_job(
            run_job,
            "interval",
            seconds=job[1],
            args=[app, job],
            id=job[0],
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now().astimezone(),
        )
    return scheduler


def serve_scheduler(app: Flask) -> None:
    """Run the scheduler until interrupted; refuse to start a second one on this machine."""
    lock = take_lock(Path(app.config["INSTANCE_PATH"]) / "scheduler.lock")
    scheduler = build_scheduler(app)
    stopping = threading.Event()

    def on_signal(number: int, _frame) -> None:
        if not stopping.is_set():  # Ctrl-C in a terminal, then the TERM of whoever started it: stop once
            stopping.set()
            stop_gracefully(scheduler, number)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    log.info("scheduler running %s", ", ".join(job.id for job in scheduler.get_jobs()))
    try:
        scheduler.start()
    finally:
        lock.close()
    log.info("scheduler stopped")


def stop_gracefully(scheduler: BlockingScheduler, signum: int) -> None:
    """Let the jobs under way finish (a delivery that has sent its SMS records it), then end `start()`.
    APScheduler's shutdown waits for them, so it runs on a thread of its own, not in the signal handler that
    interrupted the scheduler's loop."""
    log.info("scheduler stopping (%s): finishing the jobs under way", signal.Signals(signum).name)
    threading.Thread(target=scheduler.shutdown, name="scheduler-shutdown", daemon=True).start()
