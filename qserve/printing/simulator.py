"""A loopback ESC/POS network printer for tests and the demo."""

from __future__ import annotations

import logging
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from qserve.printing.escpos_stream import parse
from qserve.printing.preview import save_preview
from qserve.printing.status import PrinterStatus, encode_status

log = logging.getLogger(__name__)

_CONTENT = {"text", "lf", "raster", "2d_code", "feed_lines", "feed_dots", "cut"}
_POLL_S = 0.1


class SimulatorMode(StrEnum):
    """How the simulated printer behaves."""

    NORMAL = "normal"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"  # answers paper out; received jobs are not printed
    COVER_OPEN = "cover_open"  # answers cover open; received jobs are not printed
    OFFLINE = "offline"  # refuses connections, as a switched-off printer does
    DROP = "drop"  # answers status, then drops the connection as soon as a job starts
    SILENT = "silent"  # prints jobs but never answers status queries


_REPORTED = {
    SimulatorMode.PAPER_NEAR_END: PrinterStatus.PAPER_NEAR_END,
    SimulatorMode.PAPER_OUT: PrinterStatus.PAPER_OUT,
    SimulatorMode.COVER_OPEN: PrinterStatus.COVER_OPEN,
}


@dataclass(frozen=True)
class PrintedJob:
    """One job the simulator printed: its bytes, when, and where its files went."""

    data: bytes
    received_at: datetime
    cut: bool
    bin_path: Path | None = None
    preview_path: Path | None = None


class _Dropped(Exception):
    """The printer drops the connection now."""


class PrinterEngine:
    """The printer's logic for one connection: answer status queries, collect jobs between cuts."""

    def __init__(
        self,
        mode: Callable[[], SimulatorMode],
        on_job: Callable[[bytes, bool], None],
        on_discard: Callable[[int], None] = lambda count: None,
    ) -> None:
        self._mode, self._on_job, self._on_discard = mode, on_job, on_discard
        self._buffer = b""
        self._job: list[bytes] = []
        self._has_content = False

    def feed(self, data: bytes) -> bytes:
        """Take bytes from the host; return the status answers to send back."""
        self._buffer += data
        commands, used = parse(self._buffer, final=False)
        self._buffer = self._buffer[used:]
        answers = bytearray()
        for command in commands:
            mode = self._mode()
            if command.name == "status":
                if mode is not SimulatorMode.SILENT:
                    reported = _REPORTED.get(mode, PrinterStatus.ONLINE)
                    answers.append(encode_status(reported).get(command.params[0], 0x12))
                continue
            if command.name in _CONTENT and mode is SimulatorMode.DROP:
                self._job, self._has_content = [], False
                raise _Dropped
            if mode in (SimulatorMode.PAPER_OUT, SimulatorMode.COVER_OPEN):
                self._on_discard(len(command.raw))  # nothing prints without paper or with the cover open
                continue
            self._job.append(command.raw)
            self._has_content = self._has_content or command.name in _CONTENT
            if command.name == "cut":
                self._finish(cut=True)
        return bytes(answers)

    def close(self) -> None:
        """The host hung up: print what was received, as a job without a cut."""
        commands, _ = parse(self._buffer, final=True)
        self._buffer = b""
        if self._mode() not in (SimulatorMode.PAPER_OUT, SimulatorMode.COVER_OPEN, SimulatorMode.DROP):
            for command in commands:
                if command.name != "status":
                    self._job.append(command.raw)
                    self._has_content = self._has_content or command.name in _CONTENT
        self._finish(cut=False)

    def _finish(self, *, cut: bool) -> None:
        data, has_content = b"".join(self._job), self._has_content
        self._job, self._has_content = [], False
        if has_content:
            self._on_job(data, cut)


