"""Reach a configured thermal printer: send a job, ask its status."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Mapping
from typing import Any

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File, Network, Serial, Usb

from qserve.domain.errors import QServeError
from qserve.printing.status import STATUS_QUERIES, PrinterStatus, decode_status, status_query

log = logging.getLogger(__name__)

KINDS = ("network", "usb", "serial", "file")


class PrinterError(QServeError):
    """A print job or status query did not go through; status says what the printer reported."""

    code = "printer_error"
    http_status = 503

    def __init__(self, message: str, *, status: PrinterStatus | None = None) -> None:
        super().__init__(message)
        self.status = status


class PrinterOffline(PrinterError):
    """The printer cannot be reached, or says it is offline (cover open, error)."""

    code = "printer_offline"


class PrinterPaperOut(PrinterError):
    """The printer reports it has no paper."""

    code = "printer_paper_out"


class PrinterJobFailed(PrinterError):
    """The job was cut off: the connection dropped or the printer stopped answering."""

    code = "printer_job_failed"


class PrinterConfigError(PrinterError, ValueError):
    """The printer configuration is incomplete or names an unknown kind; retrying will not help."""

    code = "printer_misconfigured"
    http_status = 500


class _Network(Network):
    """escpos's network printer, but closing the socket when connecting fails and without Nagle delays."""

    def open(self, raise_not_found: bool = True) -> None:
        """Connect to the printer, raising DeviceNotFoundError when nothing answers."""
        try:
            connection = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as error:
            self.device = None
            raise DeviceNotFoundError(f"nothing answers at {self.host}:{self.port}: {error}") from error
        # Status queries are three bytes; without this they wait for the ACK of the job's last segment.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.device = connection


def _number(value: Any) -> int:
    return int(value, 0) if isinstance(value, str) else int(value)


def _require(config: Mapping[str, Any], *keys: str) -> None:
    missing = [key for key in keys if key not in config]
    if missing:
        raise PrinterConfigError(f"{config.get('kind')} printer config lacks {', '.join(missing)}")


def build_printer(config: Mapping[str, Any], *, timeout_s: float = 5.0) -> Escpos:
    """Build (without opening) the escpos connection a printer config describes."""
    kind, profile = config.get("kind"), config.get("profile")
    if kind == "network":
        _require(config, "host")
        return _Network(
            config["host"], port=int(config.get("port", 9100)), timeout=timeout_s, profile=profile
        )
    if kind == "usb":
        _require(config, "vendor_id", "product_id")
        return Usb(
            _number(config["vendor_id"]),
            _number(config["product_id"]),
            timeout=int(timeout_s * 1000),
            in_ep=_number(config.get("in_ep", 0x82)),
            out_ep=_number(config.get("out_ep", 0x01)),
            profile=profile,
        )
    if kind == "serial":
        _require(config, "device")
        baudrate = int(config.get("baudrate", 9600))
        try:
            return Serial(config["device"], baudrate=baudrate, timeout=timeout_s, profile=profile)
        except RuntimeError as error:  # escpos's way of saying pyserial is missing
            raise PrinterConfigError(str(error)) from error
    if kind == "file":
        _require(config, "path")
        return File(config["path"], profile=profile)
    raise PrinterConfigError(f"unknown printer kind {kind!r}; expected one of {', '.join(KINDS)}")


def _open(printer: Escpos) -> None:
    try:
        printer.open()
    except DeviceNotFoundError as error:
        raise PrinterOffline(str(error).strip(), status=PrinterStatus.OFFLINE) from error
    except RuntimeError as error:  # escpos says so when pyusb or pyserial is missing
        raise PrinterConfigError(str(error)) from error
    except _usb_backend_missing() as error:  # pyusb is there, but no libusb for it on this machine
        raise PrinterConfigError(
            "USB printers need libusb on this machine (Debian: apt install libusb-1.0-0)"
        ) from error


def _usb_backend_missing() -> type[Exception]:
    """Return pyusb's error for a machine without libusb (an error never raised where pyusb is absent)."""
    try:
        from usb.core import NoBackendError
    except ImportError:
        return _NeverRaised
    return NoBackendError


class _NeverRaised(Exception):
    pass


def _close(printer: Escpos) -> None:
    try:
        printer.close()
    except OSError as error:
        log.debug("closing printer connection failed: %s", error)


