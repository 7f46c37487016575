"""The scheduler's job: retrain the estimator on recent history and save it where the app reloads it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from qserve.db import read_session
from qserve.predict.history import default_durations, load_history
from qserve.predict.training import fit_from_history

TRAINING_DAYS = 28
TRAINING_EVERY_S = 24 * 3600
TICKETS_PER_SAMPLE = 20_000  # above this many tickets, simulate only every k-th moment to bound the CPU


def estimator_path() -> Path:
    """Return where the trained estimator is saved: MODEL_PATH (QSERVE_MODEL_PATH), else in the instance."""
    configured = current_app.config.get("MODEL_PATH")
    return Path(configured) if configured else Path(current_app.config["INSTANCE_PATH"]) / "estimator.pkl"


def train_estimator(now: datetime) -> int:
    """Retrain on the last four weeks of every location and save the estimator; return the tickets used."""
    with read_session() as session:
        locations = load_history(session, since=now - timedelta(days=TRAINING_DAYS))
        defaults = default_durations(session)
    tickets = sum(len(rows) for rows, _rule in locations)
    estimator = fit_from_history(
        locations, default_durations_s=defaults, sample_every=1 + tickets // TICKETS_PER_SAMPLE, now=now
    )
    path = estimator_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    estimator.save(path)
    return tickets


JOBS = [("train-estimator", TRAINING_EVERY_S, train_estimator)]