class PrinterSimulator:
    """A TCP ESC/POS printer on loopback that keeps the jobs it receives (port 0 picks a free port)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 9100,
        out_dir: str | Path | None = None,
        *,
        on_job: Callable[[PrintedJob], None] | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.jobs: list[PrintedJob] = []
        self.dropped_connections = 0
        self.discarded_bytes = 0  # bytes that arrived while out of paper or with the cover open
        self._jobs_started = 0
        self._on_job = on_job
        self._mode = SimulatorMode.NORMAL
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []

    @property
    def mode(self) -> SimulatorMode:
        """Return the current mode."""
        return self._mode

    @property
    def config(self) -> dict[str, object]:
        """Return the printer config that reaches this simulator."""
        return {"kind": "network", "host": self.host, "port": self.port}

    def start(self) -> PrinterSimulator:
        """Start listening and serving in background threads."""
        self._stopping.clear()
        with self._lock:
            if self._mode is not SimulatorMode.OFFLINE:
                self._open_listener()
        thread = threading.Thread(target=self._accept_loop, name=f"printer-sim-{self.port}", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop listening, hang up every connection and wait for the threads."""
        self._stopping.set()
        with self._lock:
            self._close_listener()
            for connection in list(self._connections):
                _shut(connection)
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def __enter__(self) -> PrinterSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def set_mode(self, mode: SimulatorMode | str) -> None:
        """Switch behaviour; offline closes the port and hangs up, leaving offline opens it again."""
        mode = SimulatorMode(mode)
        with self._lock:
            self._mode = mode
            if mode is SimulatorMode.OFFLINE:
                self._close_listener()
                for connection in list(self._connections):
                    _shut(connection)
            elif self._listener is None and not self._stopping.is_set() and self._threads:
                self._open_listener()

    def wait_for_jobs(self, count: int, *, timeout_s: float = 5.0) -> list[PrintedJob]:
        """Wait until at least count jobs arrived; return the jobs so far."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.jobs) >= count, timeout=timeout_s)
            return list(self.jobs)

    def _open_listener(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(8)
        listener.settimeout(_POLL_S)
        self.port = listener.getsockname()[1]
        self._listener = listener

    def _close_listener(self) -> None:
        if self._listener is not None:
            _shut(self._listener)
            self._listener = None

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                listener = self._listener
            if listener is None:
                self._stopping.wait(_POLL_S)
                continue
            try:
                connection, _ = listener.accept()
            except OSError:  # a timeout, or the listener closed for offline mode
                continue
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            with self._lock:
                self._connections.add(connection)
                self._threads = [alive for alive in self._threads if alive.is_alive()] + [thread]
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        engine = PrinterEngine(lambda: self._mode, self._store_job, self._count_discarded)
        try:
            # Inside the try: going offline or stopping may hang up before this thread first runs.
            connection.settimeout(_POLL_S)
            self._converse(connection, engine)
            engine.close()
        except _Dropped:
            with self._lock:
                self.dropped_connections += 1
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError as error:
            log.debug("printer simulator connection ended: %s", error)
        finally:
            with self._lock:
                self._connections.discard(connection)
            connection.close()

    def _converse(self, connection: socket.socket, engine: PrinterEngine) -> None:
        while not self._stopping.is_set():
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                return
            answers = engine.feed(chunk)
            if answers:
                connection.sendall(answers)

    def _count_discarded(self, count: int) -> None:
        with self._lock:
            self.discarded_bytes += count

    def _store_job(self, data: bytes, cut: bool) -> None:
        received_at = datetime.now(UTC)
        with self._lock:
            self._jobs_started += 1
            number = self._jobs_started
        bin_path = preview_path = None
        if self.out_dir is not None:
            stem = f"job-{number:04d}-{received_at:%Y%m%dT%H%M%S}"
            self.out_dir.mkdir(parents=True, exist_ok=True)
            bin_path = self.out_dir / f"{stem}.bin"
            bin_path.write_bytes(data)
            preview_path = save_preview(data, self.out_dir / f"{stem}.png")
        job = PrintedJob(data, received_at, cut, bin_path, preview_path)
        with self._lock:
            self.jobs.append(job)
            self._lock.notify_all()
        if self._on_job is not None:
            self._on_job(job)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
