"""Route limits apply while an app has rate limiting on and cost nothing while it is off; a blueprint's
limits are flask-limiter's own."""

import flask
import pytest

from qserve.extensions import limiter


def make_app(*, enabled: bool) -> flask.Flask:
    """Return an app with one limited view, one stacked with two limits and one limited blueprint."""
    app = flask.Flask(__name__)
    app.config.update(RATELIMIT_ENABLED=enabled, RATELIMIT_STORAGE_URI="memory://")
    limiter.init_app(app)

    @app.get("/one")
    @limiter.limit("2 per minute")
    def one():
        return "ok"

    @app.get("/stacked")
    @limiter.limit("3 per minute")
    @limiter.limit("100 per minute", key_func=lambda: "everyone")
    def stacked():
        return "ok"

    pages = flask.Blueprint("pages", __name__)

    @pages.get("/page")
    def page():
        return "ok"

    limiter.limit("1 per minute")(pages)
    app.register_blueprint(pages)
    return app


@pytest.mark.parametrize(
    ("path", "allowed"), [("/one", 2), ("/stacked", 3), ("/page", 1)], ids=["one", "stacked", "blueprint"]
)
def test_a_limit_answers_429_once_spent_and_stacked_limits_count_each_request_once(path, allowed):
    client = make_app(enabled=True).test_client()
    statuses = [client.get(path).status_code for _ in range(allowed + 1)]
    assert statuses == [200] * allowed + [429]


@pytest.mark.parametrize("path", ["/one", "/stacked"])
def test_with_rate_limiting_off_a_limited_view_is_never_refused(path):
    client = make_app(enabled=False).test_client()
    assert {client.get(path).status_code for _ in range(10)} == {200}


def test_limiting_a_blueprint_is_left_to_flask_limiter_and_returns_what_it_returns():
    assert limiter.limit("1 per minute")(flask.Blueprint("other", __name__)) is None
