"""Printing over TCP to the simulator: jobs, status queries and every failure mode."""

from __future__ import annotations

import time

import pytest

from qserve.printing.devices import (
    PrinterConfigError,
    PrinterJobFailed,
    PrinterOffline,
    PrinterPaperOut,
    query_status,
    send_job,
)
from qserve.printing.layout import render_escpos
from qserve.printing.preview import decode_text
from qserve.printing.simulator import PrinterSimulator, SimulatorMode
from qserve.printing.status import PrinterStatus
from tests.unit.printing.tickets import URL, make_printable_ticket


@pytest.fixture
def printer():
    with PrinterSimulator("127.0.0.1", 0) as simulator:
        yield simulator


@pytest.fixture
def job() -> bytes:
    return render_escpos(make_printable_ticket("fi"))


def test_a_ticket_sent_over_tcp_arrives_byte_for_byte(printer, job):
    status = send_job(printer.config, job)

    assert status is PrinterStatus.ONLINE
    [printed] = printer.wait_for_jobs(1)
    assert printed.data == job
    assert printed.cut
    assert URL.encode() in printed.data
    assert "Hämeenlinnan apteekki" in decode_text(printed.data)


def test_paper_out_raises_before_sending_and_nothing_prints(printer, job):
    printer.set_mode(SimulatorMode.PAPER_OUT)

    with pytest.raises(PrinterPaperOut) as raised:
        send_job(printer.config, job)

    assert raised.value.status is PrinterStatus.PAPER_OUT
    assert printer.jobs == []
    assert printer.discarded_bytes == 0  # not one byte of the job was sent


def test_the_job_prints_once_the_paper_is_back(printer, job):
    printer.set_mode(SimulatorMode.PAPER_OUT)
    with pytest.raises(PrinterPaperOut):
        send_job(printer.config, job)

    printer.set_mode(SimulatorMode.NORMAL)
    send_job(printer.config, job)

    assert [printed.data for printed in printer.wait_for_jobs(1)] == [job]


def test_a_connection_dropped_mid_job_raises_job_failed_and_prints_nothing(printer, job):
    printer.set_mode(SimulatorMode.DROP)

    with pytest.raises(PrinterJobFailed):
        send_job(printer.config, job)

    assert printer.dropped_connections == 1
    assert printer.jobs == []


def test_a_retry_after_a_dropped_connection_prints_exactly_once(printer, job):
    printer.set_mode(SimulatorMode.DROP)
    with pytest.raises(PrinterJobFailed):
        send_job(printer.config, job)

    printer.set_mode(SimulatorMode.NORMAL)
    send_job(printer.config, job)

    assert len(printer.wait_for_jobs(1)) == 1


def test_an_offline_printer_raises_printer_offline(printer, job):
    printer.set_mode(SimulatorMode.OFFLINE)

    with pytest.raises(PrinterOffline):
        send_job(printer.config, job)

    printer.set_mode(SimulatorMode.NORMAL)
    assert query_status(printer.config) is PrinterStatus.ONLINE


def test_an_open_cover_raises_printer_offline_with_the_cause(printer, job):
    printer.set_mode(SimulatorMode.COVER_OPEN)

    with pytest.raises(PrinterOffline) as raised:
        send_job(printer.config, job)

    assert raised.value.status is PrinterStatus.COVER_OPEN
    assert printer.jobs == []


def test_paper_near_end_still_prints_and_says_so(printer, job):
    printer.set_mode(SimulatorMode.PAPER_NEAR_END)

    assert send_job(printer.config, job) is PrinterStatus.PAPER_NEAR_END
    assert len(printer.wait_for_jobs(1)) == 1


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (SimulatorMode.NORMAL, PrinterStatus.ONLINE),
        (SimulatorMode.PAPER_NEAR_END, PrinterStatus.PAPER_NEAR_END),
        (SimulatorMode.PAPER_OUT, PrinterStatus.PAPER_OUT),
        (SimulatorMode.COVER_OPEN, PrinterStatus.COVER_OPEN),
        (SimulatorMode.OFFLINE, PrinterStatus.OFFLINE),
        (SimulatorMode.DROP, PrinterStatus.ONLINE),
        (SimulatorMode.SILENT, PrinterStatus.UNKNOWN),
    ],
)
def test_the_status_query_reports_each_mode(printer, mode, expected):
    printer.set_mode(mode)

    assert query_status(printer.config, timeout_s=0.5) is expected


@pytest.mark.timed
def test_a_silent_printer_is_unknown_within_the_timeout_not_online(printer):
    printer.set_mode(SimulatorMode.SILENT)

    started = time.monotonic()
    status = query_status(printer.config, timeout_s=0.3)

    assert status is PrinterStatus.UNKNOWN
    assert time.monotonic() - started < 0.8


def test_a_silent_printer_still_gets_the_job(printer, job):
    printer.set_mode(SimulatorMode.SILENT)

    assert send_job(printer.config, job, status_timeout_s=0.2) is PrinterStatus.UNKNOWN
    assert [printed.data for printed in printer.wait_for_jobs(1)] == [job]


def test_nothing_listening_is_offline():
    with PrinterSimulator("127.0.0.1", 0) as simulator:
        config = simulator.config

    assert query_status(config) is PrinterStatus.OFFLINE
    with pytest.raises(PrinterOffline):
        send_job(config, b"\x1b@hello\n")


def test_a_device_file_receives_the_job_and_cannot_report_status(tmp_path, job):
    config = {"kind": "file", "path": str(tmp_path / "lp0")}

    assert send_job(config, job) is PrinterStatus.UNKNOWN
    assert (tmp_path / "lp0").read_bytes() == job
    assert query_status(config) is PrinterStatus.UNKNOWN


def test_a_missing_device_file_is_offline(tmp_path):
    with pytest.raises(PrinterOffline):
        send_job({"kind": "file", "path": str(tmp_path / "no" / "lp0")}, b"x")


def test_a_usb_printer_that_is_not_plugged_in_is_offline():
    config = {"kind": "usb", "vendor_id": "0x04b8", "product_id": "0x0e15"}

    with pytest.raises((PrinterOffline, PrinterConfigError)):
        send_job(config, b"\x1b@hello\n")


def test_a_usb_printer_on_a_machine_without_libusb_is_a_configuration_error_that_says_what_to_install(
    monkeypatch,
):
    import usb.core

    def no_backend(**_criteria):
        raise usb.core.NoBackendError("No backend available")

    monkeypatch.setattr(usb.core, "find", no_backend)  # what pyusb does where libusb is not installed
    config = {"kind": "usb", "vendor_id": "0x04b8", "product_id": "0x0e15"}

    with pytest.raises(PrinterConfigError, match="libusb"):
        send_job(config, b"\x1b@hello\n")


@pytest.mark.parametrize(
    "config",
    [{"kind": "bluetooth"}, {"kind": "network"}, {"kind": "usb", "vendor_id": 1}, {"kind": "serial"}, {}],
)
def test_an_incomplete_config_is_a_config_error(config):
    with pytest.raises(PrinterConfigError):
        send_job(config, b"")
