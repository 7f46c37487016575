"""Printer status: the answers to DLE EOT 1..4 and what they mean."""

from __future__ import annotations

from enum import StrEnum

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, ROLL_PAPER = 1, 2, 3, 4
STATUS_QUERIES = (PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, ROLL_PAPER)

# Every answer has bit 1 and bit 4 set and bits 0 and 7 clear: 0b0001_0010.
FIXED_BITS_MASK, FIXED_BITS = 0x93, 0x12
PRINTER_OFFLINE = 0x08  # DLE EOT 1, bit 3
COVER_OPEN = 0x04  # DLE EOT 2, bit 2
PAPER_END_STOP = 0x20  # DLE EOT 2, bit 5: printing stopped at the paper end
ERROR_OCCURRED = 0x40  # DLE EOT 2, bit 6
CUTTER_ERROR, UNRECOVERABLE_ERROR, AUTO_RECOVERABLE_ERROR = 0x08, 0x20, 0x40  # DLE EOT 3
PAPER_NEAR_END = 0x0C  # DLE EOT 4, bits 2 and 3
PAPER_OUT = 0x60  # DLE EOT 4, bits 5 and 6


class PrinterStatus(StrEnum):
    """What a printer said about itself; unknown when it did not answer."""

    ONLINE = "online"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


def status_query(function: int) -> bytes:
    """Return the real-time status request DLE EOT n."""
    return DLE_EOT + bytes([function])


def is_status_byte(value: int) -> bool:
    """Tell whether a byte looks like a DLE EOT answer (fixed bits in place)."""
    return value & FIXED_BITS_MASK == FIXED_BITS


def decode_status(answers: dict[int, int]) -> PrinterStatus:
    """Turn the answers to DLE EOT 1..4 (function -> byte) into one status, the worst first."""
    if set(answers) != set(STATUS_QUERIES) or not all(is_status_byte(value) for value in answers.values()):
        return PrinterStatus.UNKNOWN
    if answers[OFFLINE_CAUSE] & COVER_OPEN:
        return PrinterStatus.COVER_OPEN
    if answers[OFFLINE_CAUSE] & PAPER_END_STOP or answers[ROLL_PAPER] & PAPER_OUT:
        return PrinterStatus.PAPER_OUT
    errors = CUTTER_ERROR | UNRECOVERABLE_ERROR | AUTO_RECOVERABLE_ERROR
    if (
        answers[PRINTER] & PRINTER_OFFLINE
        or answers[OFFLINE_CAUSE] & ERROR_OCCURRED
        or answers[ERROR_CAUSE] & errors
    ):
        return PrinterStatus.OFFLINE
    if answers[ROLL_PAPER] & PAPER_NEAR_END:
        return PrinterStatus.PAPER_NEAR_END
    return PrinterStatus.ONLINE


def encode_status(status: PrinterStatus) -> dict[int, int]:
    """Return the DLE EOT 1..4 answers a printer in this state gives (used by the simulator)."""
    answers = dict.fromkeys(STATUS_QUERIES, FIXED_BITS)
    if status is PrinterStatus.PAPER_NEAR_END:
        answers[ROLL_PAPER] |= PAPER_NEAR_END
    elif status is PrinterStatus.PAPER_OUT:
        answers[PRINTER] |= PRINTER_OFFLINE
        answers[OFFLINE_CAUSE] |= PAPER_END_STOP
        answers[ROLL_PAPER] |= PAPER_NEAR_END | PAPER_OUT
    elif status is PrinterStatus.COVER_OPEN:
        answers[PRINTER] |= PRINTER_OFFLINE
        answers[OFFLINE_CAUSE] |= COVER_OPEN
    elif status is PrinterStatus.OFFLINE:
        answers[PRINTER] |= PRINTER_OFFLINE
        answers[OFFLINE_CAUSE] |= ERROR_OCCURRED
        answers[ERROR_CAUSE] |= AUTO_RECOVERABLE_ERROR
    return answers
