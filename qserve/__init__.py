"""qserve: virtual queue management for physical service points."""

from __future__ import annotations

from typing import Any


def create_app(config: Any = None):
    """Build the app (imported lazily so that `qserve run` can patch for gevent first)."""
    from qserve.app import create_app as factory

    return factory(config)


__all__ = ["create_app"]
