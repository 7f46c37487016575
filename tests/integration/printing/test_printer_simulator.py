"""The printer simulator: job boundaries, files on disk, the HTTP control, the CLI, a serial line."""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import threading
import urllib.request

import pytest
from click.testing import CliRunner
from PIL import Image

from qserve.printing.cli import printer_sim, serve_control
from qserve.printing.devices import query_status, send_job
from qserve.printing.layout import render_escpos
from qserve.printing.simulator import PrinterEngine, PrinterSimulator, SimulatorMode
from qserve.printing.status import PrinterStatus
from tests.unit.printing.tickets import make_printable_ticket


def send_raw(simulator: PrinterSimulator, data: bytes) -> None:
    with socket.create_connection((simulator.host, simulator.port), timeout=2) as connection:
        connection.sendall(data)


def test_jobs_are_separated_by_cuts_and_by_hanging_up(tmp_path):
    with PrinterSimulator("127.0.0.1", 0) as simulator:
        send_raw(simulator, b"\x1b@first\n\x1dV\x00\x1b@second\n\x1dV\x00\x1b@third\n")
        jobs = simulator.wait_for_jobs(3)

    assert [job.data for job in jobs] == [
        b"\x1b@first\n\x1dV\x00",
        b"\x1b@second\n\x1dV\x00",
        b"\x1b@third\n",
    ]
    assert [job.cut for job in jobs] == [True, True, False]


def test_each_job_is_saved_as_bytes_and_a_png_preview(tmp_path):
    data = render_escpos(make_printable_ticket("pl"))

    with PrinterSimulator("127.0.0.1", 0, out_dir=tmp_path) as simulator:
        send_job(simulator.config, data)
        [job] = simulator.wait_for_jobs(1)

    assert job.bin_path.read_bytes() == data
    with Image.open(job.preview_path) as preview:
        assert preview.width == 576


def test_the_http_control_switches_the_mode():
    with PrinterSimulator("127.0.0.1", 0) as simulator:
        control = serve_control(simulator, "127.0.0.1", 0)
        base = f"http://127.0.0.1:{control.server_address[1]}"
        try:
            request = urllib.request.Request(f"{base}/mode", data=b"paper_out", method="POST")
            with urllib.request.urlopen(request, timeout=2) as response:
                answer = json.load(response)
            with urllib.request.urlopen(f"{base}/", timeout=2) as response:
                state = json.load(response)
            status = query_status(simulator.config)
        finally:
            control.shutdown()
            control.server_close()

    assert answer["mode"] == state["mode"] == "paper_out"
    assert status is PrinterStatus.PAPER_OUT


def test_the_command_documents_its_control():
    result = CliRunner().invoke(printer_sim, ["--help"])

    assert result.exit_code == 0
    assert "--control-port" in result.output
    assert "paper_out" in result.output


@pytest.fixture
def serial_printer():
    """A printer on the far end of a pseudo-terminal, driven by the simulator's engine."""
    pytest.importorskip("serial", reason="serial printers need pyserial (python-escpos[serial])")
    controller, device = pty.openpty()
    jobs: list[bytes] = []
    engine = PrinterEngine(lambda: SimulatorMode.NORMAL, lambda data, cut: jobs.append(data))
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            if select.select([controller], [], [], 0.05)[0]:
                answers = engine.feed(os.read(controller, 4096))
                if answers:
                    os.write(controller, answers)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield os.ttyname(device), jobs
    stop.set()
    thread.join()
    os.close(controller)
    os.close(device)


def test_a_serial_printer_answers_status_and_prints(serial_printer):
    device, jobs = serial_printer
    config = {"kind": "serial", "device": device, "baudrate": 19200}
    data = render_escpos(make_printable_ticket("sv"))

    assert query_status(config, timeout_s=1) is PrinterStatus.ONLINE
    assert send_job(config, data) is PrinterStatus.ONLINE
    assert jobs == [data]
