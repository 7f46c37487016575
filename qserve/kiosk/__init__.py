"""The walk-in kiosk: touchscreen pages, ticket printing through the outbox, printer status for staff."""

from __future__ import annotations

from flask import Flask

from qserve.events import EventBus


def init_app(app: Flask, bus: EventBus) -> None:
    """Register the kiosk blueprints, the print-job outbox handler and the print-at-once subscriber."""
    from qserve.extensions import csrf
    from qserve.kiosk import api, views
    from qserve.kiosk.delivery import kick_delivery
    from qserve.kiosk.printers import SocketAlerts
    from qserve.kiosk.printjobs import kiosk_ticket_ids, on_ticket_issued

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    # The kiosk is anonymous (nothing for a forged request to ride on); staff routes check CSRF themselves.
    csrf.exempt(api.bp)
    app.extensions["qserve.kiosk.alerts"] = SocketAlerts()
    bus.add_handler(on_ticket_issued)
    bus.subscribe(lambda events: kick_delivery(app, kiosk_ticket_ids(events)))
