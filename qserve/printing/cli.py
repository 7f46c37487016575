"""The `qserve printer-sim` command and its small HTTP control."""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from qserve.printing.simulator import PrintedJob, PrinterSimulator, SimulatorMode

MODES = [mode.value for mode in SimulatorMode]


class _ControlHandler(BaseHTTPRequestHandler):
    """GET / for the state, GET /jobs for the jobs, POST /mode with a mode name as the body."""

    server: _ControlServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        simulator = self.server.simulator
        if self.path == "/":
            self._reply(HTTPStatus.OK, _state(simulator))
        elif self.path == "/jobs":
            self._reply(
                HTTPStatus.OK, [_job_summary(index, job) for index, job in enumerate(simulator.jobs, 1)]
            )
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "unknown path", "paths": ["/", "/jobs", "/mode"]})

    def do_POST(self) -> None:  # noqa: N802
        if self.path != "/mode":
            self._reply(HTTPStatus.NOT_FOUND, {"error": "unknown path"})
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8").strip()
        mode = body.removeprefix("mode=")
        if mode not in MODES:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": f"unknown mode {mode!r}", "modes": MODES})
            return
        self.server.simulator.set_mode(mode)
        self._reply(HTTPStatus.OK, _state(self.server.simulator))

    def _reply(self, status: HTTPStatus, payload: object) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep the console for job lines


class _ControlServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], simulator: PrinterSimulator) -> None:
        super().__init__(address, _ControlHandler)
        self.simulator = simulator


def _state(simulator: PrinterSimulator) -> dict[str, object]:
    return {
        "mode": simulator.mode.value,
        "port": simulator.port,
        "jobs": len(simulator.jobs),
        "dropped_connections": simulator.dropped_connections,
    }


def _job_summary(number: int, job: PrintedJob) -> dict[str, object]:
    return {
        "number": number,
        "bytes": len(job.data),
        "received_at": job.received_at.isoformat(),
        "cut": job.cut,
        "preview": str(job.preview_path) if job.preview_path else None,
    }


def serve_control(simulator: PrinterSimulator, host: str, port: int) -> ThreadingHTTPServer:
    """Serve the HTTP control for a simulator in a background thread; call shutdown() to stop."""
    server = _ControlServer((host, port), simulator)
    threading.Thread(target=server.serve_forever, name="printer-sim-control", daemon=True).start()
    return server


def _echo_job(job: PrintedJob) -> None:
    where = f" -> {job.preview_path}" if job.preview_path else ""
    ending = "cut" if job.cut else "connection closed"
    click.echo(f"{job.received_at:%H:%M:%S} job of {len(job.data)} bytes ({ending}){where}")


@click.command("printer-sim")
@click.option("--port", default=9100, show_default=True, help="TCP port to print to (0 picks a free one).")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it loopback)."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for each job's raw bytes (.bin) and PNG preview (.png).",
)
@click.option("--mode", type=click.Choice(MODES), default="normal", show_default=True, help="Starting mode.")
@click.option(
    "--control-port",
    type=int,
    default=None,
    help="Serve an HTTP control on this loopback port: `curl -d paper_out http://127.0.0.1:PORT/mode` "
    "switches mode, `curl http://127.0.0.1:PORT/` shows mode and job count, /jobs lists the jobs.",
)
def printer_sim(port: int, host: str, out_dir: Path | None, mode: str, control_port: int | None) -> None:
    """Run a loopback ESC/POS network printer that keeps every job and answers DLE EOT status queries.

    Jobs end at a cut command (GS V) or when the sender hangs up. Modes: normal, paper_near_end,
    paper_out and cover_open (status says so; jobs are not printed), offline (the port refuses
    connections), drop (the connection is dropped as soon as a job starts), silent (jobs print, status
    queries are never answered). Stop with Ctrl-C.
    """
    simulator = PrinterSimulator(host, port, out_dir, on_job=_echo_job)
    simulator.set_mode(mode)
    simulator.start()
    control = serve_control(simulator, host, control_port) if control_port is not None else None
    click.echo(f"printer simulator on {host}:{simulator.port}, mode {simulator.mode.value}")
    if control is not None:
        click.echo(f"control on http://{host}:{control.server_address[1]}/ (POST /mode with one of {MODES})")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        if control is not None:
            control.shutdown()
            control.server_close()
        simulator.stop()