def _exchange(printer: Escpos, function: int, timeout_s: float) -> int | None:
    """Send DLE EOT n and return the answer byte, None when none came in time."""
    query = status_query(function)
    if isinstance(printer, Network):
        return _exchange_socket(printer.device, query, timeout_s)
    if isinstance(printer, Serial):
        previous, printer.device.timeout = printer.device.timeout, timeout_s
        try:
            printer.device.write(query)
            answer = printer.device.read(1)
        finally:
            printer.device.timeout = previous
        return answer[0] if answer else None
    if isinstance(printer, Usb):
        return _exchange_usb(printer, query, timeout_s)
    return None  # a device file cannot be read back


def _exchange_socket(connection: socket.socket, query: bytes, timeout_s: float) -> int | None:
    # The short wait applies to this answer only; the job itself is sent with the full timeout.
    previous = connection.gettimeout()
    connection.settimeout(timeout_s)
    try:
        connection.sendall(query)
        answer = connection.recv(1)
    except TimeoutError:
        return None
    finally:
        connection.settimeout(previous)
    if not answer:
        raise ConnectionResetError("printer closed the connection")
    return answer[0]


def _exchange_usb(printer: Usb, query: bytes, timeout_s: float) -> int | None:
    import usb.core  # only present where USB printers are used

    timeout_ms = max(int(timeout_s * 1000), 1)
    printer.device.write(printer.out_ep, query, timeout_ms)
    try:
        answer = printer.device.read(printer.in_ep, 16, timeout_ms)
    except usb.core.USBTimeoutError:
        return None
    return answer[-1] if len(answer) else None


def _poll(printer: Escpos, timeout_s: float) -> PrinterStatus:
    """Ask DLE EOT 1..4 within timeout_s; no answer in time is unknown, never online."""
    deadline = time.monotonic() + timeout_s
    answers: dict[int, int] = {}
    for function in STATUS_QUERIES:
        remaining = deadline - time.monotonic()
        answer = _exchange(printer, function, remaining) if remaining > 0 else None
        if answer is None:
            return PrinterStatus.UNKNOWN
        answers[function] = answer
    return decode_status(answers)


def query_status(config: Mapping[str, Any], *, timeout_s: float = 2.0) -> PrinterStatus:
    """Ask a printer for its status with real DLE EOT queries; unreachable is offline."""
    printer = build_printer(config, timeout_s=timeout_s)
    try:
        _open(printer)
        return _poll(printer, timeout_s)
    except PrinterOffline:
        return PrinterStatus.OFFLINE
    except OSError as error:
        log.info("printer hung up during a status query: %s", error)
        return PrinterStatus.OFFLINE
    finally:
        _close(printer)


def _refuse_unless_ready(status: PrinterStatus, *, after_job: bool) -> None:
    when = "after the job" if after_job else "before the job"
    if status is PrinterStatus.PAPER_OUT:
        raise PrinterPaperOut(f"printer reports no paper {when}", status=status)
    if status in (PrinterStatus.COVER_OPEN, PrinterStatus.OFFLINE):
        raise PrinterOffline(f"printer reports {status.value} {when}", status=status)


def send_job(
    config: Mapping[str, Any], data: bytes, *, timeout_s: float = 5.0, status_timeout_s: float = 1.0
) -> PrinterStatus:
    """Send one rendered job, checking status before and after; return the last status seen.

    Paper out, cover open or offline before sending raises without sending anything. A printer that
    never answers status queries (unknown) still gets the job, as many cheap printers cannot answer.
    """
    printer = build_printer(config, timeout_s=timeout_s)
    try:
        _open(printer)
        try:
            before = _poll(printer, status_timeout_s)
        except OSError as error:
            raise PrinterOffline(f"printer hung up before the job: {error}") from error
        _refuse_unless_ready(before, after_job=False)
        try:
            printer._raw(data)
            # The answer to a status query sent after the job proves the printer took in every byte.
            after = _poll(printer, timeout_s) if before is not PrinterStatus.UNKNOWN else before
        except OSError as error:
            raise PrinterJobFailed(f"connection lost during the job: {error}") from error
        if after is PrinterStatus.UNKNOWN and before is not PrinterStatus.UNKNOWN:
            raise PrinterJobFailed("printer stopped answering during the job", status=after)
        _refuse_unless_ready(after, after_job=True)
        return after
    finally:
        _close(printer)
