"""The application factory."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from qserve.config import Config
from qserve.db import Database
from qserve.events import EventBus
from qserve.extensions import babel, csrf, limiter, login_manager, select_locale, socketio


def create_app(config: object | None = None) -> Flask:
    """Build a qserve app from a config object (Config() from the environment by default)."""
    app = Flask(__name__, instance_path=None)
    config = config or Config()
    app.config.from_object(config)
    app.config["SQLALCHEMY_ECHO"] = False

    database = Database(app.config["DATABASE_URL"])
    app.extensions["qserve.db"] = database
    bus = EventBus()
    app.extensions["qserve.bus"] = bus

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    from qserve import auth, errors, realtime, security, web
    from qserve.api import bp as api_bp

    errors.register(app)
    auth.init_app(app)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    web.init_app(app)
    security.init_app(app)
    _register_estimator(app, bus)
    realtime.init_app(app, bus)
    _register_optional(app, bus)
    # Last: Socket.IO handlers declared on import are kept by the extension only until its first init_app,
    # so every module that declares handlers must be imported before this line.
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config.get("REDIS_URL"),
        logger=False,
        engineio_logger=False,
    )
    if app.config.get("TRUSTED_PROXIES"):
        # Outermost, so that Socket.IO's own checks (the origin of a WebSocket) see the client's scheme too.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app


def _register_estimator(app: Flask, bus: EventBus) -> None:
    """Use the learned estimator when the predict package is installed (it subscribes before the publisher,
    so a refresh already knows the step that caused it)."""
    try:
        from qserve.predict.wiring import init_app as init_predict
    except ModuleNotFoundError:
        return
    init_predict(app, bus)


def _register_optional(app: Flask, bus: EventBus) -> None:
    """Plug in the front ends and side-effect handlers that live in their own packages."""
    from importlib import import_module

    for name in (
        "qserve.notify.setup",
        "qserve.staff",
        "qserve.mobile",
        "qserve.kiosk",
        "qserve.appointments",
        "qserve.insights",
        "qserve.admin",
    ):
        try:
            module = import_module(name)
        except ModuleNotFoundError as error:
            if error.name and name.startswith(error.name):
                continue
            raise
        init = getattr(module, "init_app", None)
        if init is not None:
            init(app, bus)
