"""`qserve scheduler`: the one process that runs timed jobs and emits through the message queue."""

from __future__ import annotations

import logging

import click


@click.command("scheduler")
def scheduler() -> None:
    """Run timed jobs (deliveries, retries, reminders, expiries, retraining); run exactly one."""
    import os

    from qserve import create_app
    from qserve.config import configure_logging
    from qserve.jobs.scheduler import SchedulerAlreadyRunning, serve_scheduler

    configure_logging()
    # APScheduler says at INFO that each job ran, three lines a second; its warnings (a run missed) and errors
    # (a job failed) still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # This process has no web server: Socket.IO emits go through the Redis message queue in threading mode.
    os.environ["QSERVE_ASYNC_MODE"] = "threading"
    app = create_app()
    try:
        serve_scheduler(app)
    except SchedulerAlreadyRunning as error:
        raise click.ClickException(str(error)) from error
