"""WebSocket connections to a real `qserve run`: a client that leaves closes its socket cleanly, and the
server does not read the closing WebSocket frame as a broken HTTP request (a log line per page closed)."""

import time
from pathlib import Path

import socketio as socketio_client


def test_a_websocket_client_that_leaves_leaves_no_error_in_the_log(live_server):
    for _ in range(3):
        client = socketio_client.Client()
        client.connect(live_server.url, namespaces=["/ticket"], transports=["websocket"])
        client.emit("watch", {"token": "tnobody"}, namespace="/ticket")
        client.disconnect()
    time.sleep(0.5)

    log = Path(live_server.log.name).read_text()
    assert "Invalid HTTP" not in log
    assert "Traceback" not in log
